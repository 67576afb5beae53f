import type { Outcome, StepRecord } from '@switchyard/workflow';
import type { AttemptReason, AttemptRow, RunOutcome, StepRow } from '../db/index.ts';

/** Turns the interpreter's step records into rows of one attempt. */
export function stepRows(runId: string, attempt: number, records: readonly StepRecord[], positions: ReadonlyMap<string, number>): StepRow[] {
  return records.map((r) => stepRow(runId, attempt, r, positions));
}

export function stepRow(runId: string, attempt: number, r: StepRecord, positions: ReadonlyMap<string, number>): StepRow {
  return {
    runId,
    attempt,
    path: r.path,
    position: positions.get(r.path) ?? 0,
    stepId: r.stepId,
    type: r.type,
    label: r.label,
    status: r.status,
    startedAt: r.startedAt,
    durationMs: r.durationMs,
    input: r.input,
    output: r.output,
    error: r.error,
    logs: r.logs,
  };
}

/** How an attempt's outcome is stored: the run's final state, or a retry at `retryAt`. */
export function runOutcome(outcome: Outcome, finishedAt: Date, durationMs: number, retryAt: Date | null): RunOutcome {
  switch (outcome.status) {
    case 'succeeded':
      return { status: 'succeeded', output: outcome.response, error: null, finishedAt, durationMs };
    case 'skipped':
      return { status: 'skipped', output: null, error: outcome.reason, finishedAt, durationMs };
    case 'failed':
      return { status: 'failed', output: null, error: outcome.error, finishedAt, durationMs, ...(retryAt && { retryAt }) };
  }
}

export function attemptRow(runId: string, number: number, reason: AttemptReason, startedAt: Date, runner: string, end?: RunOutcome): AttemptRow {
  return {
    runId,
    number,
    reason,
    status: end ? (end.retryAt ? 'failed' : end.status === 'cancelled' ? 'interrupted' : (end.status as AttemptRow['status'])) : 'running',
    startedAt,
    finishedAt: end ? end.finishedAt : null,
    error: end ? end.error : null,
    runner,
  };
}
