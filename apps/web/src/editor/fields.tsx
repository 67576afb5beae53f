import {
  type ActionNode,
  type Diagnostic,
  type ExpressionKind,
  type FormField,
  type WorkflowSummary,
  actionModule,
  formOf,
  toDisplayText,
  toStoredText,
} from '@switchyard/workflow';
import { type ReactNode, useId, useMemo, useRef, useState } from 'react';
import { useEditor, useEditorState } from './context.ts';
import { availableNames, describeParameter } from './describe.ts';
import { newItem, updateAt, withParameterValue } from './forms.ts';
import { DELETED_WORKFLOW } from './model.ts';

/** The diagnostics of one node, the same array while they do not change. */
export function useNodeDiagnostics(id: string): Diagnostic[] {
  const editor = useEditor();
  return useEditorState((state) => editor.nodeDiagnostics(id, state));
}

export function FieldDiagnostics({ diagnostics, field, id }: { diagnostics: Diagnostic[]; field: string | null; id?: string }) {
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

export function hasError(diagnostics: Diagnostic[], field: string): boolean {
  return diagnostics.some((d) => d.field === field && d.severity === 'error');
}

export function Section({ title, children, actions, hint }: { title: string; children: ReactNode; actions?: ReactNode; hint?: ReactNode }) {
  return (
    <section className="inspector-section">
      <div className="inspector-section-header">
        <h3>{title}</h3>
        {actions}
      </div>
      {hint && <p className="section-hint">{hint}</p>}
      {children}
    </section>
  );
}

/** Whether `at` is inside a `{{ }}` of a template (so an inserted name needs no braces). */
function insideBraces(text: string, at: number): boolean {
  const before = text.slice(0, at);
  return before.lastIndexOf('{{') > before.lastIndexOf('}}');
}

/**
 * A field holding an expression (`kind: 'expression'`, like "Only when") or text with `{{ }}`
 * expressions (`kind: 'template'`). It shows the current names of what the stored text refers to
 * by id and stores what is typed by id again, on every keystroke; the two round-trip exactly, so
 * the cursor stays put. While it has focus, the names available here are listed under it, and
 * clicking one inserts it at the cursor.
 */
export function ExpressionField({
  id,
  nodeId,
  label,
  kind,
  stored,
  onChange,
  field,
  diagnostics,
  multiline = false,
  placeholder,
  hint,
  readOnly,
}: {
  id: string;
  nodeId: string;
  label: ReactNode;
  kind: ExpressionKind;
  stored: string;
  onChange: (stored: string) => void;
  /** The field's diagnostic path. */
  field: string;
  diagnostics: Diagnostic[];
  multiline?: boolean;
  placeholder?: string | undefined;
  hint?: ReactNode;
  readOnly: boolean;
}) {
  const editor = useEditor();
  // Subscribing to the name table re-renders the field when a name it shows changes.
  const names = useEditorState((s) => editor.names(s));
  const value = useMemo(() => toDisplayText(stored, kind, names), [stored, kind, names]);
  const [focused, setFocused] = useState(false);
  const input = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const wrapper = useRef<HTMLDivElement>(null);
  const invalid = hasError(diagnostics, field);
  const diagnosticsId = `${id}-diagnostics`;

  const change = (display: string) => onChange(toStoredText(display, kind, names));

  const insert = (name: string) => {
    const element = input.current;
    if (!element) return;
    const start = element.selectionStart ?? value.length;
    const end = element.selectionEnd ?? start;
    const text = kind === 'template' && !insideBraces(value, start) ? `{{${name}}}` : name;
    change(value.slice(0, start) + text + value.slice(end));
    requestAnimationFrame(() => {
      element.focus();
      element.setSelectionRange(start + text.length, start + text.length);
    });
  };

  const common = {
    id,
    ref: input,
    className: 'mono',
    value,
    placeholder,
    spellCheck: false,
    autoComplete: 'off',
    disabled: readOnly,
    'aria-invalid': invalid || undefined,
    'aria-describedby': diagnosticsId,
    onChange: (e: { target: { value: string } }) => change(e.target.value),
  };

  return (
    <div
      className="field"
      ref={wrapper}
      onFocus={() => setFocused(true)}
      onBlur={(e) => {
        if (!wrapper.current?.contains(e.relatedTarget as Node | null)) setFocused(false);
      }}
    >
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      {multiline ? <textarea rows={3} {...common} /> : <input {...common} />}
      <FieldDiagnostics diagnostics={diagnostics} field={field} id={diagnosticsId} />
      {hint && <div className="field-hint">{hint}</div>}
      {focused && !readOnly && <AvailableList nodeId={nodeId} onPick={insert} />}
    </div>
  );
}

/** The names an expression in this node may use; a click inserts one at the cursor. */
function AvailableList({ nodeId, onPick }: { nodeId: string; onPick: (name: string) => void }) {
  const editor = useEditor();
  const nodes = useEditorState((s) => s.nodes);
  const edges = useEditorState((s) => s.edges);
  const names = useEditorState((s) => editor.names(s));
  const available = useMemo(() => availableNames(nodes, edges, nodeId, names), [nodes, edges, nodeId, names]);
  return (
    <div className="available" aria-label="Available names">
      <div className="available-title">Available here · click to insert</div>
      <ul className="available-list">
        {available.map((item) => (
          <li key={item.name}>
            <button
              type="button"
              className={`available-item available-${item.group}`}
              // Keep the focus (and the cursor) in the field.
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => onPick(item.name)}
              title={`${item.name}: ${item.type}`}
            >
              <code>{item.name}</code>
              <span className="available-type">{item.type}</span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

const domId = (nodeId: string, path: readonly string[]) => `f-${nodeId}-${path.join('-')}`;

/**
 * An action's own fields, built from its module's config schema (`formOf`): no action needs
 * editor code. Top-level fields go in a section named after the action; each list is a section of
 * its own with an add button and a card per item.
 */
export function ActionConfigForm({ node, diagnostics, readOnly }: { node: ActionNode; diagnostics: Diagnostic[]; readOnly: boolean }) {
  const editor = useEditor();
  const module = actionModule(node.data.action.type);
  if (!module) return null;
  const fields = formOf(module.config);
  const config = node.data.action as Record<string, unknown>;
  const update: Update = (path, value, coalesce = true) =>
    editor.updateActionConfig(
      node.id,
      (action) => updateAt(action, path, value) as typeof action,
      coalesce === false ? null : `field:${node.id}:${typeof coalesce === 'string' ? coalesce : path.join('.')}`,
    );
  const scalars = fields.filter((f) => f.kind !== 'list');
  const lists = fields.filter((f): f is Extract<FormField, { kind: 'list' }> => f.kind === 'list');

  return (
    <>
      {scalars.length > 0 && (
        <Section title="Details">
          <FormFields fields={scalars} value={config} path={[]} node={node} diagnostics={diagnostics} readOnly={readOnly} update={update} />
        </Section>
      )}
      {lists.map((list) => (
        <ListField key={list.key} list={list} value={config} path={[]} node={node} diagnostics={diagnostics} readOnly={readOnly} update={update} />
      ))}
    </>
  );
}

/**
 * Changes the value at `path`. Typing in one field folds into one undo step: `coalesce` true folds
 * by `path`, a string by that key instead (a value inside a record field), false never folds.
 */
type Update = (path: readonly string[], value: (old: unknown) => unknown, coalesce?: boolean | string) => void;

interface FormProps {
  value: Record<string, unknown>;
  /** Where `value` sits in the config: `[]`, or `[listKey, itemId]`. */
  path: readonly string[];
  node: ActionNode;
  diagnostics: Diagnostic[];
  readOnly: boolean;
  update: Update;
}

function FormFields({ fields, ...props }: FormProps & { fields: readonly FormField[] }) {
  return (
    <>
      {fields.map((field) =>
        field.kind === 'list' ? (
          <ListField key={field.key} list={field} {...props} nested />
        ) : (
          <ScalarField key={field.key} field={field} {...props} />
        ),
      )}
    </>
  );
}

function ScalarField({ field, value, path, node, diagnostics, readOnly, update }: FormProps & { field: Exclude<FormField, { kind: 'list' }> }) {
  const fieldPath = [...path, field.key];
  const id = domId(node.id, fieldPath);
  const diagnosticPath = fieldPath.join('.');
  const current = typeof value[field.key] === 'string' ? (value[field.key] as string) : '';
  const set = (next: string) => update(fieldPath, () => next);
  const common = { id, diagnosticPath, diagnostics, readOnly };
  switch (field.kind) {
    case 'toggle':
      return <ToggleField {...common} field={field} checked={value[field.key] === true} onChange={(next) => update(fieldPath, () => next, false)} />;
    case 'workflow':
      return <WorkflowField {...common} field={field} stored={current} onChange={(next) => update(fieldPath, () => next, false)} />;
    case 'parameter':
      return (
        <ParameterField
          {...common}
          field={field}
          stored={current}
          workflowId={stringAt(value, field.workflowKey)}
          onChange={(next) => update(fieldPath, () => next, false)}
        />
      );
    case 'parameters':
      return (
        <ParameterValuesField
          {...common}
          nodeId={node.id}
          field={field}
          values={recordAt(value, field.key)}
          workflowId={stringAt(value, field.workflowKey)}
          excluded={field.excludeKey ? stringAt(value, field.excludeKey) : null}
          onChange={(parameterId, stored) =>
            update(fieldPath, (old) => withParameterValue(old, parameterId, stored), [...fieldPath, parameterId].join('.'))
          }
        />
      );
  }
  if (field.kind === 'template' || field.kind === 'expression') {
    return (
      <ExpressionField
        id={id}
        nodeId={node.id}
        label={field.label}
        kind={field.kind}
        stored={current}
        onChange={set}
        field={diagnosticPath}
        diagnostics={diagnostics}
        multiline={field.multiline}
        placeholder={field.placeholder}
        hint={field.hint}
        readOnly={readOnly}
      />
    );
  }
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        {field.label}
      </label>
      <input
        id={id}
        className={field.kind === 'text' && field.mono ? 'mono' : undefined}
        value={current}
        placeholder={field.placeholder}
        spellCheck={false}
        autoComplete="off"
        disabled={readOnly}
        aria-invalid={hasError(diagnostics, diagnosticPath) || undefined}
        onChange={(e) => set(e.target.value)}
      />
      <FieldDiagnostics diagnostics={diagnostics} field={diagnosticPath} />
      {field.hint && <div className="field-hint">{field.hint}</div>}
    </div>
  );
}

function ListField({ list, nested = false, ...props }: FormProps & { list: Extract<FormField, { kind: 'list' }>; nested?: boolean }) {
  const { value, path, node, diagnostics, readOnly, update } = props;
  const listPath = [...path, list.key];
  const items = (Array.isArray(value[list.key]) ? value[list.key] : []) as Record<string, unknown>[];
  const add = () => {
    const item = newItem(list.fields);
    update(listPath, (old) => [...(Array.isArray(old) ? old : []), item], false);
    const first = list.fields[0];
    if (first) requestAnimationFrame(() => document.getElementById(domId(node.id, [...listPath, String(item.id), first.key]))?.focus());
  };
  const remove = (itemId: unknown) => update(listPath, (old) => (Array.isArray(old) ? old.filter((i: { id?: unknown }) => i.id !== itemId) : old), false);
  const addButton = !readOnly && (
    <button type="button" className="btn btn-sm" onClick={add}>
      {list.addLabel}
    </button>
  );
  const body = (
    <>
      <FieldDiagnostics diagnostics={diagnostics} field={listPath.join('.')} />
      {items.length === 0 ? (
        <p className="muted small">{list.empty ?? 'None yet.'}</p>
      ) : (
        <ol className="rows">
          {items.map((item, index) => (
            <li key={String(item.id)} className="row-card">
              <div className="row-card-header">
                <span className="row-index">
                  {list.itemLabel} {index + 1}
                </span>
                {!readOnly && (
                  <button type="button" className="btn btn-ghost btn-xs btn-danger-text" onClick={() => remove(item.id)}>
                    Remove
                    <span className="visually-hidden">
                      {' '}
                      {list.itemLabel.toLowerCase()} {index + 1}
                    </span>
                  </button>
                )}
              </div>
              <FormFields {...props} fields={list.fields} value={item} path={[...listPath, String(item.id)]} />
            </li>
          ))}
        </ol>
      )}
    </>
  );
  if (nested) {
    return (
      <div className="field">
        <div className="field-label-row">
          <span className="field-label">{list.label}</span>
          {addButton}
        </div>
        {body}
        {list.hint && <div className="field-hint">{list.hint}</div>}
      </div>
    );
  }
  return (
    <Section title={list.label} actions={addButton} hint={list.hint}>
      {body}
    </Section>
  );
}

const stringAt = (config: Record<string, unknown>, key: string): string => (typeof config[key] === 'string' ? (config[key] as string) : '');

const recordAt = (config: Record<string, unknown>, key: string): Readonly<Record<string, string>> => {
  const value = config[key];
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, string>) : {};
};

interface ChoiceProps {
  id: string;
  diagnosticPath: string;
  diagnostics: Diagnostic[];
  readOnly: boolean;
}

/** A yes/no setting of an action: a checkbox with its label beside it and its hint under both. */
function ToggleField({
  id,
  field,
  checked,
  diagnosticPath,
  diagnostics,
  readOnly,
  onChange,
}: ChoiceProps & { field: Extract<FormField, { kind: 'toggle' }>; checked: boolean; onChange: (checked: boolean) => void }) {
  const hintId = `${id}-hint`;
  return (
    <div className="field toggle-field">
      <div className="toggle-row">
        <input
          id={id}
          type="checkbox"
          checked={checked}
          disabled={readOnly}
          aria-describedby={field.hint ? hintId : undefined}
          aria-invalid={hasError(diagnostics, diagnosticPath) || undefined}
          onChange={(e) => onChange(e.target.checked)}
        />
        <label htmlFor={id}>{field.label}</label>
      </div>
      <FieldDiagnostics diagnostics={diagnostics} field={diagnosticPath} />
      {field.hint && (
        <div className="field-hint" id={hintId}>
          {field.hint}
        </div>
      )}
    </div>
  );
}

/** The workflows the editor knows, from the catalog, with this one named as it is on screen. */
function useWorkflowChoices(): { choices: readonly WorkflowSummary[] | null; error: string | null } {
  const editor = useEditor();
  const workflows = useEditorState((s) => editor.workflows(s));
  const error = useEditorState((s) => s.catalogError);
  const choices = useMemo(() => (workflows ? [...workflows.values()].sort((a, b) => a.name.localeCompare(b.name)) : null), [workflows]);
  return { choices, error };
}

/**
 * A workflow chosen by stable id: a select of the catalog's workflows by name. A stored id the
 * catalog no longer has stays selected as "(deleted workflow)", and the compiler's error says so.
 */
function WorkflowField({
  id,
  field,
  stored,
  diagnosticPath,
  diagnostics,
  readOnly,
  onChange,
}: ChoiceProps & { field: Extract<FormField, { kind: 'workflow' }>; stored: string; onChange: (id: string) => void }) {
  const editor = useEditor();
  const { choices, error } = useWorkflowChoices();
  const hintId = `${id}-hint`;
  const known = choices?.some((w) => w.id === stored) ?? false;
  const loading = choices === null && error === null;
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        {field.label}
      </label>
      <select
        id={id}
        value={stored}
        disabled={readOnly || choices === null}
        aria-invalid={hasError(diagnostics, diagnosticPath) || undefined}
        aria-describedby={hintId}
        onChange={(e) => onChange(e.target.value)}
      >
        {field.optional ? (
          <option value="">— none —</option>
        ) : (
          stored === '' && (
            <option value="" disabled>
              {loading ? 'Loading workflows…' : 'Choose a workflow…'}
            </option>
          )
        )}
        {choices?.map((w) => (
          <option key={w.id} value={w.id}>
            {w.name}
            {w.id === editor.workflowId ? ' (this workflow)' : ''}
          </option>
        ))}
        {stored !== '' && !known && <option value={stored}>{choices ? DELETED_WORKFLOW : loading ? 'Loading workflows…' : stored}</option>}
      </select>
      <FieldDiagnostics diagnostics={diagnostics} field={diagnosticPath} />
      <div className="field-hint" id={hintId}>
        {error ? <span className="field-error">Could not load the list of workflows: {error}</span> : field.hint}
      </div>
    </div>
  );
}

/** The workflow chosen in a 'workflow' field, as the compiler sees it; null when none or unknown. */
function useTarget(workflowId: string): { target: WorkflowSummary | null; loaded: boolean } {
  const editor = useEditor();
  const workflows = useEditorState((s) => editor.workflows(s));
  return { target: (workflowId && workflows?.get(workflowId)) || null, loaded: workflows !== undefined };
}

/** One parameter (by id) of the workflow chosen in another field; disabled until there is one. */
function ParameterField({
  id,
  field,
  stored,
  workflowId,
  diagnosticPath,
  diagnostics,
  readOnly,
  onChange,
}: ChoiceProps & { field: Extract<FormField, { kind: 'parameter' }>; stored: string; workflowId: string; onChange: (id: string) => void }) {
  const { target } = useTarget(workflowId);
  const hintId = `${id}-hint`;
  const parameters = target?.parameters ?? [];
  const known = parameters.some((p) => p.id === stored);
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        {field.label}
      </label>
      <select
        id={id}
        value={target ? stored : ''}
        disabled={readOnly || !target}
        aria-invalid={hasError(diagnostics, diagnosticPath) || undefined}
        aria-describedby={hintId}
        onChange={(e) => onChange(e.target.value)}
      >
        {(!target || stored === '' || !known) && (
          <option value={target && stored !== '' && !known ? stored : ''} disabled>
            {!target ? 'Choose the workflow first' : stored !== '' && !known ? `(not a parameter of ${target.name})` : 'Choose a parameter…'}
          </option>
        )}
        {parameters.map((p) => (
          <option key={p.id} value={p.id}>
            {p.key.trim() || '(no key)'} · {describeParameter(p)}
          </option>
        ))}
      </select>
      <FieldDiagnostics diagnostics={diagnostics} field={diagnosticPath} />
      <div className="field-hint" id={hintId}>
        {target ? field.hint : `Choose the workflow first: this lists its parameters.`}
        {target && parameters.length === 0 && ` ${target.name} has no parameters: add one to it first.`}
      </div>
    </div>
  );
}

/**
 * A value (an expression) for each parameter of the workflow chosen in another field, stored by
 * parameter id: `{ <parameter id>: <stored expression> }`. Each is an ExpressionField (names shown,
 * ids stored, "Available here", its own diagnostics at `<key>.<parameter id>`). Values for ids the
 * target no longer has are kept, not shown (the compiler warns about them), so choosing another
 * workflow and back loses nothing.
 */
function ParameterValuesField({
  id,
  nodeId,
  field,
  values,
  workflowId,
  excluded,
  diagnosticPath,
  diagnostics,
  readOnly,
  onChange,
}: ChoiceProps & {
  nodeId: string;
  field: Extract<FormField, { kind: 'parameters' }>;
  values: Readonly<Record<string, string>>;
  workflowId: string;
  excluded: string | null;
  onChange: (parameterId: string, stored: string) => void;
}) {
  const { target, loaded } = useTarget(workflowId);
  const labelId = useId();
  const parameters = target?.parameters.filter((p) => p.id !== excluded) ?? [];
  let empty: string | null = null;
  if (!workflowId) empty = 'Choose the workflow first: a value for each of its parameters goes here.';
  else if (!loaded) empty = 'Loading the workflow’s parameters…';
  else if (!target) empty = 'Choose a workflow that exists to give its parameters.';
  else if (parameters.length === 0) empty = `${target.name} has no ${excluded && target.parameters.length > 0 ? 'other ' : ''}parameters.`;
  return (
    <div className="field" role="group" aria-labelledby={labelId}>
      <span className="field-label" id={labelId}>
        {field.label}
      </span>
      <FieldDiagnostics diagnostics={diagnostics} field={diagnosticPath} />
      {empty !== null ? (
        <p className="muted small param-values-empty">{empty}</p>
      ) : (
        <div className="param-values">
          {parameters.map((p) => (
            <ExpressionField
              key={p.id}
              id={`${id}-${p.id}`}
              nodeId={nodeId}
              label={
                <>
                  <span className="mono">{p.key.trim() || '(no key)'}</span>{' '}
                  <span className="field-label-note">
                    {describeParameter(p, false)}
                    {p.optional ? '' : ' · required'}
                  </span>
                </>
              }
              kind="expression"
              stored={values[p.id] ?? ''}
              onChange={(stored) => onChange(p.id, stored)}
              field={`${diagnosticPath}.${p.id}`}
              diagnostics={diagnostics}
              placeholder={p.optional ? 'Empty: leave it out' : undefined}
              readOnly={readOnly}
            />
          ))}
        </div>
      )}
      {field.hint && <div className="field-hint">{field.hint}</div>}
    </div>
  );
}
