import { describe, expect, it } from 'vitest';
import { STATUS_LABELS, displayStatus, isActive, isRunStatus, isTrigger } from './runs.ts';

describe('run words', () => {
  const now = Date.UTC(2026, 4, 12, 12);

  it('calls a queued run due later "pending", and nothing else', () => {
    expect(displayStatus({ status: 'queued', runAt: new Date(now + 60_000) }, now)).toBe('pending');
    expect(displayStatus({ status: 'queued', runAt: new Date(now) }, now)).toBe('queued');
    expect(displayStatus({ status: 'failed', runAt: new Date(now + 60_000) }, now)).toBe('failed');
  });

  it('knows the engine words and only those', () => {
    expect(isRunStatus('interrupted')).toBe(true);
    expect(isRunStatus('success')).toBe(false);
    expect(isRunStatus('constructor')).toBe(false);
    expect(isTrigger('batch_item')).toBe(true);
    expect(isTrigger('webhook')).toBe(false);
    expect(Object.keys(STATUS_LABELS).sort()).toEqual(
      ['cancelled', 'failed', 'interrupted', 'pending', 'queued', 'running', 'skipped', 'succeeded'],
    );
  });

  it('treats queued and running runs as still changing', () => {
    expect(isActive('queued')).toBe(true);
    expect(isActive('running')).toBe(true);
    expect(isActive('succeeded')).toBe(false);
  });
});
