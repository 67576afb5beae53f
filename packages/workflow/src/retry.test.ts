import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RetryPolicy, hasAttemptsLeft, retryDelayMs } from './retry.ts';
import { DEFAULT_SETTINGS, WorkflowSettings } from './settings.ts';

const policy = RetryPolicy.parse({ maxAttempts: 5, initialDelayMs: 1_000, maxDelayMs: 10_000 });
const at = (value: number) => () => value;

describe('retryDelayMs', () => {
  it('doubles the delay after each failed attempt, half of it fixed and half random', () => {
    // random = 0: exactly half of the base delay.
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(policy, attempt, at(0)))).toEqual([500, 1_000, 2_000, 4_000]);
    // random = 0.5: three quarters.
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(policy, attempt, at(0.5)))).toEqual([750, 1_500, 3_000, 6_000]);
    // random just under 1: the whole base delay.
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(policy, attempt, at(0.999_999)))).toEqual([1_000, 2_000, 4_000, 8_000]);
  });

  it('never waits longer than the maximum delay, however many attempts failed', () => {
    expect(retryDelayMs(policy, 5, at(0))).toBe(5_000);
    expect(retryDelayMs(policy, 5, at(0.999_999))).toBe(10_000);
    expect(retryDelayMs(policy, 1_000, at(0.999_999))).toBe(10_000);
    expect(retryDelayMs(policy, Number.MAX_SAFE_INTEGER, at(0.5))).toBe(7_500);
  });

  it('treats attempt 0 or less like the first, and a zero policy as no wait', () => {
    expect(retryDelayMs(policy, 0, at(0))).toBe(500);
    expect(retryDelayMs(policy, -3, at(0))).toBe(500);
    expect(retryDelayMs(RetryPolicy.parse({ initialDelayMs: 0 }), 3, at(0.7))).toBe(0);
  });

  it('stays within [base/2, base] and never exceeds the maximum (property)', () => {
    fc.assert(
      fc.property(
        fc.record({ maxAttempts: fc.integer({ min: 1, max: 10 }), initialDelayMs: fc.integer({ min: 0, max: 3_600_000 }), maxDelayMs: fc.integer({ min: 0, max: 86_400_000 }) }),
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (p, attempt, random) => {
          const delay = retryDelayMs(p, attempt, at(random));
          const base = Math.min(p.maxDelayMs, p.initialDelayMs * 2 ** (attempt - 1));
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(Math.floor(base / 2));
          expect(delay).toBeLessThanOrEqual(Math.min(p.maxDelayMs, Math.ceil(base)));
        },
      ),
    );
  });
});

describe('hasAttemptsLeft', () => {
  it('counts the first attempt: maxAttempts 3 allows attempts 1, 2 and 3', () => {
    expect([1, 2, 3, 4].map((attempt) => hasAttemptsLeft({ maxAttempts: 3 }, attempt))).toEqual([true, true, false, false]);
    expect(hasAttemptsLeft({ maxAttempts: 1 }, 1)).toBe(false);
  });
});

describe('RetryPolicy and WorkflowSettings', () => {
  it('have the documented defaults', () => {
    expect(RetryPolicy.parse({})).toEqual({ maxAttempts: 3, initialDelayMs: 1_000, maxDelayMs: 60_000 });
    expect(DEFAULT_SETTINGS).toEqual({ mode: 'sync', retry: { maxAttempts: 3, initialDelayMs: 1_000, maxDelayMs: 60_000 }, timeoutSeconds: 300, concurrency: null, timeZone: null });
    expect(WorkflowSettings.parse({ mode: 'async', retry: { maxAttempts: 1 } })).toMatchObject({ mode: 'async', retry: { maxAttempts: 1, initialDelayMs: 1_000 } });
  });

  it('refuse values out of bounds', () => {
    for (const bad of [{ maxAttempts: 0 }, { maxAttempts: 11 }, { maxAttempts: 1.5 }, { initialDelayMs: -1 }, { maxDelayMs: 86_400_001 }]) {
      expect(RetryPolicy.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
    for (const bad of [{ mode: 'later' }, { timeoutSeconds: 0 }, { timeoutSeconds: 86_401 }, { concurrency: 0 }, { timeZone: 'x'.repeat(65) }]) {
      expect(WorkflowSettings.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});
