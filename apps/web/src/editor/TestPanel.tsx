import type { ApiEventNode, Parameter } from '@switchyard/workflow';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import { Link } from 'react-router';
import { errorMessage, useTRPC, useTRPCClient } from '../api/trpc.ts';
import { Alert, Badge, JsonBlock } from '../components/ui.tsx';
import { formatDuration } from '../lib/format.ts';
import { useNow } from '../lib/useNow.ts';
import { useEditor, useEditorState } from './context.ts';
import { describeParameter } from './describe.ts';
import type { EditorModel } from './model.ts';
import {
  RUN_STATUS_LABELS,
  type ScheduledTest,
  type TestCall,
  browserTimeZone,
  instantOfLocal,
  isFinal,
  localInputValue,
  pendingRun,
  runIdOf,
  runView,
} from './testRun.ts';

/** How often a run that is not final yet is read again. */
const POLL_MS = 500;

/** The run a test call created, read again until it is final (shared by the panel and the canvas). */
export function useRunQuery(runId: string | null) {
  const trpc = useTRPC();
  return useQuery(
    trpc.run.byId.queryOptions(
      { id: runId ?? '' },
      {
        enabled: runId !== null,
        staleTime: 0,
        refetchInterval: (query) => (query.state.data && isFinal(query.state.data.status) ? false : POLL_MS),
      },
    ),
  );
}

/** Keeps the canvas's test run results up to date while the run goes on (mounted once per editor). */
export function TestRunTracker() {
  const editor = useEditor();
  const runId = useEditorState((s) => s.testRun?.runId ?? null);
  const run = useRunQuery(runId);
  useEffect(() => {
    const data = run.data;
    const current = editor.state.testRun;
    // Cleared, or replaced by another call's run, since this was asked for: leave it.
    if (!data || !current || current.runId !== data.id) return;
    editor.setTestRun(runView(data, current));
  }, [editor, run.data]);
  return null;
}

/** Values typed in the test form, per editor, so they survive switching tabs. */
const typedValues = new WeakMap<EditorModel, Record<string, string>>();

/** "Run now" or "Run later" and the date-time typed for later, per editor, kept the same way. */
interface When {
  later: boolean;
  /** A `datetime-local` value: wall time in the browser's zone. */
  at: string;
}
const chosenWhen = new WeakMap<EditorModel, When>();

/** An hour from now, to the minute: where "Run later" starts. */
const inAnHour = () => localInputValue(new Date(Date.now() + 3_600_000));

const LIST_EXAMPLES = { text: '"a", "b"', number: '1, 2', boolean: 'true, false', date: '"2026-01-31T09:00:00Z"' } as const;

function example(p: Parameter): string {
  const one =
    p.type === 'object'
      ? `{${(p.fields ?? [])
          .slice(0, 3)
          .map((f) => `"${f.key || 'field'}": ${f.list ? '[]' : f.type === 'text' ? '""' : f.type === 'number' ? '0' : f.type === 'boolean' ? 'true' : f.type === 'date' ? '"2026-01-31"' : '{}'}`)
          .join(', ')}}`
      : null;
  if (!p.list) return one ?? '';
  return one ? `[${one}]` : `[${LIST_EXAMPLES[p.type as keyof typeof LIST_EXAMPLES]}]`;
}

const needsJson = (p: Parameter) => p.list || p.type === 'object';

/** Reads one typed value as its parameter's JSON; a message when it cannot be. */
function readValue(p: Parameter, raw: string): { value: unknown } | { error: string } {
  switch (needsJson(p) ? 'json' : p.type) {
    case 'json': {
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch {
        return { error: `Not valid JSON, e.g. ${example(p)}` };
      }
      if (p.list && !Array.isArray(value)) return { error: 'A list is needed: [ … ]' };
      if (!p.list && (typeof value !== 'object' || value === null || Array.isArray(value))) return { error: 'An object is needed: { … }' };
      return { value };
    }
    case 'number': {
      const n = Number(raw);
      return Number.isFinite(n) ? { value: n } : { value: raw };
    }
    case 'boolean':
      return { value: raw === 'true' };
    case 'date': {
      const d = new Date(raw);
      return { value: Number.isNaN(d.getTime()) ? raw : d.toISOString() };
    }
    default:
      return { value: raw };
  }
}

/** The JSON body from the form: empty fields are left out, values get their parameter's type. */
function requestBody(parameters: Parameter[], values: Record<string, string>) {
  const body: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const p of parameters) {
    const key = p.key.trim();
    const raw = values[p.id] ?? '';
    if (!key || raw.trim() === '') continue;
    const read = readValue(p, raw);
    if ('error' in read) errors[p.id] = read.error;
    else body[key] = read.value;
  }
  return { body, errors };
}

/** A GET endpoint's parameters, as text the server converts by type; a list repeats its key. */
function queryString(body: Record<string, unknown>): string {
  const pairs = Object.entries(body).flatMap(([key, value]) => (Array.isArray(value) ? value : [value]).map((item) => [key, queryText(item)]));
  return new URLSearchParams(pairs).toString();
}

function queryText(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

export function TestPanel({ flush }: { flush: () => Promise<boolean> }) {
  const editor = useEditor();
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const name = useEditorState((s) => s.workflowName);
  const readOnly = useEditorState((s) => s.readOnly);
  const parameters = useEditorState((s) => s.nodes.find((n): n is ApiEventNode => n.type === 'apiEvent')?.data.parameters) ?? [];
  const mode = useEditorState((s) => s.nodes.find((n): n is ApiEventNode => n.type === 'apiEvent')?.data.settings.mode);
  const method = useEditorState((s) => s.nodes.find((n): n is ApiEventNode => n.type === 'apiEvent')?.data.endpoint?.method ?? 'POST');
  const signed = useEditorState((s) => Boolean(s.nodes.find((n): n is ApiEventNode => n.type === 'apiEvent')?.data.endpoint?.signature));
  const errorCount = useEditorState((s) => editor.diagnostics(s).errorCount);
  const result = useEditorState((s) => s.testCall);
  const scheduled = useEditorState((s) => s.scheduledTest);
  const [values, setValuesState] = useState<Record<string, string>>(() => typedValues.get(editor) ?? {});
  const [when, setWhenState] = useState<When>(() => chosenWhen.get(editor) ?? { later: false, at: '' });
  const setWhen = (next: When) => {
    chosenWhen.set(editor, next);
    setWhenState(next);
  };
  const [running, setRunning] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const setValues = (next: Record<string, string>) => {
    typedValues.set(editor, next);
    setValuesState(next);
  };

  const { body, errors } = requestBody(parameters, values);
  const invalid = Object.keys(errors).length > 0;
  const url = `/version-test/api/1.1/wf/${name}`;
  // Viewers may call the draft endpoint but not schedule (builders and admins do).
  const later = when.later && !readOnly;
  const runAt = later ? instantOfLocal(when.at) : null;

  /** Starts a call or a schedule: the previous result goes, and the draft is saved first (false: it could not be). */
  const begin = async (what: string): Promise<boolean> => {
    setRunning(true);
    setFailure(null);
    editor.setTestCall(null);
    editor.setScheduledTest(null);
    const saved = readOnly || (await flush().catch(() => false));
    if (!saved) {
      setFailure(`The workflow could not be saved, so ${what}.`);
      setRunning(false);
    }
    return saved;
  };

  /** "Run later": a run of the saved draft due at the chosen time, with these parameters. */
  const schedule = async (at: Date) => {
    if (!(await begin('the scheduled run would use an older version'))) return;
    try {
      const { runId } = await client.scheduler.schedule.mutate({
        environment: 'draft',
        workflowId: editor.workflowId ?? '',
        runAt: at,
        parameters: body,
      });
      editor.setScheduledTest({ runId, runAt: at });
      void queryClient.invalidateQueries({ queryKey: trpc.scheduler.pathKey() });
      void queryClient.invalidateQueries({ queryKey: trpc.run.pathKey() });
    } catch (error) {
      setFailure(errorMessage(error));
    } finally {
      setRunning(false);
    }
  };

  const run = async () => {
    if (!(await begin('the draft endpoint would run an older version'))) return;
    try {
      const started = performance.now();
      // "test": the run is recorded as a test run of the draft; with the session, a token-guarded draft runs too.
      const sent = method === 'GET' ? '' : JSON.stringify(body);
      // A signed endpoint: the server signs these exact bytes with the endpoint's secret (never sent here).
      const signature = signed ? (await client.workflow.signTest.mutate({ id: editor.workflowId ?? '', body: sent })).headers : {};
      const headers = { 'x-switchyard-trigger': 'test', ...signature };
      const response =
        method === 'GET'
          ? await fetch(`${url}?${queryString(body)}`, { headers, credentials: 'include' })
          : await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: sent, credentials: 'include' });
      const durationMs = performance.now() - started;
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: show the text
      }
      // Only the run this call created: never "the latest run", which may be someone else's.
      const runId = runIdOf(response.headers.get('x-switchyard-run-id'), parsed);
      const call: TestCall = { httpStatus: response.status, body: parsed, durationMs, runId };
      editor.setTestCall(call);
      editor.setTestRun(runId ? pendingRun(runId) : null);
      void queryClient.invalidateQueries({ queryKey: trpc.run.pathKey() });
    } catch (error) {
      setFailure(error instanceof Error ? error.message : 'The request failed');
    } finally {
      setRunning(false);
    }
  };

  return (
    <div className="inspector test-panel" data-no-graph-undo>
      <div className="inspector-header">
        <div className="inspector-kind">Test</div>
        <h2>Run the draft</h2>
        {later ? (
          <p className="muted small">Saves, then schedules a run of the saved draft with these parameters, due at the time you choose.</p>
        ) : (
          <p className="muted small">
            Saves, then calls <code>POST {url}</code> with these parameters.
            {mode === 'async' && ' This workflow responds at once: the answer is 202 and the run goes on in the background.'}
          </p>
        )}
      </div>
      <form
        className="inspector-section"
        onSubmit={(event) => {
          event.preventDefault();
          if (!later) void run();
          else if (runAt) void schedule(runAt);
        }}
      >
        {parameters.length === 0 && <p className="muted small">This workflow has no parameters.</p>}
        {parameters.map((p) => (
          <TestInput
            key={p.id}
            parameter={p}
            value={values[p.id] ?? ''}
            error={errors[p.id]}
            onChange={(v) => setValues({ ...values, [p.id]: v })}
          />
        ))}
        <details className="request-body">
          <summary>Request body</summary>
          <JsonBlock value={body} />
        </details>
        {errorCount > 0 && (
          <p className="note note-warning">The workflow has errors; the draft endpoint will refuse to run it until they are fixed.</p>
        )}
        {!readOnly && <WhenChoice when={when} runAt={runAt} onChange={setWhen} />}
        <button type="submit" className="btn btn-primary btn-block" disabled={running || invalid || (later && !runAt)}>
          {later ? (running ? 'Scheduling…' : 'Schedule run') : running ? 'Running…' : 'Run draft'}
        </button>
      </form>
      {failure && <Failure message={failure} />}
      {result && <TestCallResult call={result} />}
      {scheduled && <ScheduledResult scheduled={scheduled} />}
    </div>
  );
}

/** "25 Nov 2026, 13:39" in the browser's locale, in its zone or the one given. */
function formatAt(date: Date, timeZone?: string): string {
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short', ...(timeZone && { timeZone }) }).format(date);
}

/** "Run now" (the draft endpoint, at once) or "Run later" (a scheduled run at a local date-time). */
function WhenChoice({ when, runAt, onChange }: { when: When; runAt: Date | null; onChange: (when: When) => void }) {
  const name = useId();
  const atId = useId();
  const zone = browserTimeZone();
  const now = useNow(10_000);
  const past = runAt !== null && runAt.getTime() <= now;
  return (
    <fieldset className="radio-group when-choice">
      <legend className="field-label">When</legend>
      <label className="radio">
        <input type="radio" name={name} checked={!when.later} onChange={() => onChange({ ...when, later: false })} />
        <span>
          Run now
          <span className="radio-hint">Calls the test endpoint and shows the result here and on the canvas.</span>
        </span>
      </label>
      <label className="radio">
        <input type="radio" name={name} checked={when.later} onChange={() => onChange({ later: true, at: when.at || inAnHour() })} />
        <span>
          Run later
          <span className="radio-hint">Schedules a run of the saved draft; it shows in the Scheduler until it starts.</span>
        </span>
      </label>
      {when.later && (
        <div className="field when-at">
          <label className="field-label" htmlFor={atId}>
            Run at <span className="field-label-note">{zone} time</span>
          </label>
          <input
            id={atId}
            type="datetime-local"
            value={when.at}
            aria-invalid={runAt ? undefined : true}
            aria-describedby={`${atId}-hint`}
            onChange={(e) => onChange({ ...when, at: e.target.value })}
          />
          <div className={runAt ? 'field-hint' : 'field-error'} id={`${atId}-hint`} role={runAt ? undefined : 'alert'}>
            {!runAt ? 'Choose the date and time it runs.' : past ? 'This time has passed: the run starts at once.' : `${formatAt(runAt, 'UTC')} UTC`}
          </div>
        </div>
      )}
    </fieldset>
  );
}

/** Why the call or the schedule did not happen, brought into view under the (maybe long) form. */
function Failure({ message }: { message: string }) {
  const section = useRef<HTMLDivElement>(null);
  useEffect(() => {
    section.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }, [message]);
  return (
    <div className="inspector-section" ref={section}>
      <Alert>{message}</Alert>
    </div>
  );
}

/** What "Run later" made: when, the run's id, where to follow it. */
function ScheduledResult({ scheduled }: { scheduled: ScheduledTest }) {
  const section = useRef<HTMLElement>(null);
  useEffect(() => {
    section.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }, [scheduled]);
  return (
    <section className="inspector-section" aria-label="Scheduled run" ref={section}>
      <div className="test-result-header">
        <Badge tone="info">Scheduled</Badge>
        <Link to={`/runs/${scheduled.runId}`} className="test-run-link">
          View run →
        </Link>
      </div>
      <p className="scheduled-line" role="status">
        Scheduled for <strong>{formatAt(scheduled.runAt)}</strong> <span className="muted">({browserTimeZone()})</span> · run{' '}
        <code className="scheduled-id">{scheduled.runId}</code>
      </p>
      <p className="muted small">
        It runs the draft as saved now, whatever changes after. <Link to="/scheduler">Open the Scheduler</Link> to see or cancel it.
      </p>
    </section>
  );
}

function TestInput({ parameter: p, value, error, onChange }: { parameter: Parameter; value: string; error: string | undefined; onChange: (value: string) => void }) {
  const id = `test-${p.id}`;
  const key = p.key.trim();
  const errorId = `${id}-error`;
  const common = { id, value, disabled: !key, 'aria-invalid': error ? true : undefined, 'aria-describedby': error ? errorId : undefined };
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        {key || '(parameter without a key)'} <span className="field-label-note">{describeParameter(p)}</span>
      </label>
      {needsJson(p) ? (
        <textarea {...common} className="mono" rows={3} spellCheck={false} placeholder={example(p)} onChange={(e) => onChange(e.target.value)} />
      ) : p.type === 'boolean' ? (
        <select {...common} onChange={(e) => onChange(e.target.value)}>
          <option value="">(leave out)</option>
          <option value="true">Yes</option>
          <option value="false">No</option>
        </select>
      ) : (
        <input
          {...common}
          type={p.type === 'number' ? 'number' : p.type === 'date' ? 'datetime-local' : 'text'}
          step={p.type === 'number' ? 'any' : undefined}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
      {error ? (
        <div className="field-error" role="alert" id={errorId}>
          {error}
        </div>
      ) : (
        needsJson(p) && <div className="field-hint">JSON{p.optional ? '; leave empty to leave it out' : ''}.</div>
      )}
    </div>
  );
}

const tone = (status: number) => (status === 202 ? 'info' : status < 400 ? 'success' : status < 500 ? 'warning' : 'danger');

/** What the call got: status, time, the body, and the run it created (polled while it goes on). */
function TestCallResult({ call }: { call: TestCall }) {
  const run = useRunQuery(call.runId);
  const status = run.data?.status ?? null;
  const errors = parameterErrors(call.body);
  const section = useRef<HTMLElement>(null);
  // A new answer: bring it into view (the form above it may be long).
  // (Braces: newer browsers return a promise from scrollIntoView, which must not become the cleanup.)
  useEffect(() => {
    section.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }, [call]);
  return (
    <section className="inspector-section" aria-label="Test result" ref={section}>
      <div className="test-result-header">
        <Badge tone={tone(call.httpStatus)}>HTTP {call.httpStatus}</Badge>
        <span className="muted small mono">{formatDuration(call.durationMs)}</span>
        {call.runId && (
          <Link to={`/runs/${call.runId}`} className="test-run-link">
            View run →
          </Link>
        )}
      </div>
      {call.httpStatus === 202 && (
        <p className="test-accepted">
          <strong>Accepted:</strong> running in the background.
        </p>
      )}
      {call.runId && (
        <p className="muted small test-run-status">
          Run {status ? <strong>{RUN_STATUS_LABELS[status].toLowerCase()}</strong> : 'loading'}
          {status && !isFinal(status) && '…'}
          {run.data && run.data.attempts > 1 && ` after ${run.data.attempts} attempts`}
          {status && isFinal(status) && run.data?.durationMs != null && ` in ${formatDuration(run.data.durationMs)}`}
        </p>
      )}
      {errors.length > 0 && (
        <ul className="test-errors">
          {errors.map((e, i) => (
            <li key={i}>
              {e.parameter && <code>{e.parameter}</code>} {e.message}
            </li>
          ))}
        </ul>
      )}
      <JsonBlock value={call.body} />
    </section>
  );
}

/** The `errors` of a 400 about parameters, if the body has them. */
function parameterErrors(body: unknown): { parameter: string | null; message: string }[] {
  if (!body || typeof body !== 'object') return [];
  const errors = (body as { errors?: unknown }).errors;
  if (!Array.isArray(errors)) return [];
  return errors.filter((e): e is { parameter: string | null; message: string } => typeof e === 'object' && e !== null && typeof e.message === 'string');
}
