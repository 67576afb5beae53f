import { describe, expect, it } from 'vitest';
import { batchProgress, describePacing, formatSeconds } from './batches.ts';

const batch = (counts: Partial<Parameters<typeof batchProgress>[0]>) => ({
  status: 'running' as const,
  total: 10,
  pending: 0,
  running: 0,
  succeeded: 0,
  failed: 0,
  cancelled: 0,
  ...counts,
});

describe('batch progress', () => {
  it('counts ended items as done and gives each kind its share of the track', () => {
    const progress = batchProgress(batch({ succeeded: 5, failed: 1, cancelled: 1, running: 2, pending: 1 }));
    expect(progress).toMatchObject({ done: 7, max: 10, now: 7 });
    expect(progress.segments).toEqual([
      { kind: 'succeeded', count: 5, percent: 50 },
      { kind: 'failed', count: 1, percent: 10 },
      { kind: 'cancelled', count: 1, percent: 10 },
      { kind: 'running', count: 2, percent: 20 },
    ]);
    expect(progress.text).toBe('7 of 10 done: 5 succeeded, 1 failed, 1 cancelled; 2 running, 1 waiting');
  });

  it('says nothing of running or waiting items once there are none', () => {
    expect(batchProgress(batch({ status: 'finished', succeeded: 10 })).text).toBe('10 of 10 done: 10 succeeded, 0 failed, 0 cancelled');
  });

  it('gives an empty list a maximum above zero (a progress bar needs one)', () => {
    expect(batchProgress(batch({ total: 0 }))).toMatchObject({ max: 1, now: 0, segments: [], text: 'An empty list' });
    expect(batchProgress(batch({ total: 0, status: 'finished' }))).toMatchObject({ max: 1, now: 1 });
  });

  it('never fills the track past the total, whatever the counters say', () => {
    const progress = batchProgress(batch({ total: 2, succeeded: 3 }));
    expect(progress.now).toBe(2);
    expect(progress.segments[0]!.percent).toBe(100);
  });
});

describe('pacing in words', () => {
  it('tells all at once, an interval, one after another', () => {
    expect(describePacing({ ordered: false, intervalSeconds: 0 })).toBe('All at once');
    expect(describePacing({ ordered: false, intervalSeconds: 60 })).toBe('Starts 1 min apart');
    expect(describePacing({ ordered: true, intervalSeconds: 0 })).toBe('One after another');
    expect(describePacing({ ordered: true, intervalSeconds: 90 })).toBe('One after another, starts at least 1 min 30 s apart');
  });

  it('formats seconds for people', () => {
    expect([0, 0.5, 5, 45, 60, 90, 3600, 3900, 86_400, 90_000].map(formatSeconds)).toEqual([
      '0 s',
      '0.5 s',
      '5 s',
      '45 s',
      '1 min',
      '1 min 30 s',
      '1 h',
      '1 h 5 min',
      '1 d',
      '1 d 1 h',
    ]);
  });
});
