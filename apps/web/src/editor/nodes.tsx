import { type ActionNode, type ApiEventNode, type Diagnostic, type RecurringEventNode, actionModule, describeRecurrence, formOf, toDisplayText } from '@switchyard/workflow';
import { Handle, type Node, type NodeProps, type NodeTypes, Position } from '@xyflow/react';
import { memo } from 'react';
import { formatDuration } from '../lib/format.ts';
import { useEditor, useEditorState } from './context.ts';
import { type NodeContent, describeParameter, fieldLabel } from './describe.ts';
import { displayFor } from './forms.ts';
import { RUN_STATUS_LABELS, STEP_STATUS_LABELS, type StepView } from './testRun.ts';

export type EventFlowNode = Node<ApiEventNode['data'], 'apiEvent'>;
export type RecurringFlowNode = Node<RecurringEventNode['data'], 'recurringEvent'>;
export type ActionFlowNode = Node<ActionNode['data'], 'action'>;
export type FlowNode = EventFlowNode | RecurringFlowNode | ActionFlowNode;

function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function useNodeDiagnostics(id: string): Diagnostic[] {
  const editor = useEditor();
  return useEditorState((state) => editor.nodeDiagnostics(id, state));
}

function severityClass(diagnostics: Diagnostic[]): string {
  if (diagnostics.some((d) => d.severity === 'error')) return 'has-error';
  if (diagnostics.length > 0) return 'has-warning';
  return '';
}

const MAX_SHOWN = 3;

function NodeDiagnostics({ node, diagnostics }: { node: NodeContent; diagnostics: Diagnostic[] }) {
  const editor = useEditor();
  const shown = diagnostics.slice(0, MAX_SHOWN);
  // The labels as one string: the node re-renders when a label changes (a target's parameter was
  // renamed), not whenever the catalog or the event's parameters do.
  const labels = useEditorState((s) => shown.map((d) => fieldLabel(node, d.field, editor.workflows(s)) ?? '').join('\u0000'));
  if (diagnostics.length === 0) return null;
  const places = labels.split('\u0000');
  return (
    <ul className="node-diagnostics">
      {shown.map((d, i) => {
        const where = places[i] || null;
        return (
          <li key={i} className={`diag diag-${d.severity}`}>
            <span className="diag-icon" aria-hidden="true">
              {d.severity === 'error' ? '●' : '▲'}
            </span>
            <span>
              {where && <strong>{where}: </strong>}
              {d.message}
            </span>
          </li>
        );
      })}
      {diagnostics.length > MAX_SHOWN && <li className="diag diag-more">+{diagnostics.length - MAX_SHOWN} more</li>}
    </ul>
  );
}

/** The API event's icon: a bolt. */
export function EventIcon() {
  return (
    <svg width="14" height="14" viewBox="0 0 16 16" aria-hidden="true">
      <path d="M9 1 3 9h4l-1 6 6-8H8l1-6Z" fill="currentColor" />
    </svg>
  );
}

/** The icon an action module asks for (`module.icon`); a plain square for one this build cannot draw. */
export function ActionIcon({ icon }: { icon: string | undefined }) {
  switch (icon) {
    case 'log':
      return (
        <svg width="14" height="14" viewBox="0 0 16 16" aria-hidden="true">
          <path d="M3 3h10M3 6.5h10M3 10h7M3 13.5h5" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" fill="none" />
        </svg>
      );
    case 'return':
      return (
        <svg width="14" height="14" viewBox="0 0 16 16" aria-hidden="true">
          <path d="M13 3v4a3 3 0 0 1-3 3H3m0 0 3-3M3 10l3 3" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" fill="none" />
        </svg>
      );
    case 'wait':
      return (
        <svg width="14" height="14" viewBox="0 0 16 16" aria-hidden="true">
          <circle cx="8" cy="8" r="6" stroke="currentColor" strokeWidth="1.6" fill="none" />
          <path d="M8 4.5V8l2.5 1.5" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" fill="none" />
        </svg>
      );
    case 'schedule':
      // A calendar: a run at a date.
      return (
        <svg width="14" height="14" viewBox="0 0 16 16" aria-hidden="true">
          <rect x="2" y="3" width="12" height="11" rx="2" stroke="currentColor" strokeWidth="1.6" fill="none" />
          <path d="M2 6.75h12M5.25 1.75v2.5M10.75 1.75v2.5" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" fill="none" />
          <path d="M5 10h2.5" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" fill="none" />
        </svg>
      );
    case 'list':
      // Items, each with its own run.
      return (
        <svg width="14" height="14" viewBox="0 0 16 16" aria-hidden="true">
          <circle cx="3" cy="4" r="1.25" fill="currentColor" />
          <circle cx="3" cy="8" r="1.25" fill="currentColor" />
          <circle cx="3" cy="12" r="1.25" fill="currentColor" />
          <path d="M6.5 4H14M6.5 8H14M6.5 12H14" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" fill="none" />
        </svg>
      );
    case 'cancel':
      // A calendar crossed out: a scheduled run that will not happen.
      return (
        <svg width="14" height="14" viewBox="0 0 16 16" aria-hidden="true">
          <rect x="2" y="3" width="12" height="11" rx="2" stroke="currentColor" strokeWidth="1.6" fill="none" />
          <path d="M5.25 1.75v2.5M10.75 1.75v2.5M6 8l4 4M10 8l-4 4" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" fill="none" />
        </svg>
      );
    default:
      return (
        <svg width="14" height="14" viewBox="0 0 16 16" aria-hidden="true">
          <rect x="3" y="3" width="10" height="10" rx="2" stroke="currentColor" strokeWidth="1.6" fill="none" />
        </svg>
      );
  }
}

/** A short JSON preview of a step's output for the badge's tooltip. */
function preview(value: unknown): string {
  if (value === undefined) return '';
  const text = JSON.stringify(value);
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}

/** The last test run's result on a node: a status badge, and the error of a failed step. */
function StepResult({ step, notRun }: { step: StepView | undefined; notRun: boolean }) {
  if (!step) {
    return notRun ? (
      <span className="node-status node-status-not-run" title="The last test run did not reach this step">
        Not run
      </span>
    ) : null;
  }
  const output = preview(step.output);
  const title = [`${STEP_STATUS_LABELS[step.status]} in ${formatDuration(step.durationMs)}`, step.error, output && `Output: ${output}`]
    .filter(Boolean)
    .join('\n');
  return (
    <span className={`node-status node-status-${step.status}`} title={title} data-testid="node-status">
      <span className="node-status-dot" aria-hidden="true" />
      {STEP_STATUS_LABELS[step.status]}
    </span>
  );
}

const EventNodeView = memo(function EventNodeView({ id, data, selected }: NodeProps<EventFlowNode>) {
  const editor = useEditor();
  const diagnostics = useNodeDiagnostics(id);
  const name = useEditorState((s) => s.workflowName);
  const names = useEditorState((s) => editor.names(s));
  const runStatus = useEditorState((s) => s.testRun?.status ?? null);
  const runError = useEditorState((s) => (s.testRun?.status === 'skipped' || s.testRun?.status === 'failed' ? s.testRun.error : null));
  const onlyWhen = data.onlyWhen?.trim();
  return (
    <div
      className={`flow-node flow-node-event ${selected ? 'is-selected' : ''} ${severityClass(diagnostics)}`}
      data-testid={`node-${id}`}
    >
      <div className="flow-node-head">
        <div className="flow-node-kind">
          <EventIcon /> API workflow
        </div>
        {runStatus && (
          <span className={`node-status node-status-${runStatus}`} title={runError ?? `Last test run: ${RUN_STATUS_LABELS[runStatus]}`} data-testid="node-status">
            <span className="node-status-dot" aria-hidden="true" />
            {RUN_STATUS_LABELS[runStatus]}
          </span>
        )}
      </div>
      <div className="flow-node-title mono">{name}</div>
      {data.parameters.length === 0 ? (
        <div className="flow-node-summary muted">No parameters</div>
      ) : (
        <ul className="param-chips">
          {data.parameters.map((p) => (
            <li key={p.id} className="param-chip">
              <span className="mono">{p.key || '(no key)'}</span>
              <span className="param-chip-type">{describeParameter(p)}</span>
            </li>
          ))}
        </ul>
      )}
      {onlyWhen && (
        <div className="flow-node-condition">
          <span>Only when</span> <code>{truncate(toDisplayText(onlyWhen, 'expression', names), 60)}</code>
        </div>
      )}
      {data.settings.mode === 'async' && <div className="flow-node-mode">Responds at once (202)</div>}
      <NodeDiagnostics node={{ type: 'apiEvent', data }} diagnostics={diagnostics} />
      <Handle type="source" position={Position.Bottom} />
    </div>
  );
});

/** A recurring event: what its schedule means in words, its condition, its problems. */
const RecurringEventNodeView = memo(function RecurringEventNodeView({ id, data, selected }: NodeProps<RecurringFlowNode>) {
  const editor = useEditor();
  const diagnostics = useNodeDiagnostics(id);
  const name = useEditorState((s) => s.workflowName);
  const names = useEditorState((s) => editor.names(s));
  const instanceZone = useEditorState((s) => s.instanceTimeZone);
  const onlyWhen = data.onlyWhen?.trim();
  const schedule = describeSchedule(data.schedule, instanceZone ?? 'UTC');
  return (
    <div className={`flow-node flow-node-event ${selected ? 'is-selected' : ''} ${severityClass(diagnostics)}`} data-testid={`node-${id}`}>
      <div className="flow-node-head">
        <div className="flow-node-kind">
          <ActionIcon icon="schedule" /> Recurring
        </div>
      </div>
      <div className="flow-node-title mono">{name}</div>
      <div className="flow-node-summary">{truncate(schedule, 90)}</div>
      {onlyWhen && (
        <div className="flow-node-condition">
          <span>Only when</span> <code>{truncate(toDisplayText(onlyWhen, 'expression', names), 60)}</code>
        </div>
      )}
      <NodeDiagnostics node={{ type: 'recurringEvent', data }} diagnostics={diagnostics} />
      <Handle type="source" position={Position.Bottom} />
    </div>
  );
});

/**
 * A recurring schedule in words, in the instance's zone when it has none of its own; the schedule
 * as stored when it cannot be read (the compiler says why).
 */
export function describeSchedule(schedule: RecurringEventNode['data']['schedule'], instanceZone = 'UTC'): string {
  try {
    return describeRecurrence(schedule, instanceZone);
  } catch {
    return schedule.kind === 'cron' ? `cron ${schedule.cron}` : `every ${schedule.every} ${schedule.unit}`;
  }
}

/**
 * The names of the workflows an action's 'workflow' fields name, by id, for its summary: undefined
 * until the catalog is loaded, "(deleted workflow)" for one it does not have. Subscribes to the
 * names only, so a node re-renders when one of them changes, not on every catalog or parameter edit.
 */
function useTargetNames(action: ActionNode['data']['action']): ReadonlyMap<string, string | undefined> {
  const editor = useEditor();
  const module = actionModule(action.type);
  const config = action as Record<string, unknown>;
  const ids = module
    ? formOf(module.config)
        .filter((f) => f.kind === 'workflow')
        .map((f) => config[f.key])
        .filter((id): id is string => typeof id === 'string' && id !== '')
    : [];
  const shown = useEditorState((s) => ids.map((id) => editor.workflowName(id, s) ?? '').join('\u0000')).split('\u0000');
  return new Map(ids.map((id, i) => [id, shown[i] || undefined]));
}

const ActionNodeView = memo(function ActionNodeView({ id, data, selected }: NodeProps<ActionFlowNode>) {
  const editor = useEditor();
  const diagnostics = useNodeDiagnostics(id);
  const names = useEditorState((s) => editor.names(s));
  const step = useEditorState((s) => s.testRun?.byNode.get(id));
  const notRun = useEditorState((s) => Boolean(s.testRun?.final) && !s.testRun?.byNode.has(id));
  const module = actionModule(data.action.type);
  const label = module?.label ?? data.action.type;
  const title = data.title?.trim();
  const targets = useTargetNames(data.action);
  const summary = module
    ? module.summary(data.action as never, displayFor(data.action, formOf(module.config), names), (workflowId) => targets.get(workflowId))
    : { text: `Unknown action type "${data.action.type}"`, empty: true };
  const onlyWhen = data.onlyWhen?.trim();
  return (
    <div
      className={`flow-node flow-node-action icon-${module?.icon ?? 'none'} ${selected ? 'is-selected' : ''} ${severityClass(diagnostics)} ${step ? `ran-${step.status}` : ''}`}
      data-testid={`node-${id}`}
    >
      <Handle type="target" position={Position.Top} />
      <div className="flow-node-head">
        <div className="flow-node-kind">
          <ActionIcon icon={module?.icon} /> {title ? label : 'Action'}
        </div>
        <StepResult step={step} notRun={notRun} />
      </div>
      <div className="flow-node-title">{title || label}</div>
      <div className={`flow-node-summary ${summary.empty ? 'muted' : ''}`}>{truncate(summary.text, 90)}</div>
      {onlyWhen && (
        <div className="flow-node-condition">
          <span>Only when</span> <code>{truncate(toDisplayText(onlyWhen, 'expression', names), 60)}</code>
        </div>
      )}
      {step?.status === 'failed' && step.error && <div className="flow-node-run-error">{truncate(step.error, 140)}</div>}
      <NodeDiagnostics node={{ type: 'action', data }} diagnostics={diagnostics} />
      <Handle type="source" position={Position.Bottom} />
    </div>
  );
});

/** Defined once at module level, as React Flow wants: a new object each render re-mounts every node. */
export const nodeTypes = {
  apiEvent: EventNodeView,
  recurringEvent: RecurringEventNodeView,
  action: ActionNodeView,
} satisfies NodeTypes;
