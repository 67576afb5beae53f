import {
  ACTIONS,
  type ActionNode,
  type ApiEventNode,
  type Diagnostic,
  PARAMETER_TYPE_LABELS,
  type ParameterType,
} from '@switchyard/workflow';
import { type ReactNode, useId } from 'react';
import { newId } from '../lib/id.ts';
import { useEditor, useEditorState } from './context.ts';
import { ActionIcon, fieldLabel } from './nodes.tsx';

const PARAMETER_TYPES = Object.keys(PARAMETER_TYPE_LABELS) as ParameterType[];

function useNodeDiagnostics(id: string): Diagnostic[] {
  const editor = useEditor();
  return useEditorState((state) => editor.nodeDiagnostics(id, state));
}

function FieldDiagnostics({ diagnostics, field, id }: { diagnostics: Diagnostic[]; field: string | null; id?: string }) {
  const mine = diagnostics.filter((d) => d.field === field);
  if (mine.length === 0) return null;
  return (
    <ul className="field-diagnostics" id={id}>
      {mine.map((d, i) => (
        <li key={i} className={`diag diag-${d.severity}`} role={d.severity === 'error' ? 'alert' : undefined}>
          {d.message}
        </li>
      ))}
    </ul>
  );
}

function hasError(diagnostics: Diagnostic[], field: string): boolean {
  return diagnostics.some((d) => d.field === field && d.severity === 'error');
}

function Section({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <section className="inspector-section">
      <div className="inspector-section-header">
        <h3>{title}</h3>
        {actions}
      </div>
      {children}
    </section>
  );
}

/** The keys an expression may use here, shown as a reminder under expression fields. */
function AvailableNames() {
  const keys = useEditorState((s) => {
    const event = s.nodes.find((n): n is ApiEventNode => n.type === 'apiEvent');
    return event ? event.data.parameters.map((p) => p.key.trim()).filter(Boolean).join(' ') : '';
  });
  const names = [...(keys ? keys.split(' ') : []), 'now'];
  return (
    <div className="available-names">
      <span>Available:</span>
      {names.map((name) => (
        <code key={name}>{name}</code>
      ))}
    </div>
  );
}

export function Inspector() {
  const editor = useEditor();
  const selected = useEditorState((s) => s.selectedNodeIds);
  const node = useEditorState((s) => (s.selectedNodeIds.length === 1 ? s.nodes.find((n) => n.id === s.selectedNodeIds[0]) : undefined));
  const readOnly = useEditorState((s) => s.readOnly);

  if (selected.length > 1) {
    const deletable = editor.state.nodes.filter((n) => selected.includes(n.id) && n.type !== 'apiEvent').length;
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
    <div className="inspector" key={node.id}>
      {node.type === 'apiEvent' ? <EventForm node={node} readOnly={readOnly} /> : <ActionForm node={node} readOnly={readOnly} />}
    </div>
  );
}

function WorkflowOverview() {
  const editor = useEditor();
  const view = useEditorState((s) => editor.diagnostics(s));
  const nodes = useEditorState((s) => s.nodes);
  const describe = (nodeId: string | null) => {
    const node = nodes.find((n) => n.id === nodeId);
    if (!node) return 'Workflow';
    if (node.type === 'apiEvent') return 'API workflow';
    return node.data.title?.trim() || ACTIONS[node.data.action.type].label;
  };
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
            {view.list.map((d, i) => (
              <li key={i}>
                <button
                  type="button"
                  className={`problem diag-${d.severity}`}
                  onClick={() => d.nodeId && editor.select([d.nodeId])}
                  disabled={!d.nodeId}
                >
                  <span className="problem-where">
                    {describe(d.nodeId)}
                    {fieldLabel(d.field) ? ` · ${fieldLabel(d.field)}` : ''}
                  </span>
                  <span className="problem-message">{d.message}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </Section>
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

function EventForm({ node, readOnly }: { node: ApiEventNode; readOnly: boolean }) {
  const editor = useEditor();
  const diagnostics = useNodeDiagnostics(node.id);
  const parameters = node.data.parameters;
  const update = (fn: (params: ApiEventNode['data']['parameters']) => ApiEventNode['data']['parameters'], key: string | null = null) =>
    editor.updateEvent(node.id, (data) => ({ ...data, parameters: fn(data.parameters) }), key);

  const addParameter = () => {
    const id = newId('param');
    update((params) => [...params, { id, key: '', type: 'text', optional: false }]);
    requestAnimationFrame(() => document.getElementById(`param-key-${id}`)?.focus());
  };

  return (
    <>
      <div className="inspector-header">
        <div className="inspector-kind">API workflow</div>
        <h2>Event</h2>
        <p className="muted small">Runs when the endpoint is called. Parameters are read from the JSON body.</p>
      </div>
      <FieldDiagnostics diagnostics={diagnostics} field={null} />
      <Section
        title="Parameters"
        actions={
          !readOnly && (
            <button type="button" className="btn btn-sm" onClick={addParameter}>
              Add parameter
            </button>
          )
        }
      >
        {parameters.length === 0 ? (
          <p className="muted small">No parameters. Add one for each value callers send.</p>
        ) : (
          <ol className="rows">
            {parameters.map((param, index) => {
              const keyField = `parameters.${param.id}.key`;
              const keyId = `param-key-${param.id}`;
              return (
                <li key={param.id} className="row-card">
                  <div className="row-card-header">
                    <span className="row-index">Parameter {index + 1}</span>
                    {!readOnly && (
                      <button
                        type="button"
                        className="btn btn-ghost btn-xs btn-danger-text"
                        onClick={() => update((params) => params.filter((p) => p.id !== param.id))}
                      >
                        Remove<span className="visually-hidden"> parameter {index + 1}</span>
                      </button>
                    )}
                  </div>
                  <div className="field">
                    <label className="field-label" htmlFor={keyId}>
                      Key
                    </label>
                    <input
                      id={keyId}
                      className="mono"
                      value={param.key}
                      placeholder="name"
                      spellCheck={false}
                      autoComplete="off"
                      disabled={readOnly}
                      aria-invalid={hasError(diagnostics, keyField) || undefined}
                      onChange={(e) =>
                        update((params) => params.map((p) => (p.id === param.id ? { ...p, key: e.target.value } : p)), `field:${node.id}:${keyField}`)
                      }
                    />
                    <FieldDiagnostics diagnostics={diagnostics} field={keyField} />
                  </div>
                  <div className="row-inline">
                    <div className="field field-grow">
                      <label className="field-label" htmlFor={`param-type-${param.id}`}>
                        Type
                      </label>
                      <select
                        id={`param-type-${param.id}`}
                        value={param.type}
                        disabled={readOnly}
                        onChange={(e) =>
                          update((params) =>
                            params.map((p) => (p.id === param.id ? { ...p, type: e.target.value as ParameterType } : p)),
                          )
                        }
                      >
                        {PARAMETER_TYPES.map((type) => (
                          <option key={type} value={type}>
                            {PARAMETER_TYPE_LABELS[type]}
                          </option>
                        ))}
                      </select>
                    </div>
                    <div className="checkbox-field">
                      <input
                        id={`param-optional-${param.id}`}
                        type="checkbox"
                        checked={param.optional}
                        disabled={readOnly}
                        onChange={(e) =>
                          update((params) => params.map((p) => (p.id === param.id ? { ...p, optional: e.target.checked } : p)))
                        }
                      />
                      <label htmlFor={`param-optional-${param.id}`}>Optional</label>
                    </div>
                  </div>
                </li>
              );
            })}
          </ol>
        )}
      </Section>
    </>
  );
}

function ActionForm({ node, readOnly }: { node: ActionNode; readOnly: boolean }) {
  const editor = useEditor();
  const diagnostics = useNodeDiagnostics(node.id);
  const info = ACTIONS[node.data.action.type];
  const titleId = useId();
  const onlyWhenId = useId();
  const coalesce = (field: string) => `field:${node.id}:${field}`;

  return (
    <>
      <div className="inspector-header">
        <div className="inspector-kind">
          <ActionIcon type={node.data.action.type} /> Action
        </div>
        <h2>{info.label}</h2>
        <p className="muted small">{info.description}</p>
      </div>
      <FieldDiagnostics diagnostics={diagnostics} field={null} />
      <Section title="General">
        <div className="field">
          <label className="field-label" htmlFor={titleId}>
            Title
          </label>
          <input
            id={titleId}
            value={node.data.title ?? ''}
            placeholder={info.label}
            disabled={readOnly}
            autoComplete="off"
            onChange={(e) => {
              const title = e.target.value;
              editor.updateAction(node.id, ({ title: _old, ...rest }) => (title ? { ...rest, title } : rest), coalesce('title'));
            }}
          />
          <div className="field-hint">Shown on the canvas and in run details.</div>
        </div>
        <div className="field">
          <label className="field-label" htmlFor={onlyWhenId}>
            Only when
          </label>
          <input
            id={onlyWhenId}
            className="mono"
            value={node.data.onlyWhen ?? ''}
            placeholder="e.g. amount > 100"
            spellCheck={false}
            autoComplete="off"
            disabled={readOnly}
            aria-invalid={hasError(diagnostics, 'onlyWhen') || undefined}
            onChange={(e) => {
              const onlyWhen = e.target.value;
              editor.updateAction(
                node.id,
                ({ onlyWhen: _old, ...rest }) => (onlyWhen ? { ...rest, onlyWhen } : rest),
                coalesce('onlyWhen'),
              );
            }}
          />
          <FieldDiagnostics diagnostics={diagnostics} field="onlyWhen" />
          <div className="field-hint">An expression; the step is skipped when it is false. Empty means always.</div>
        </div>
      </Section>
      {node.data.action.type === 'log' ? (
        <LogFields node={node} action={node.data.action} diagnostics={diagnostics} readOnly={readOnly} />
      ) : (
        <ReturnDataFields node={node} action={node.data.action} diagnostics={diagnostics} readOnly={readOnly} />
      )}
      {!readOnly && (
        <div className="inspector-footer">
          <button type="button" className="btn btn-danger-outline btn-sm" onClick={() => editor.deleteElements([node.id])}>
            Delete action
          </button>
        </div>
      )}
    </>
  );
}

type LogConfig = Extract<ActionNode['data']['action'], { type: 'log' }>;
type ReturnConfig = Extract<ActionNode['data']['action'], { type: 'returnData' }>;

function LogFields({ node, action, diagnostics, readOnly }: { node: ActionNode; action: LogConfig; diagnostics: Diagnostic[]; readOnly: boolean }) {
  const editor = useEditor();
  const id = useId();
  return (
    <Section title="Log">
      <div className="field">
        <label className="field-label" htmlFor={id}>
          Message
        </label>
        <textarea
          id={id}
          className="mono"
          rows={4}
          value={action.message}
          placeholder="Hello {{name}}"
          spellCheck={false}
          disabled={readOnly}
          aria-invalid={hasError(diagnostics, 'message') || undefined}
          onChange={(e) => {
            const message = e.target.value;
            editor.updateAction(node.id, (data) => ({ ...data, action: { ...action, message } }), `field:${node.id}:message`);
          }}
        />
        <FieldDiagnostics diagnostics={diagnostics} field="message" />
        <div className="field-hint">
          Text with <code>{'{{ expressions }}'}</code>, e.g. <code>{'Total: {{amount * 2}}'}</code>
        </div>
        <AvailableNames />
      </div>
    </Section>
  );
}

function ReturnDataFields({
  node,
  action,
  diagnostics,
  readOnly,
}: {
  node: ActionNode;
  action: ReturnConfig;
  diagnostics: Diagnostic[];
  readOnly: boolean;
}) {
  const editor = useEditor();
  const update = (fn: (entries: ReturnConfig['entries']) => ReturnConfig['entries'], key: string | null = null) =>
    editor.updateAction(
      node.id,
      (data) => (data.action.type === 'returnData' ? { ...data, action: { ...data.action, entries: fn(data.action.entries) } } : data),
      key,
    );
  const addEntry = () => {
    const id = newId('entry');
    update((entries) => [...entries, { id, key: '', value: '' }]);
    requestAnimationFrame(() => document.getElementById(`entry-key-${id}`)?.focus());
  };
  return (
    <Section
      title="Returned data"
      actions={
        !readOnly && (
          <button type="button" className="btn btn-sm" onClick={addEntry}>
            Add key
          </button>
        )
      }
    >
      {action.entries.length === 0 ? (
        <p className="muted small">No keys yet. The caller receives an empty object.</p>
      ) : (
        <ol className="rows">
          {action.entries.map((entry, index) => {
            const keyField = `entries.${entry.id}.key`;
            const valueField = `entries.${entry.id}.value`;
            return (
              <li key={entry.id} className="row-card">
                <div className="row-card-header">
                  <span className="row-index">Key {index + 1}</span>
                  {!readOnly && (
                    <button
                      type="button"
                      className="btn btn-ghost btn-xs btn-danger-text"
                      onClick={() => update((entries) => entries.filter((e) => e.id !== entry.id))}
                    >
                      Remove<span className="visually-hidden"> entry {index + 1}</span>
                    </button>
                  )}
                </div>
                <div className="field">
                  <label className="field-label" htmlFor={`entry-key-${entry.id}`}>
                    Key
                  </label>
                  <input
                    id={`entry-key-${entry.id}`}
                    className="mono"
                    value={entry.key}
                    placeholder="greeting"
                    spellCheck={false}
                    autoComplete="off"
                    disabled={readOnly}
                    aria-invalid={hasError(diagnostics, keyField) || undefined}
                    onChange={(e) =>
                      update((entries) => entries.map((x) => (x.id === entry.id ? { ...x, key: e.target.value } : x)), `field:${node.id}:${keyField}`)
                    }
                  />
                  <FieldDiagnostics diagnostics={diagnostics} field={keyField} />
                </div>
                <div className="field">
                  <label className="field-label" htmlFor={`entry-value-${entry.id}`}>
                    Value
                  </label>
                  <input
                    id={`entry-value-${entry.id}`}
                    className="mono"
                    value={entry.value}
                    placeholder="Hello {{name}}"
                    spellCheck={false}
                    autoComplete="off"
                    disabled={readOnly}
                    aria-invalid={hasError(diagnostics, valueField) || undefined}
                    onChange={(e) =>
                      update((entries) => entries.map((x) => (x.id === entry.id ? { ...x, value: e.target.value } : x)), `field:${node.id}:${valueField}`)
                    }
                  />
                  <FieldDiagnostics diagnostics={diagnostics} field={valueField} />
                </div>
              </li>
            );
          })}
        </ol>
      )}
      {action.entries.length > 0 && <AvailableNames />}
    </Section>
  );
}
