import type { RunDetail, RunStatus } from '../api/types.ts';

/**
 * What the test panel and the canvas show about a test call: the HTTP answer, then the run that
 * call created (fetched with run.byId, polled until it is final). Plain data, no React.
 */

/** The test panel's last call to the draft endpoint. */
export interface TestCall {
  httpStatus: number;
  /** The parsed JSON body, or the text when it was not JSON. */
  body: unknown;
  durationMs: number;
  /** The run this call created (header, or `run_id` in the body); null when it made none. */
  runId: string | null;
}

/** The test panel's last "Run later": a run of the saved draft due at a date. */
export interface ScheduledTest {
  runId: string;
  /** When it is due (as asked: the server starts a past date at once). */
  runAt: Date;
}

/**
 * The instant a `datetime-local` value means in the browser's time zone ("2026-12-01T09:30" ->
 * that wall time here); null when it is empty or not a date.
 */
export function instantOfLocal(value: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/.test(value)) return null;
  // Without an offset, a date-time string is read in the local zone (ECMAScript date-time format).
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** A `datetime-local` value for a date, in the browser's zone, to the minute. */
export function localInputValue(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** The browser's IANA time zone ("Europe/Paris"), which `datetime-local` values are read in. */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

export type StepStatus = RunDetail['steps'][number]['status'];

/** One node's result in the test run: its step's last attempt. */
export interface StepView {
  status: StepStatus;
  attempt: number;
  durationMs: number | null;
  error: string | null;
  /** The step's output, parsed from the stored JSON text (undefined when it had none). */
  output: unknown;
  logs: string[];
}

export interface TestRunView {
  runId: string;
  /** null until the run has been fetched. */
  status: RunStatus | null;
  final: boolean;
  error: string | null;
  attempts: number;
  /** Step results by node id (a step's id is the node it was compiled from). */
  byNode: Map<string, StepView>;
}

const FINAL: readonly RunStatus[] = ['succeeded', 'failed', 'cancelled', 'interrupted', 'skipped'];

export function isFinal(status: RunStatus | null): boolean {
  return status !== null && FINAL.includes(status);
}

/** A run just created by a call, before its record has been read. */
export function pendingRun(runId: string): TestRunView {
  return { runId, status: null, final: false, error: null, attempts: 0, byNode: new Map() };
}

function parseJson(text: string | null): unknown {
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * The run as the canvas shows it. Later attempts replace earlier ones; a node whose step result did
 * not change since `previous` keeps the same object, so only nodes whose result changed re-render.
 */
export function runView(run: RunDetail, previous: TestRunView | null = null): TestRunView {
  const byNode = new Map<string, StepView>();
  for (const step of run.steps) {
    const view: StepView = {
      status: step.status,
      attempt: step.attempt,
      durationMs: step.durationMs,
      error: step.error,
      output: parseJson(step.output),
      logs: step.logs,
    };
    const prior = previous?.runId === run.id ? previous.byNode.get(step.stepId) : undefined;
    byNode.set(step.stepId, prior && JSON.stringify(prior) === JSON.stringify(view) ? prior : view);
  }
  return { runId: run.id, status: run.status, final: isFinal(run.status), error: run.error, attempts: run.attempts, byNode };
}

/** The run a call created: the `x-switchyard-run-id` header, else `run_id` in the body. */
export function runIdOf(headerValue: string | null, body: unknown): string | null {
  if (headerValue) return headerValue;
  if (!body || typeof body !== 'object') return null;
  const record = body as { run_id?: unknown; response?: { run_id?: unknown } | null };
  if (typeof record.run_id === 'string') return record.run_id;
  const nested = record.response && typeof record.response === 'object' ? record.response.run_id : undefined;
  return typeof nested === 'string' ? nested : null;
}

export const STEP_STATUS_LABELS: Record<StepStatus, string> = {
  succeeded: 'Succeeded',
  failed: 'Failed',
  skipped: 'Skipped',
};

export const RUN_STATUS_LABELS: Record<RunStatus, string> = {
  queued: 'Queued',
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  cancelled: 'Cancelled',
  interrupted: 'Interrupted',
  skipped: 'Skipped',
};
