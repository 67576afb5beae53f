import type { RouterOutputs } from '../api/types.ts';

/**
 * The Scheduler page's charts (queue depth, lateness) from `scheduler.series`: one point a minute
 * for the last hour of this server process. Pure: the data in uPlot's shape (x in seconds, one
 * array per line, null for a gap), and the summary a screen reader gets instead of the canvas.
 */
export type SeriesPoint = RouterOutputs['scheduler']['series'][number];

/** uPlot's AlignedData: x values (Unix seconds), then one array per line. */
export type ChartData = [number[], ...(number | null)[][]];

/** A line needs two points; with fewer the chart says it is collecting. */
export const MIN_POINTS = 2;

const seconds = (date: Date) => date.getTime() / 1000;
const finite = (value: number | null | undefined): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/** Pending runs per environment: [x, draft, live]. A point taken while the database was busy has none. */
export function depthData(points: readonly SeriesPoint[]): ChartData {
  return [points.map((p) => seconds(p.at)), points.map((p) => finite(p.depth.draft)), points.map((p) => finite(p.depth.live))];
}

/** Lateness of the runs started in each minute: [x, p50, p99]; a minute when no run started is a gap. */
export function latenessData(points: readonly SeriesPoint[]): ChartData {
  return [points.map((p) => seconds(p.at)), points.map((p) => finite(p.latenessP50Ms)), points.map((p) => finite(p.latenessP99Ms))];
}

/** Milliseconds on an axis or in a legend: "0", "0.5 ms", "12 ms", "1.5 s", "2 min". */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms === 0) return '0';
  if (ms < 1) return `${Number(ms.toFixed(2))} ms`;
  if (ms < 1000) return `${Number(ms.toFixed(ms < 10 ? 1 : 0))} ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(ms < 10_000 ? 2 : 1))} s`;
  return `${Number((ms / 60_000).toFixed(1))} min`;
}

/** A count on an axis: whole numbers only ("1,200"); fractions (uPlot's splits of a small range) are "". */
export function formatCountTick(value: number): string {
  return Number.isInteger(value) ? value.toLocaleString() : '';
}

/** "the last 47 minutes" / "the last minute" / "the last hour". */
function span(points: readonly SeriesPoint[]): string {
  const first = points[0];
  const last = points.at(-1);
  const minutes = first && last ? Math.round((last.at.getTime() - first.at.getTime()) / 60_000) : 0;
  if (minutes >= 59) return 'the last hour';
  return minutes <= 1 ? 'the last minute' : `the last ${minutes} minutes`;
}

function max(values: readonly (number | null)[]): number | null {
  let best: number | null = null;
  for (const v of values) if (v !== null && (best === null || v > best)) best = v;
  return best;
}

function lastOf(values: readonly (number | null)[]): number | null {
  for (let i = values.length - 1; i >= 0; i--) if (values[i] !== null && values[i] !== undefined) return values[i]!;
  return null;
}

/** The depth chart in words: "Pending runs over the last 47 minutes: draft 3 now (at most 12), live 0 now (at most 0)." */
export function describeDepth(points: readonly SeriesPoint[]): string {
  if (points.length < MIN_POINTS) return 'Pending runs: collecting, a point a minute.';
  const [, draft, live] = depthData(points) as [number[], (number | null)[], (number | null)[]];
  const part = (name: string, values: (number | null)[]) => {
    const now = lastOf(values);
    return now === null ? `${name} unknown` : `${name} ${now.toLocaleString()} now (at most ${(max(values) ?? 0).toLocaleString()})`;
  };
  return `Pending runs over ${span(points)}: ${part('draft', draft)}, ${part('live', live)}.`;
}

/** The lateness chart in words, or that no scheduled run started. */
export function describeLateness(points: readonly SeriesPoint[]): string {
  if (points.length < MIN_POINTS) return 'Lateness: collecting, a point a minute.';
  const [, p50, p99] = latenessData(points) as [number[], (number | null)[], (number | null)[]];
  const worst = max(p99);
  if (worst === null) return `No queued run started in ${span(points)}, so there is no lateness to show.`;
  return `Lateness over ${span(points)}: in the last minute with starts, median ${formatMs(lastOf(p50))} and 99th percentile ${formatMs(lastOf(p99))}; the highest 99th percentile ${formatMs(worst)}.`;
}

/** Whether any run started in the period (otherwise the lateness chart has no line). */
export function hasLateness(points: readonly SeriesPoint[]): boolean {
  return points.some((p) => finite(p.latenessP99Ms) !== null || finite(p.latenessP50Ms) !== null);
}
