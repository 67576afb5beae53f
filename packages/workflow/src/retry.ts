import { z } from 'zod';

/**
 * How a failed run is tried again. A retry is a new attempt of the same run that resumes at the
 * failed step; steps that failed as not retriable (a builder mistake, a timeout) are not retried.
 */
export const RetryPolicy = z.object({
  /** Attempts in all, the first included: 1 means never retry. Crash recovery uses attempts too. */
  maxAttempts: z.number().int().min(1).max(10).default(3),
  /** Delay before the second attempt; each later one doubles it. */
  initialDelayMs: z.number().int().min(0).max(3_600_000).default(1_000),
  /** No delay is longer than this, however many attempts failed. */
  maxDelayMs: z.number().int().min(0).max(86_400_000).default(60_000),
});
export type RetryPolicy = z.infer<typeof RetryPolicy>;

/**
 * The wait before the next attempt after `failedAttempt` (1-based) failed: exponential backoff
 * with "equal jitter" (half the delay fixed, half random), so retries of runs that failed together
 * spread out without any of them retrying almost at once. `random` returns a number in [0, 1).
 */
export function retryDelayMs(policy: RetryPolicy, failedAttempt: number, random: () => number): number {
  const exponent = Math.max(0, failedAttempt - 1);
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.min(exponent, 40));
  const half = base / 2;
  return Math.round(half + random() * half);
}

/** Whether another attempt may follow the given one. */
export function hasAttemptsLeft(policy: Pick<RetryPolicy, 'maxAttempts'>, attempt: number): boolean {
  return attempt < policy.maxAttempts;
}
