/**
 * Batches ("Schedule API workflow on a list") as the Scheduler page shows them: the progress bar's
 * segments and its words for assistive technology, and the pacing in words. Pure: the page passes
 * a batch as `scheduler.batches` sends it.
 */

export interface BatchCounts {
  status: 'running' | 'finished' | 'cancelled';
  total: number;
  pending: number;
  running: number;
  succeeded: number;
  failed: number;
  cancelled: number;
}

export type SegmentKind = 'succeeded' | 'failed' | 'cancelled' | 'running';

/** The bar's coloured parts, in this order; what is left of the track is pending. */
export const SEGMENT_KINDS: readonly SegmentKind[] = ['succeeded', 'failed', 'cancelled', 'running'];

export interface BatchProgress {
  /** Items that ended (succeeded, failed or cancelled). */
  done: number;
  /** For aria-valuemax: the total, or 1 for an empty list (a progress bar needs a maximum above 0). */
  max: number;
  /** For aria-valuenow. */
  now: number;
  /** Percent of the track per kind (0 when none); sums to at most 100. */
  segments: { kind: SegmentKind; count: number; percent: number }[];
  /** For aria-valuetext: "7 of 10 done: 5 succeeded, 1 failed, 1 cancelled; 2 running, 1 waiting". */
  text: string;
}

const n = (count: number) => count.toLocaleString();

export function batchProgress(batch: BatchCounts): BatchProgress {
  const done = batch.succeeded + batch.failed + batch.cancelled;
  if (batch.total <= 0) {
    const ended = batch.status !== 'running';
    return { done: 0, max: 1, now: ended ? 1 : 0, segments: [], text: ended ? 'An empty list: nothing to run' : 'An empty list' };
  }
  const counts: Record<SegmentKind, number> = {
    succeeded: batch.succeeded,
    failed: batch.failed,
    cancelled: batch.cancelled,
    running: batch.running,
  };
  const segments = SEGMENT_KINDS.map((kind) => ({
    kind,
    count: counts[kind],
    percent: Math.min(100, (Math.max(0, counts[kind]) / batch.total) * 100),
  }));
  const ended = [`${n(batch.succeeded)} succeeded`, `${n(batch.failed)} failed`, `${n(batch.cancelled)} cancelled`].join(', ');
  const open = batch.running + batch.pending > 0 ? `; ${n(batch.running)} running, ${n(batch.pending)} waiting` : '';
  return {
    done,
    max: batch.total,
    now: Math.min(done, batch.total),
    segments,
    text: `${n(done)} of ${n(batch.total)} done: ${ended}${open}`,
  };
}

/** A number of seconds for people: "0.5 s", "45 s", "1 min", "1 min 30 s", "2 h", "1 h 5 min", "3 d". */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) return '0 s';
  if (seconds < 60) return `${Number(seconds.toFixed(seconds < 10 ? 1 : 0))} s`;
  const whole = Math.round(seconds);
  if (whole < 3600) {
    const s = whole % 60;
    return s ? `${Math.floor(whole / 60)} min ${s} s` : `${whole / 60} min`;
  }
  if (whole < 86_400) {
    const min = Math.round((whole % 3600) / 60);
    return min ? `${Math.floor(whole / 3600)} h ${min} min` : `${Math.floor(whole / 3600)} h`;
  }
  const h = Math.round((whole % 86_400) / 3600);
  return h ? `${Math.floor(whole / 86_400)} d ${h} h` : `${Math.floor(whole / 86_400)} d`;
}

/**
 * How the items start: "All at once", "Starts 1 min apart", "One after another", "One after
 * another, starts at least 1 min apart" (an ordered batch waits for the previous item to end,
 * and for its own due time).
 */
export function describePacing(batch: { ordered: boolean; intervalSeconds: number }): string {
  const gap = batch.intervalSeconds > 0 ? formatSeconds(batch.intervalSeconds) : null;
  if (batch.ordered) return gap ? `One after another, starts at least ${gap} apart` : 'One after another';
  return gap ? `Starts ${gap} apart` : 'All at once';
}

export const BATCH_STATUS_LABELS: Record<BatchCounts['status'], string> = {
  running: 'Running',
  finished: 'Finished',
  cancelled: 'Cancelled',
};
