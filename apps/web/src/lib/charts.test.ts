import { describe, expect, it } from 'vitest';
import { type SeriesPoint, depthData, describeDepth, describeLateness, formatCountTick, formatMs, hasLateness, latenessData } from './charts.ts';

const T0 = new Date('2026-05-01T08:00:00.000Z');
const point = (minute: number, over: Partial<SeriesPoint> = {}): SeriesPoint => ({
  at: new Date(T0.getTime() + minute * 60_000),
  depth: { draft: minute, live: 0 },
  latenessP50Ms: null,
  latenessP99Ms: null,
  started: 0,
  ...over,
});

describe('chart data', () => {
  it('puts the series in uPlot’s shape: x in seconds, one array per line, gaps as null', () => {
    const points = [point(0), point(1, { depth: {}, latenessP50Ms: 1.5, latenessP99Ms: 4, started: 3 }), point(2)];
    const t = T0.getTime() / 1000;
    expect(depthData(points)).toEqual([
      [t, t + 60, t + 120],
      [0, null, 2],
      [0, null, 0],
    ]);
    expect(latenessData(points)).toEqual([
      [t, t + 60, t + 120],
      [null, 1.5, null],
      [null, 4, null],
    ]);
    expect(hasLateness(points)).toBe(true);
    expect(hasLateness([point(0), point(1)])).toBe(false);
  });

  it('describes each chart in words for screen readers', () => {
    expect(describeDepth([point(0)])).toBe('Pending runs: collecting, a point a minute.');
    expect(describeDepth([point(0), point(5), point(47, { depth: { draft: 3, live: 1 } })])).toBe(
      'Pending runs over the last 47 minutes: draft 3 now (at most 5), live 1 now (at most 1).',
    );
    expect(describeLateness([point(0), point(1)])).toBe('No queued run started in the last minute, so there is no lateness to show.');
    expect(describeLateness([point(0), point(1, { latenessP50Ms: 2, latenessP99Ms: 30 }), point(59)])).toBe(
      'Lateness over the last hour: in the last minute with starts, median 2 ms and 99th percentile 30 ms; the highest 99th percentile 30 ms.',
    );
  });

  it('formats ticks', () => {
    expect([0, 0.25, 2, 12.4, 1500, 12_000, 90_000].map(formatMs)).toEqual(['0', '0.25 ms', '2 ms', '12 ms', '1.5 s', '12 s', '1.5 min']);
    expect(formatMs(null)).toBe('–');
    expect(formatCountTick(1200)).toBe((1200).toLocaleString());
    expect(formatCountTick(0.5)).toBe('');
  });
});
