import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '../api/trpc.ts';
import type { RefusedCall } from '../api/types.ts';
import { Badge, RelativeTime } from '../components/ui.tsx';
import { plural } from '../lib/format.ts';
import { ActionForm } from './ActionForm.tsx';
import { useEditor, useEditorState } from './context.ts';
import { fieldLabel, nodeTitle } from './describe.ts';
import { EventForm } from './EventForm.tsx';
import { RecurringEventForm } from './RecurringEventForm.tsx';
import { Section } from './fields.tsx';

/** The side panel's "Properties" tab: the selected node's form, or the workflow's overview. */
export function Inspector() {
  const editor = useEditor();
  const selected = useEditorState((s) => s.selectedNodeIds);
  const node = useEditorState((s) => (s.selectedNodeIds.length === 1 ? s.nodes.find((n) => n.id === s.selectedNodeIds[0]) : undefined));
  const readOnly = useEditorState((s) => s.readOnly);

  if (selected.length > 1) {
    const deletable = editor.state.nodes.filter((n) => selected.includes(n.id) && n.type === 'action').length;
    return (
      <div className="inspector">
        <div className="inspector-empty">
          <h2>{selected.length} nodes selected</h2>
          <p>Select a single node to edit it.</p>
          {!readOnly && deletable > 0 && (
            <button type="button" className="btn btn-danger-outline" onClick={() => editor.deleteElements(selected)}>
              Delete {deletable} {deletable === 1 ? 'action' : 'actions'}
            </button>
          )}
        </div>
      </div>
    );
  }
  if (!node) return <WorkflowOverview />;
  return (
    <div className="inspector" key={node.id} ref={scrollToTop}>
      {node.type === 'apiEvent' ? (
        <EventForm node={node} readOnly={readOnly} />
      ) : node.type === 'recurringEvent' ? (
        <RecurringEventForm node={node} readOnly={readOnly} />
      ) : (
        <ActionForm node={node} readOnly={readOnly} />
      )}
    </div>
  );
}

/** A node's form starts at its top, whatever the previous one was scrolled to. */
function scrollToTop(element: HTMLDivElement | null) {
  const panel = element?.closest('.tab-panel');
  if (panel) panel.scrollTop = 0;
}

function WorkflowOverview() {
  const editor = useEditor();
  const view = useEditorState((s) => editor.diagnostics(s));
  const nodes = useEditorState((s) => s.nodes);
  const name = useEditorState((s) => s.workflowName);
  const workflows = useEditorState((s) => editor.workflows(s));
  return (
    <div className="inspector">
      <div className="inspector-header">
        <h2>Workflow</h2>
        <p className="muted small">Select a node on the canvas to edit it.</p>
      </div>
      <Section title={view.list.length === 0 ? 'No problems' : `Problems (${view.list.length})`}>
        {view.list.length === 0 ? (
          <p className="muted small">The workflow compiles. Deploy it to make it live.</p>
        ) : (
          <ul className="problem-list">
            {view.list.map((d, i) => {
              const node = nodes.find((n) => n.id === d.nodeId);
              const where = fieldLabel(node, d.field, workflows);
              return (
                <li key={i}>
                  <button
                    type="button"
                    className={`problem diag-${d.severity}`}
                    onClick={() => d.nodeId && editor.select([d.nodeId])}
                    disabled={!d.nodeId}
                  >
                    <span className="problem-where">
                      {nodeTitle(node)}
                      {where ? ` · ${where}` : ''}
                    </span>
                    <span className="problem-message">{d.message}</span>
                  </button>
                </li>
              );
            })}
          </ul>
        )}
      </Section>
      <RefusedCalls workflowName={name} />
      <Section title="Shortcuts">
        <dl className="shortcuts">
          <dt>
            <kbd>Ctrl</kbd> <kbd>S</kbd>
          </dt>
          <dd>Save now</dd>
          <dt>
            <kbd>Ctrl</kbd> <kbd>Z</kbd>
          </dt>
          <dd>Undo</dd>
          <dt>
            <kbd>Ctrl</kbd> <kbd>Shift</kbd> <kbd>Z</kbd>
          </dt>
          <dd>Redo</dd>
          <dt>
            <kbd>Delete</kbd>
          </dt>
          <dd>Delete the selection</dd>
        </dl>
      </Section>
    </div>
  );
}

/** Why the server refused calls, in words. */
const REFUSAL_REASONS: Record<string, string> = {
  invalid_parameters: 'Invalid parameters',
  malformed_body: 'Malformed body',
  too_large: 'Body too large',
  too_deep: 'JSON nested too deep',
  forbidden_key: 'Forbidden key in the body',
  unsupported_media_type: 'Unsupported content type',
  not_deployed: 'Not deployed',
  draft_has_errors: 'Draft has errors',
  unknown_workflow: 'Unknown workflow',
};

const ENVIRONMENTS = ['draft', 'live'] as const;

/**
 * Calls of this workflow's endpoints the server refused (400, 404, 413, 415) per environment and
 * reason, with the last message. Bodies of refused calls are never stored. Nothing when none.
 */
function RefusedCalls({ workflowName }: { workflowName: string }) {
  const trpc = useTRPC();
  const refused = useQuery(trpc.run.refused.queryOptions({ workflowName }, { refetchInterval: 30_000 }));
  const rows = refused.data ?? [];
  if (rows.length === 0) return null;
  const total = rows.reduce((sum, r) => sum + r.count, 0);
  return (
    <Section title={`Refused calls (${total})`} hint="Calls the endpoints turned away before any run was made. Their bodies are not stored.">
      {ENVIRONMENTS.map((environment) => {
        const mine = rows.filter((r) => r.environment === environment);
        if (mine.length === 0) return null;
        return (
          <div key={environment} className="refused-group">
            <div className="refused-env">
              {environment === 'draft' ? 'Test endpoint' : 'Live endpoint'} <Badge>{environment}</Badge>
            </div>
            <ul className="refused-list">
              {mine.map((row) => (
                <RefusedRow key={`${row.environment}-${row.reason}`} row={row} />
              ))}
            </ul>
          </div>
        );
      })}
    </Section>
  );
}

function RefusedRow({ row }: { row: RefusedCall }) {
  return (
    <li className="refused-row">
      <div className="refused-head">
        <span className="refused-reason">{REFUSAL_REASONS[row.reason] ?? row.reason}</span>
        <span className="refused-count">{plural(row.count, 'call')}</span>
      </div>
      <div className="refused-message" title={row.lastMessage}>
        {row.lastMessage}
      </div>
      <div className="refused-when muted">
        Last <RelativeTime date={new Date(row.lastAt)} />
      </div>
    </li>
  );
}
