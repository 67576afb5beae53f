import { useQuery } from '@tanstack/react-query';
import { type ReactNode, useId, useMemo } from 'react';
import { useTRPC } from '../../api/trpc.ts';
import {
  MIN_POINTS,
  type SeriesPoint,
  depthData,
  describeDepth,
  describeLateness,
  formatCountTick,
  formatMs,
  hasLateness,
  latenessData,
} from '../../lib/charts.ts';
import { formatShortDateTime } from '../../lib/format.ts';
import { type ChartAxis, type ChartLine, TimeChart } from './TimeChart.tsx';

/** The server takes a point a minute: re-reading every 20 s shows a new one soon enough. */
const SERIES_POLL_MS = 20_000;

const DEPTH_LINES: readonly ChartLine[] = [
  { label: 'Draft', colorVar: '--grey-500', fallback: '#6b7280', dash: [5, 3] },
  { label: 'Live', colorVar: '--accent', fallback: '#5b5bd6' },
];
const DEPTH_AXIS: ChartAxis = {
  label: 'Pending runs',
  format: formatCountTick,
  minTop: 4,
  incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000, 10_000_000],
};
const LATENESS_LINES: readonly ChartLine[] = [
  { label: 'Median (p50)', colorVar: '--accent', fallback: '#5b5bd6', points: true },
  { label: '99th percentile (p99)', colorVar: '--warning-strong', fallback: '#e5900b', dash: [5, 3], points: true },
];
const LATENESS_AXIS: ChartAxis = { label: 'Lateness', format: formatMs, minTop: 5 };

/**
 * "Last hour": queue depth (pending runs in draft and live) and lateness (how long after their
 * due time queued runs started, median and 99th percentile per minute), one point a minute, as
 * this server process saw them (`scheduler.series`; it starts empty when the process starts).
 */
export function SchedulerCharts({ visible }: { visible: boolean }) {
  const trpc = useTRPC();
  const headingId = useId();
  const series = useQuery(
    trpc.scheduler.series.queryOptions(undefined, {
      refetchInterval: visible ? SERIES_POLL_MS : false,
      refetchIntervalInBackground: false,
      staleTime: 0,
    }),
  );
  const points = series.data;
  const depth = useMemo(() => (points ? depthData(points) : null), [points]);
  const lateness = useMemo(() => (points ? latenessData(points) : null), [points]);

  return (
    <section className="scheduler-section scheduler-charts" aria-labelledby={headingId}>
      <div className="scheduler-section-head">
        <h2 id={headingId}>Last hour</h2>
        <span className="muted small">A point a minute, as this server process saw them since it started</span>
      </div>
      <div className="charts-grid">
        <ChartCard title="Queue depth" subtitle="Pending runs, draft and live">
          {!points ? (
            <ChartPlaceholder>{series.isError ? 'Could not load the chart.' : 'Loading…'}</ChartPlaceholder>
          ) : points.length < MIN_POINTS ? (
            <Collecting points={points} />
          ) : (
            <TimeChart data={depth!} lines={DEPTH_LINES} axis={DEPTH_AXIS} summary={describeDepth(points)} />
          )}
        </ChartCard>
        <ChartCard title="Lateness" subtitle="How late queued runs started after their due time, per minute">
          {!points ? (
            <ChartPlaceholder>{series.isError ? 'Could not load the chart.' : 'Loading…'}</ChartPlaceholder>
          ) : points.length < MIN_POINTS ? (
            <Collecting points={points} />
          ) : (
            <div className="chart-with-note">
              <TimeChart data={lateness!} lines={LATENESS_LINES} axis={LATENESS_AXIS} summary={describeLateness(points)} />
              {!hasLateness(points) && <p className="chart-note">No queued run started in this period.</p>}
            </div>
          )}
        </ChartCard>
      </div>
    </section>
  );
}

function ChartCard({ title, subtitle, children }: { title: string; subtitle: string; children: ReactNode }) {
  const id = useId();
  return (
    <figure className="card chart-card" aria-labelledby={id}>
      <figcaption className="chart-caption">
        <h3 id={id}>{title}</h3>
        <span className="muted small">{subtitle}</span>
      </figcaption>
      {children}
    </figure>
  );
}

function ChartPlaceholder({ children }: { children: ReactNode }) {
  return (
    <div className="chart-placeholder" data-testid="chart-placeholder">
      {children}
    </div>
  );
}

/** Fewer than two points: nothing to draw yet. */
function Collecting({ points }: { points: readonly SeriesPoint[] }) {
  const first = points[0];
  return (
    <ChartPlaceholder>
      <span className="chart-collecting">Collecting…</span>
      <span className="muted small">
        The server takes a point a minute
        {first ? ` (the first at ${formatShortDateTime(first.at, first.at.getTime())})` : ''}; the chart appears with the second.
      </span>
    </ChartPlaceholder>
  );
}
