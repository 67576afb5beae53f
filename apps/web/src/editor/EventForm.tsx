import {
  type ApiEventNode,
  type Diagnostic,
  type ObjectField,
  type Parameter,
  type ParameterType,
  type RecurringEventNode,
  RetryPolicy,
  WorkflowSettings,
  isValidTimeZone,
} from '@switchyard/workflow';
import { useId, useState } from 'react';
import { toast } from '../components/toast.tsx';
import { useEditor, useEditorState } from './context.ts';
import { DetectDataDialog } from './DetectDataDialog.tsx';
import { PARAMETER_TYPE_OPTIONS, describeParameter } from './describe.ts';
import { ExpressionField, FieldDiagnostics, Section, hasError, useNodeDiagnostics } from './fields.tsx';
import { EndpointSection } from './EndpointSection.tsx';
import { TestResultSection } from './TestResultSection.tsx';

const focusSoon = (id: string) => requestAnimationFrame(() => document.getElementById(id)?.focus());

/** The event's side panel: parameters, its "Only when" condition and how runs are carried out. */
export function EventForm({ node, readOnly }: { node: ApiEventNode; readOnly: boolean }) {
  const editor = useEditor();
  const diagnostics = useNodeDiagnostics(node.id);
  const parameters = node.data.parameters;

  const addParameter = () => {
    const id = editor.addParameter();
    if (id) focusSoon(`param-key-${id}`);
  };
  const name = useEditorState((s) => s.workflowName);
  const [detecting, setDetecting] = useState(false);
  const acceptDetected = (detected: Parameter[]) => {
    const added = editor.addParameters(detected);
    toast.success(added === 1 ? 'Added 1 parameter' : `Added ${added} parameters`);
  };

  return (
    <>
      <div className="inspector-header">
        <div className="inspector-kind">API workflow</div>
        <h2>Event</h2>
        <p className="muted small">Runs when the endpoint is called. Parameters are read from the JSON or form body, or the query string.</p>
      </div>
      <FieldDiagnostics diagnostics={diagnostics} field={null} />
      {node.data.typing === 'lenient' && (
        <div className="lenient-note" role="note">
          <p>
            Made before expressions were typed: a type mistake (text where a number is needed) shows only when a run fails, as it did
            then.
          </p>
          {!readOnly && (
            <button
              type="button"
              className="btn btn-sm"
              onClick={() => editor.updateEvent(node.id, ({ typing: _lenient, ...data }) => data)}
            >
              Check types
            </button>
          )}
        </div>
      )}
      <TestResultSection nodeId={node.id} />
      <Section
        title="Parameters"
        actions={
          !readOnly && (
            <div className="section-actions">
              {editor.workflowId && (
                <button type="button" className="btn btn-sm btn-ghost" onClick={() => setDetecting(true)}>
                  Detect data
                </button>
              )}
              <button type="button" className="btn btn-sm" onClick={addParameter}>
                Add parameter
              </button>
            </div>
          )
        }
      >
        {detecting && editor.workflowId && (
          <DetectDataDialog
            workflowId={editor.workflowId}
            name={name}
            method={node.data.endpoint?.method ?? 'POST'}
            needsToken={(node.data.endpoint?.auth ?? 'none') === 'admin_token'}
            takenKeys={parameters.map((p) => p.key.trim())}
            onAccept={acceptDetected}
            onClose={() => setDetecting(false)}
          />
        )}
        {parameters.length === 0 ? (
          <p className="muted small">No parameters. Add one for each value callers send.</p>
        ) : (
          <ol className="rows">
            {parameters.map((param, index) => (
              <ParameterRow
                key={param.id}
                param={param}
                index={index}
                diagnostics={diagnostics}
                readOnly={readOnly}
                fromQueryShown={(node.data.endpoint?.method ?? 'POST') === 'POST'}
              />
            ))}
          </ol>
        )}
      </Section>
      <EndpointSection node={node} readOnly={readOnly} />
      <Section title="Condition">
        <ExpressionField
          id={`only-when-${node.id}`}
          nodeId={node.id}
          label="Only when"
          kind="expression"
          stored={node.data.onlyWhen ?? ''}
          onChange={(stored) => editor.setOnlyWhen(node.id, stored)}
          field="onlyWhen"
          diagnostics={diagnostics}
          placeholder="e.g. amount > 0"
          hint="When false, the run is recorded as skipped and the caller gets 400 (200 when the Endpoint section says so). Empty: always runs."
          readOnly={readOnly}
        />
      </Section>
      <RunSettings node={node} diagnostics={diagnostics} readOnly={readOnly} />
    </>
  );
}

function ParameterRow({
  param,
  index,
  diagnostics,
  readOnly,
  fromQueryShown,
}: {
  param: Parameter;
  index: number;
  diagnostics: Diagnostic[];
  readOnly: boolean;
  /** A POST endpoint: a parameter may still be read from the query string (GET reads them all there). */
  fromQueryShown: boolean;
}) {
  const editor = useEditor();
  const keyField = `parameters.${param.id}.key`;
  const keyId = `param-key-${param.id}`;
  const update = (patch: Partial<Omit<Parameter, 'id'>>) => editor.updateParameter(param.id, patch);
  const addField = () => {
    const id = editor.addField(param.id);
    if (id) focusSoon(`field-key-${param.id}-${id}`);
  };
  return (
    <li className="row-card">
      <div className="row-card-header">
        <span className="row-index">
          Parameter {index + 1}
          <span className="row-index-note"> · {describeParameter(param, false)}</span>
        </span>
        {!readOnly && (
          <button type="button" className="btn btn-ghost btn-xs btn-danger-text" onClick={() => editor.removeParameter(param.id)}>
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
          onChange={(e) => update({ key: e.target.value })}
        />
        <FieldDiagnostics diagnostics={diagnostics} field={keyField} />
      </div>
      <div className="row-inline">
        <div className="field field-grow">
          <label className="field-label" htmlFor={`param-type-${param.id}`}>
            Type
          </label>
          <TypeSelect id={`param-type-${param.id}`} value={param.type} disabled={readOnly} onChange={(type) => update({ type })} />
        </div>
        <Checkbox id={`param-list-${param.id}`} label="List" checked={param.list} disabled={readOnly} onChange={(list) => update({ list })} />
        <Checkbox
          id={`param-optional-${param.id}`}
          label="Optional"
          checked={param.optional}
          disabled={readOnly}
          onChange={(optional) => update({ optional })}
        />
      </div>
      {fromQueryShown && (
        <Checkbox
          id={`param-query-${param.id}`}
          label="From the query string (not the body)"
          checked={param.fromQuery ?? false}
          disabled={readOnly}
          onChange={(fromQuery) => update(fromQuery ? { fromQuery } : { fromQuery: undefined })}
        />
      )}
      {param.type === 'object' && (
        <div className="object-fields">
          <div className="object-fields-header">
            <span className="field-label">Fields</span>
            {!readOnly && (
              <button type="button" className="btn btn-ghost btn-xs" onClick={addField}>
                Add field<span className="visually-hidden"> to {param.key || `parameter ${index + 1}`}</span>
              </button>
            )}
          </div>
          {(param.fields ?? []).length === 0 ? (
            <p className="muted small">
              No declared fields: any JSON object is accepted and its fields are read as any value. Declare the fields you use to get
              their types checked.
            </p>
          ) : (
            <>
              <div className="object-field-row object-field-columns" aria-hidden="true">
                <span>Field</span>
                <span>Type</span>
                <span>List</span>
                <span>Optional</span>
                <span />
              </div>
              <ul className="object-field-list">
                {(param.fields ?? []).map((field, fieldIndex) => (
                  <FieldRow key={field.id} param={param} field={field} index={fieldIndex} diagnostics={diagnostics} readOnly={readOnly} />
                ))}
              </ul>
            </>
          )}
        </div>
      )}
    </li>
  );
}

function FieldRow({ param, field, index, diagnostics, readOnly }: { param: Parameter; field: ObjectField; index: number; diagnostics: Diagnostic[]; readOnly: boolean }) {
  const editor = useEditor();
  const path = `parameters.${param.id}.fields.${field.id}.key`;
  const base = `${param.id}-${field.id}`;
  const update = (patch: Partial<Omit<ObjectField, 'id'>>) => editor.updateField(param.id, field.id, patch);
  const name = field.key.trim() || `field ${index + 1}`;
  return (
    <li className="object-field">
      <div className="object-field-row">
        <input
          id={`field-key-${base}`}
          className="mono"
          aria-label={`Name of field ${index + 1}`}
          value={field.key}
          placeholder="field"
          spellCheck={false}
          autoComplete="off"
          disabled={readOnly}
          aria-invalid={hasError(diagnostics, path) || undefined}
          onChange={(e) => update({ key: e.target.value })}
        />
        <select
          aria-label={`Type of ${name}`}
          value={field.type}
          disabled={readOnly}
          onChange={(e) => update({ type: e.target.value as ParameterType })}
        >
          {PARAMETER_TYPE_OPTIONS.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
        <input type="checkbox" aria-label={`${name} is a list`} checked={field.list} disabled={readOnly} onChange={(e) => update({ list: e.target.checked })} />
        <input
          type="checkbox"
          aria-label={`${name} is optional`}
          checked={field.optional}
          disabled={readOnly}
          onChange={(e) => update({ optional: e.target.checked })}
        />
        {!readOnly ? (
          <button
            type="button"
            className="btn btn-ghost btn-xs btn-icon-xs btn-danger-text"
            onClick={() => editor.removeField(param.id, field.id)}
            title="Remove this field"
            aria-label={`Remove field ${name}`}
          >
            ×
          </button>
        ) : (
          <span />
        )}
      </div>
      <FieldDiagnostics diagnostics={diagnostics} field={path} />
    </li>
  );
}

function TypeSelect({ id, value, disabled, onChange }: { id: string; value: ParameterType; disabled: boolean; onChange: (type: ParameterType) => void }) {
  return (
    <select id={id} value={value} disabled={disabled} onChange={(e) => onChange(e.target.value as ParameterType)}>
      {PARAMETER_TYPE_OPTIONS.map((option) => (
        <option key={option.value} value={option.value}>
          {option.label}
        </option>
      ))}
    </select>
  );
}

function Checkbox({
  id,
  label,
  checked,
  disabled,
  onChange,
}: {
  id: string;
  label: string;
  checked: boolean;
  disabled: boolean;
  onChange: (checked: boolean) => void;
}) {
  return (
    <div className="checkbox-field">
      <input id={id} type="checkbox" checked={checked} disabled={disabled} onChange={(e) => onChange(e.target.checked)} />
      <label htmlFor={id}>{label}</label>
    </div>
  );
}

const RETRY = RetryPolicy.shape;
const SETTINGS = WorkflowSettings.shape;

/** Bounds of a number setting, read from the kernel's schema so the two never disagree. */
function bounds(schema: unknown): { min: number; max: number } {
  type Node = { _zod: { def: { innerType?: Node } }; minValue?: number | null; maxValue?: number | null };
  let current = schema as Node;
  // Through .default() and .nullable() to the number.
  for (let i = 0; i < 5 && current._zod.def.innerType; i++) current = current._zod.def.innerType;
  return { min: current.minValue ?? 0, max: current.maxValue ?? Number.MAX_SAFE_INTEGER };
}

/**
 * Per-workflow run settings: response mode, retries, timeout, concurrency, the time zone of dates;
 * one line of help each. A recurring event has no caller, so no response mode; its form names the
 * time zone "Time zone for dates", its schedule having a time zone of its own.
 */
export function RunSettings({
  node,
  diagnostics,
  readOnly,
  timeZoneLabel = 'Time zone',
}: {
  node: ApiEventNode | RecurringEventNode;
  diagnostics: Diagnostic[];
  readOnly: boolean;
  timeZoneLabel?: string;
}) {
  const editor = useEditor();
  const settings = node.data.settings;
  const modeName = useId();
  const set = (update: (s: typeof settings) => typeof settings, key: string | null = null) => editor.updateSettings(update, key);
  return (
    <Section title="Run settings">
      {/* A recurring event has no caller to answer. */}
      {node.type === 'apiEvent' && (
        <fieldset className="radio-group" disabled={readOnly}>
          <legend className="field-label">Response</legend>
          <label className="radio">
            <input
              type="radio"
              name={modeName}
              checked={settings.mode === 'sync'}
              onChange={() => set((s) => ({ ...s, mode: 'sync' }))}
            />
            <span>
              Wait for the result
              <span className="radio-hint">The caller gets what the workflow returns.</span>
            </span>
          </label>
          <label className="radio">
            <input
              type="radio"
              name={modeName}
              checked={settings.mode === 'async'}
              onChange={() => set((s) => ({ ...s, mode: 'async' }))}
            />
            <span>
              Respond at once
              <span className="radio-hint">202 with the run id as soon as the run is queued; it runs in the background.</span>
            </span>
          </label>
        </fieldset>
      )}
      <div className="settings-grid">
        <NumberSetting
          label="Attempts"
          hint="In all, the first included; 1 never retries."
          value={settings.retry.maxAttempts}
          {...bounds(RETRY.maxAttempts)}
          readOnly={readOnly}
          onChange={(maxAttempts) => set((s) => ({ ...s, retry: { ...s.retry, maxAttempts } }), 'settings:attempts')}
        />
        <NumberSetting
          label="First retry after"
          unit="s"
          scale={1000}
          hint="Each later retry waits twice as long."
          value={settings.retry.initialDelayMs}
          {...bounds(RETRY.initialDelayMs)}
          readOnly={readOnly}
          onChange={(initialDelayMs) => set((s) => ({ ...s, retry: { ...s.retry, initialDelayMs } }), 'settings:initialDelay')}
        />
        <NumberSetting
          label="Longest wait"
          unit="s"
          scale={1000}
          hint="No retry waits longer than this."
          value={settings.retry.maxDelayMs}
          {...bounds(RETRY.maxDelayMs)}
          readOnly={readOnly}
          onChange={(maxDelayMs) => set((s) => ({ ...s, retry: { ...s.retry, maxDelayMs } }), 'settings:maxDelay')}
        />
        <NumberSetting
          label="Timeout"
          unit="s"
          hint="A run still going after this fails."
          value={settings.timeoutSeconds}
          {...bounds(SETTINGS.timeoutSeconds)}
          readOnly={readOnly}
          onChange={(timeoutSeconds) => set((s) => ({ ...s, timeoutSeconds }), 'settings:timeout')}
        />
        <NumberSetting
          label="At most at once"
          hint="Runs over the limit wait in order. Empty: no limit."
          value={settings.concurrency}
          {...bounds(SETTINGS.concurrency)}
          optional
          placeholder="No limit"
          readOnly={readOnly}
          onChange={(concurrency) => set((s) => ({ ...s, concurrency }), 'settings:concurrency')}
        />
      </div>
      <TimeZoneSetting
        label={timeZoneLabel}
        value={settings.timeZone ?? null}
        diagnostics={diagnostics}
        readOnly={readOnly}
        onChange={(timeZone) => set((s) => ({ ...s, timeZone }))}
      />
    </Section>
  );
}

let zoneGroups: { region: string; zones: string[] }[] | null = null;

/** The IANA zones this browser knows, by region ("Europe": Europe/Paris, Europe/Rome...), UTC first. */
export function timeZoneGroups(): { region: string; zones: string[] }[] {
  if (zoneGroups) return zoneGroups;
  let zones: string[] = [];
  try {
    zones = Intl.supportedValuesOf('timeZone');
  } catch {
    // An old browser: the select still offers the default, UTC and the stored zone.
  }
  const groups = new Map<string, string[]>([['UTC', ['UTC']]]);
  for (const zone of zones) {
    if (zone === 'UTC') continue;
    const region = zone.includes('/') ? zone.slice(0, zone.indexOf('/')) : 'Other';
    groups.set(region, [...(groups.get(region) ?? []), zone]);
  }
  zoneGroups = [...groups].map(([region, list]) => ({ region, zones: list }));
  return zoneGroups;
}

/**
 * The workflow's time zone: the zone date functions in its expressions work in. "Instance default"
 * (null) is the server's zone. A stored zone this browser does not list stays selectable, and the
 * compiler says when it is not a zone at all. Each change is one undo step.
 */
function TimeZoneSetting({
  label,
  value,
  diagnostics,
  readOnly,
  onChange,
}: {
  label: string;
  value: string | null;
  diagnostics: Diagnostic[];
  readOnly: boolean;
  onChange: (timeZone: string | null) => void;
}) {
  const id = useId();
  const groups = timeZoneGroups();
  const listed = value === null || groups.some((g) => g.zones.includes(value));
  const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const field = 'settings.timeZone';
  return (
    <div className="field time-zone-setting">
      <div className="field-label-row">
        <label className="field-label" htmlFor={id}>
          {label}
        </label>
        {!readOnly && browserZone && value !== browserZone && isValidTimeZone(browserZone) && (
          <button type="button" className="btn btn-ghost btn-xs" onClick={() => onChange(browserZone)}>
            Use {browserZone}
          </button>
        )}
      </div>
      <select
        id={id}
        value={value ?? ''}
        disabled={readOnly}
        aria-invalid={hasError(diagnostics, field) || undefined}
        aria-describedby={`${id}-hint`}
        onChange={(e) => onChange(e.target.value === '' ? null : e.target.value)}
      >
        <option value="">Instance default</option>
        {!listed && value !== null && <option value={value}>{isValidTimeZone(value) ? value : `${value} (unknown)`}</option>}
        {groups.map((group) => (
          <optgroup key={group.region} label={group.region}>
            {group.zones.map((zone) => (
              <option key={zone} value={zone}>
                {zone}
              </option>
            ))}
          </optgroup>
        ))}
      </select>
      <FieldDiagnostics diagnostics={diagnostics} field={field} />
      <div className="field-hint" id={`${id}-hint`}>
        Dates in expressions use it: <code>addDays</code>, <code>startOfDay</code>, <code>formatDate</code>… Instance default: the
        server&rsquo;s zone (UTC unless its <code>TIME_ZONE</code> says otherwise).
      </div>
    </div>
  );
}

/**
 * A whole-number setting. What is typed shows as typed; it is stored only when it is a number in
 * range (an out-of-range value says so under the field and changes nothing). `scale` shows a value
 * stored in milliseconds as seconds.
 */
function NumberSetting<Optional extends boolean = false>({
  label,
  hint,
  value,
  min,
  max,
  unit,
  scale = 1,
  optional,
  placeholder,
  readOnly,
  onChange,
}: {
  label: string;
  hint: string;
  value: Optional extends true ? number | null : number;
  min: number;
  max: number;
  unit?: string;
  scale?: number;
  optional?: Optional;
  placeholder?: string;
  readOnly: boolean;
  onChange: (value: Optional extends true ? number | null : number) => void;
}) {
  const id = useId();
  const shown = (v: number | null) => (v === null ? '' : String(v / scale));
  const [text, setText] = useState(() => shown(value));
  const [error, setError] = useState<string | null>(null);
  // Undo, redo or another edit changed the value: show it (adjusting state while rendering, as
  // React recommends over an effect). What is being typed stays as typed when it means the value.
  const [shownValue, setShownValue] = useState(value);
  if (shownValue !== value) {
    setShownValue(value);
    if (!(text.trim() !== '' && Math.round(Number(text) * scale) === value)) setText(shown(value));
    setError(null);
  }

  const onText = (next: string) => {
    setText(next);
    const trimmed = next.trim();
    if (trimmed === '' && optional) {
      setError(null);
      onChange(null as Parameters<typeof onChange>[0]);
      return;
    }
    const number = Number(trimmed) * scale;
    const range = `${min / scale}${unit ? ` ${unit}` : ''} to ${max / scale}${unit ? ` ${unit}` : ''}`;
    if (trimmed === '' || !Number.isFinite(number) || !Number.isInteger(Math.round(number * 1000) / 1000)) {
      setError(`A whole number from ${range}`);
    } else if (number < min || number > max) {
      setError(`From ${range}`);
    } else {
      setError(null);
      onChange(Math.round(number) as Parameters<typeof onChange>[0]);
    }
  };

  return (
    <div className="setting">
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      <div className="input-with-unit">
        <input
          id={id}
          type="number"
          inputMode="decimal"
          min={min / scale}
          max={max / scale}
          step={scale === 1 ? 1 : 'any'}
          value={text}
          placeholder={placeholder}
          disabled={readOnly}
          aria-invalid={error ? true : undefined}
          onChange={(e) => onText(e.target.value)}
          onBlur={() => {
            if (error) {
              setText(shown(value));
              setError(null);
            }
          }}
        />
        {unit && <span className="unit">{unit}</span>}
      </div>
      {error ? (
        <div className="field-error" role="alert">
          {error}
        </div>
      ) : (
        <div className="field-hint">{hint}</div>
      )}
    </div>
  );
}
