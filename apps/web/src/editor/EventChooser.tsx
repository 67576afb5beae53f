import type { EventType } from '@switchyard/workflow';
import { useState } from 'react';
import { Dialog } from '../components/ui.tsx';
import { plural } from '../lib/format.ts';
import { useEditor, useEditorState } from './context.ts';
import { fieldLabel, nodeTitle } from './describe.ts';
import type { EventSwitchImpact } from './model.ts';
import { ActionIcon, EventIcon } from './nodes.tsx';

/** The events a workflow may start with, as the palette offers them. */
export const EVENT_CHOICES: readonly { type: EventType; label: string; description: string }[] = [
  { type: 'apiEvent', label: 'API workflow', description: 'Runs when its endpoint is called, with typed parameters.' },
  { type: 'recurringEvent', label: 'Recurring', description: 'Runs on a schedule: a cron expression or every N minutes, hours, days…' },
];

const labelOf = (type: EventType) => EVENT_CHOICES.find((c) => c.type === type)?.label ?? type;

/**
 * The palette's "Event" group: one toggle button per kind of event, the current one pressed. A
 * workflow has exactly one event, so choosing the other kind replaces it in place (one undo step);
 * when that would remove parameters, a dialog says what breaks and asks first. Choosing the
 * current kind selects the event.
 */
export function EventChooser() {
  const editor = useEditor();
  const current = useEditorState((s) => editor.event(s)?.type ?? null);
  const eventId = useEditorState((s) => editor.event(s)?.id ?? null);
  const [pending, setPending] = useState<{ type: EventType; impact: EventSwitchImpact } | null>(null);

  const choose = (type: EventType) => {
    if (type === current) {
      if (eventId) editor.select([eventId]);
      return;
    }
    const impact = editor.eventSwitchImpact(type);
    if (impact.parameters.length > 0) setPending({ type, impact });
    else editor.switchEvent(type);
  };

  return (
    <>
      <h2 className="panel-title" id="palette-event-title">
        Event
      </h2>
      <p className="palette-hint">What starts a run. A workflow has one.</p>
      <div role="group" aria-labelledby="palette-event-title">
        <ul className="palette-list event-choices">
          {EVENT_CHOICES.map((choice) => {
            const pressed = choice.type === current;
            return (
              <li key={choice.type}>
                <button
                  type="button"
                  className={`palette-item event-choice ${pressed ? 'is-current' : ''}`}
                  aria-pressed={pressed}
                  aria-describedby={`palette-description-${choice.type}`}
                  title={pressed ? 'The current event: select it' : `Make the event ${choice.label}`}
                  onClick={() => choose(choice.type)}
                >
                  <span className={`palette-icon ${choice.type === 'recurringEvent' ? 'icon-recurring' : 'icon-event'}`}>
                    {choice.type === 'recurringEvent' ? <ActionIcon icon="schedule" /> : <EventIcon />}
                  </span>
                  <span className="palette-text">
                    <span className="palette-label">{choice.label}</span>
                    <span className="palette-description" id={`palette-description-${choice.type}`} aria-hidden="true">
                      {choice.description}
                    </span>
                  </span>
                  {pressed && (
                    <span className="event-choice-check" aria-hidden="true">
                      ✓
                    </span>
                  )}
                </button>
              </li>
            );
          })}
        </ul>
      </div>
      {pending && (
        <SwitchEventDialog
          type={pending.type}
          impact={pending.impact}
          onCancel={() => setPending(null)}
          onConfirm={() => {
            editor.switchEvent(pending.type);
            setPending(null);
          }}
        />
      )}
    </>
  );
}

/** "Switch to a Recurring event?": the parameters that go and the expressions that use them. */
function SwitchEventDialog({
  type,
  impact,
  onCancel,
  onConfirm,
}: {
  type: EventType;
  impact: EventSwitchImpact;
  onCancel: () => void;
  onConfirm: () => void;
}) {
  const editor = useEditor();
  const nodes = useEditorState((s) => s.nodes);
  const workflows = useEditorState((s) => editor.workflows(s));
  const { parameters, uses } = impact;
  const keys = parameters.map((p, i) => p.key.trim() || `parameter ${i + 1}`);
  const label = labelOf(type);
  return (
    <Dialog
      title={`Switch to a ${label} event?`}
      onClose={onCancel}
      onSubmit={onConfirm}
      footer={
        <>
          <button type="button" className="btn" onClick={onCancel} autoFocus>
            Keep API workflow
          </button>
          <button type="submit" className="btn btn-danger">
            Switch to {label}
          </button>
        </>
      }
    >
      <div className="event-switch" data-testid="event-switch-warning">
        <p>
          A recurring run has no caller, so its event has no parameters. Switching removes{' '}
          {parameters.length === 1 ? 'the parameter' : `the ${parameters.length} parameters`}{' '}
          {keys.map((key, i) => (
            <span key={i}>
              {i > 0 && (i === keys.length - 1 ? ' and ' : ', ')}
              <code>{key}</code>
            </span>
          ))}
          .
        </p>
        {uses.length === 0 ? (
          <p>No expression uses them.</p>
        ) : (
          <>
            <p>
              {uses.length === 1 ? 'One expression uses' : `${plural(uses.length, 'expression')} use`} {parameters.length === 1 ? 'it' : 'them'} and
              will name something that no longer exists; each shows as a problem until it is changed:
            </p>
            <ul className="event-switch-uses">
              {uses.map((use, i) => {
                const node = nodes.find((n) => n.id === use.nodeId);
                return (
                  <li key={i}>
                    {nodeTitle(node)} · {fieldLabel(node, use.field, workflows)}
                  </li>
                );
              })}
            </ul>
          </>
        )}
        <p className="muted small">
          Undo (Ctrl+Z) brings {parameters.length === 1 ? 'it' : 'them'} back, and so does switching back to API workflow.
        </p>
      </div>
    </Dialog>
  );
}
