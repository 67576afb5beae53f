import { ACTIONS, type ActionNode, type ApiEventNode, type Diagnostic, PARAMETER_TYPE_LABELS } from '@switchyard/workflow';
import { Handle, type Node, type NodeProps, type NodeTypes, Position } from '@xyflow/react';
import { memo } from 'react';
import { useEditor, useEditorState } from './context.ts';

export type EventFlowNode = Node<ApiEventNode['data'], 'apiEvent'>;
export type ActionFlowNode = Node<ActionNode['data'], 'action'>;
export type FlowNode = EventFlowNode | ActionFlowNode;

/** Where in a node a diagnostic's field is, in words. */
export function fieldLabel(field: string | null): string | null {
  if (field === null) return null;
  if (field === 'message') return 'Message';
  if (field === 'onlyWhen') return 'Only when';
  if (field.startsWith('parameters.')) return 'Parameter';
  if (field.startsWith('entries.')) return field.endsWith('.value') ? 'Value' : 'Key';
  return field;
}

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

function NodeDiagnostics({ diagnostics }: { diagnostics: Diagnostic[] }) {
  if (diagnostics.length === 0) return null;
  const shown = diagnostics.slice(0, MAX_SHOWN);
  return (
    <ul className="node-diagnostics">
      {shown.map((d, i) => {
        const where = fieldLabel(d.field);
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

function EventIcon() {
  return (
    <svg width="14" height="14" viewBox="0 0 16 16" aria-hidden="true">
      <path d="M9 1 3 9h4l-1 6 6-8H8l1-6Z" fill="currentColor" />
    </svg>
  );
}

export function ActionIcon({ type }: { type: ActionNode['data']['action']['type'] }) {
  return type === 'log' ? (
    <svg width="14" height="14" viewBox="0 0 16 16" aria-hidden="true">
      <path d="M3 3h10M3 6.5h10M3 10h7M3 13.5h5" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" fill="none" />
    </svg>
  ) : (
    <svg width="14" height="14" viewBox="0 0 16 16" aria-hidden="true">
      <path d="M13 3v4a3 3 0 0 1-3 3H3m0 0 3-3M3 10l3 3" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" fill="none" />
    </svg>
  );
}

const EventNodeView = memo(function EventNodeView({ id, data, selected }: NodeProps<EventFlowNode>) {
  const diagnostics = useNodeDiagnostics(id);
  const name = useEditorState((s) => s.workflowName);
  return (
    <div
      className={`flow-node flow-node-event ${selected ? 'is-selected' : ''} ${severityClass(diagnostics)}`}
      data-testid={`node-${id}`}
    >
      <div className="flow-node-kind">
        <EventIcon /> API workflow
      </div>
      <div className="flow-node-title mono">{name}</div>
      {data.parameters.length === 0 ? (
        <div className="flow-node-summary muted">No parameters</div>
      ) : (
        <ul className="param-chips">
          {data.parameters.map((p) => (
            <li key={p.id} className="param-chip">
              <span className="mono">{p.key || '(no key)'}</span>
              <span className="param-chip-type">
                {PARAMETER_TYPE_LABELS[p.type]}
                {p.optional ? ', optional' : ''}
              </span>
            </li>
          ))}
        </ul>
      )}
      <NodeDiagnostics diagnostics={diagnostics} />
      <Handle type="source" position={Position.Bottom} />
    </div>
  );
});

function actionSummary(data: ActionNode['data']): { text: string; empty: boolean } {
  const action = data.action;
  switch (action.type) {
    case 'log':
      return action.message.trim()
        ? { text: truncate(action.message, 90), empty: false }
        : { text: 'Nothing to log yet', empty: true };
    case 'returnData': {
      const keys = action.entries.map((e) => e.key.trim()).filter(Boolean);
      return keys.length > 0
        ? { text: `Returns ${truncate(keys.join(', '), 80)}`, empty: false }
        : { text: 'Returns nothing yet', empty: true };
    }
  }
}

const ActionNodeView = memo(function ActionNodeView({ id, data, selected }: NodeProps<ActionFlowNode>) {
  const diagnostics = useNodeDiagnostics(id);
  const info = ACTIONS[data.action.type];
  const title = data.title?.trim();
  const summary = actionSummary(data);
  const onlyWhen = data.onlyWhen?.trim();
  return (
    <div
      className={`flow-node flow-node-action action-${data.action.type} ${selected ? 'is-selected' : ''} ${severityClass(diagnostics)}`}
      data-testid={`node-${id}`}
    >
      <Handle type="target" position={Position.Top} />
      <div className="flow-node-kind">
        <ActionIcon type={data.action.type} /> {title ? info.label : 'Action'}
      </div>
      <div className="flow-node-title">{title || info.label}</div>
      <div className={`flow-node-summary ${summary.empty ? 'muted' : data.action.type === 'log' ? 'mono' : ''}`}>
        {summary.text}
      </div>
      {onlyWhen && (
        <div className="flow-node-condition">
          <span>Only when</span> <code>{truncate(onlyWhen, 60)}</code>
        </div>
      )}
      <NodeDiagnostics diagnostics={diagnostics} />
      <Handle type="source" position={Position.Bottom} />
    </div>
  );
});

/** Defined once at module level, as React Flow wants: a new object each render re-mounts every node. */
export const nodeTypes = {
  apiEvent: EventNodeView,
  action: ActionNodeView,
} satisfies NodeTypes;
