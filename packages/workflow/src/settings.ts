import { z } from 'zod';
import { RetryPolicy } from './retry.ts';

/** How callers are answered: wait for the run's result, or 202 with the run id once it is queued. */
export const ResponseMode = z.enum(['sync', 'async']);
export type ResponseMode = z.infer<typeof ResponseMode>;

/** Per-workflow run settings, stored with the draft and frozen into releases with the definition. */
export const WorkflowSettings = z.object({
  /** "sync": the caller gets the run's response. "async" ("respond at once"): 202 once queued. */
  mode: ResponseMode.default('sync'),
  retry: RetryPolicy.default(RetryPolicy.parse({})),
  /** A run still going after this long fails, and its step shows it timed out. */
  timeoutSeconds: z.number().int().min(1).max(86_400).default(300),
  /** At most this many runs of the workflow at once (per environment); the others wait in order. */
  concurrency: z.number().int().min(1).max(10_000).nullable().default(null),
  /**
   * The IANA time zone of the workflow's dates ("Europe/Paris"): date functions in its expressions
   * (addDays, startOfDay, formatDate...) work in it unless given another. null: the instance's time
   * zone (`Services.timeZone`, UTC by default). An unknown zone is a compile error.
   */
  timeZone: z.string().max(64).nullable().default(null),
});
export type WorkflowSettings = z.infer<typeof WorkflowSettings>;

export const DEFAULT_SETTINGS: WorkflowSettings = WorkflowSettings.parse({});
