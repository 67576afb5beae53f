import type { RunDetail } from '../api/types.ts';
import { formatDuration, formatRelative } from './format.ts';
import type { Environment, Trigger } from './runs.ts';
import { parseScheduledBy } from './scheduler.ts';

/**
 * A scheduled run's story on its page, as plain data: when it was due, how late it started, who or
 * what scheduled it, what it is pinned to, and whether it can still be cancelled. Runs called
 * directly have none of it (every helper answers null for them), so the page shows no empty rows.
 */
export type ScheduleFields = Pick<
  RunDetail,
  | 'status'
  | 'trigger'
  | 'attempts'
  | 'runAt'
  | 'createdAt'
  | 'startedAt'
  | 'scheduledBy'
  | 'parentRunId'
  | 'chainDepth'
  | 'batchId'
  | 'batchIndex'
  | 'environment'
  | 'releaseNumber'
  | 'draftRevision'
>;

const SCHEDULED_TRIGGERS: readonly Trigger[] = ['schedule', 'batch_item', 'recurring'];

/** Scheduled for a time (by the API, a person, a run, a batch or a recurring job) rather than called. */
export function isScheduled(run: Pick<ScheduleFields, 'scheduledBy' | 'trigger'>): boolean {
  return (run.scheduledBy !== null && run.scheduledBy !== '') || SCHEDULED_TRIGGERS.includes(run.trigger);
}

/** Not started and never tried: what `scheduler.cancel` accepts (the server checks again). */
export function isCancellable(run: Pick<ScheduleFields, 'status' | 'attempts'>): boolean {
  return run.status === 'queued' && run.attempts === 0;
}

/**
 * The run's due time as the server keeps it. A retry (or a recovery) moves `runAt` to when the next
 * attempt is due, so only a run tried at most once still holds the time it was scheduled for:
 * `due` is that time, `retry` the next attempt's, and null means the first due time is gone (a run
 * tried again) or the run was called directly (it was due when it was made).
 */
export function dueTime(run: ScheduleFields): { at: Date; kind: 'due' | 'retry' } | null {
  if (run.status === 'queued' && run.attempts > 0) return { at: run.runAt, kind: 'retry' };
  if (run.attempts > 1) return null;
  // A run called directly is due when it is made; only one waiting for a later time has a due time of its own.
  if (isScheduled(run) || (run.status === 'queued' && run.runAt > run.createdAt)) return { at: run.runAt, kind: 'due' };
  return null;
}

/** Start minus due, in milliseconds, when both are known and the due time is the first one. */
export function lateness(run: ScheduleFields): number | null {
  const due = dueTime(run);
  if (!due || due.kind !== 'due' || !run.startedAt) return null;
  return run.startedAt.getTime() - due.at.getTime();
}

/** "started 2 ms after it was due", "started when it was due", "started 3 ms before it was due". */
export function describeLateness(ms: number): string {
  if (ms === 0) return 'started when it was due';
  return ms > 0 ? `started ${formatDuration(ms)} after it was due` : `started ${formatDuration(-ms)} before it was due`;
}

/**
 * One line under the due time: "pending: starts in 3 days", "due 5 minutes ago, waiting for a
 * runner", "next attempt in 8 seconds", "cancelled before it started", or the due time relative to
 * now for a run that started ("2 hours ago").
 */
export function describeDue(run: ScheduleFields, now: number): string | null {
  const due = dueTime(run);
  if (!due) return null;
  const ahead = due.at.getTime() > now;
  // formatRelative says "just now" within 10 s either way; ahead of time that is "in a moment".
  const relative = ahead && due.at.getTime() - now < 10_000 ? 'in a moment' : formatRelative(due.at, now);
  if (due.kind === 'retry') return ahead ? `next attempt ${relative}` : `next attempt was due ${relative}, waiting for a runner`;
  if (run.status === 'queued') return ahead ? `pending: starts ${relative}` : `due ${relative}, waiting for a runner`;
  if (!run.startedAt) return run.status === 'cancelled' ? 'cancelled before it started' : 'never started';
  return relative;
}

/** The last 8 characters of a run or batch id: UUIDv7 ids made close together share their start, not their end. */
export function shortId(id: string): string {
  return id.length > 8 ? `…${id.slice(-8)}` : id;
}

/** Who or what scheduled a run, in words, with where to look at it. */
export type ScheduledByView =
  | { kind: 'api'; text: string; title: string }
  | { kind: 'user'; text: string; email: string; title: string }
  | { kind: 'run'; text: string; runId: string; href: string; title: string }
  | { kind: 'batch'; text: string; batchId: string; item: number | null; href: string; linkText: string; title: string }
  | { kind: 'recurring'; text: string; href: string; title: string }
  | { kind: 'other'; text: string; title: string };

/**
 * `scheduledBy` as the page shows it; null for a run called directly. A batch item says which item
 * it is ("item 3", counting from 1) and links to the Scheduler page of its environment, where
 * batches are listed; the run a batch ends with has no item number.
 */
export function describeScheduledBy(
  run: Pick<ScheduleFields, 'scheduledBy' | 'batchIndex' | 'environment'>,
): ScheduledByView | null {
  const by = parseScheduledBy(run.scheduledBy);
  switch (by.kind) {
    case 'none':
      return null;
    case 'api':
      return { kind: 'api', text: 'The API', title: "A call of the workflow's schedule endpoint (/api/1.1/wf/<name>/schedule)" };
    case 'user':
      return { kind: 'user', text: by.email, email: by.email, title: `Scheduled from the console by ${by.email}` };
    case 'run':
      return { kind: 'run', text: `run ${shortId(by.runId)}`, runId: by.runId, href: `/runs/${by.runId}`, title: `A step of run ${by.runId} scheduled it` };
    case 'batch': {
      const item = run.batchIndex === null ? null : run.batchIndex + 1;
      const linkText = `batch ${shortId(by.batchId)}`;
      return {
        kind: 'batch',
        text: item === null ? `the end of ${linkText}` : `item ${item} of ${linkText}`,
        batchId: by.batchId,
        item,
        href: schedulerHref(run.environment),
        linkText,
        title:
          item === null
            ? `The run batch ${by.batchId} ends with, once all its items have ended`
            : `Item ${item} of batch ${by.batchId} (a list scheduled one run per item)`,
      };
    }
    case 'recurring':
      return { kind: 'recurring', text: 'The recurring job', href: '/recurring', title: "The workflow's recurring job, at one of its fire times" };
    case 'other':
      return { kind: 'other', text: by.text, title: by.text };
  }
}

/** The Scheduler page of an environment (its pending runs and batches). */
export function schedulerHref(environment: Environment): string {
  return `/scheduler?env=${environment}`;
}

/** "release #3", "draft revision 12": what a run runs, whatever is deployed or saved since; null when not recorded. */
export function pinnedTo(run: Pick<ScheduleFields, 'environment' | 'releaseNumber' | 'draftRevision'>): string | null {
  if (run.environment === 'live') return run.releaseNumber ? `release #${run.releaseNumber}` : null;
  return run.draftRevision ? `draft revision ${run.draftRevision}` : null;
}
