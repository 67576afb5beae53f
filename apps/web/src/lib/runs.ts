import type { RunStatus, RunSummary } from '../api/types.ts';

/**
 * The words of runs (issue 5, "Contracts"), in the order the console lists them. The `satisfies`
 * and the checks below make a status or trigger added on the server a type error here.
 */
export const RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted', 'skipped'] as const satisfies readonly RunStatus[];
export type Trigger = RunSummary['trigger'];
export const TRIGGERS = ['api', 'schedule', 'batch_item', 'recurring', 'data_change', 'custom_event', 'test'] as const satisfies readonly Trigger[];
export type Environment = RunSummary['environment'];
export const ENVIRONMENTS = ['draft', 'live'] as const satisfies readonly Environment[];

type Exhaustive<T extends never> = T;
export type _EveryStatusListed = Exhaustive<Exclude<RunStatus, (typeof RUN_STATUSES)[number]>>;
export type _EveryTriggerListed = Exhaustive<Exclude<Trigger, (typeof TRIGGERS)[number]>>;

/** What the console shows: a run's status, or "pending" for a queued run due later. */
export type DisplayStatus = RunStatus | 'pending';

export function isRunStatus(value: string): value is RunStatus {
  return (RUN_STATUSES as readonly string[]).includes(value);
}

export function isTrigger(value: string): value is Trigger {
  return (TRIGGERS as readonly string[]).includes(value);
}

export function isEnvironment(value: string): value is Environment {
  return (ENVIRONMENTS as readonly string[]).includes(value);
}

/** A queued run whose run-at time is still ahead is "pending"; any other run shows its status. */
export function displayStatus(run: { status: RunStatus; runAt: Date }, now: number): DisplayStatus {
  return run.status === 'queued' && run.runAt.getTime() > now ? 'pending' : run.status;
}

/** The run may still change: the console keeps refreshing it. */
export function isActive(status: RunStatus): boolean {
  return status === 'queued' || status === 'running';
}

export const STATUS_LABELS: Record<DisplayStatus, string> = {
  queued: 'Queued',
  pending: 'Pending',
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  cancelled: 'Cancelled',
  interrupted: 'Interrupted',
  skipped: 'Skipped',
};

/** One line on what each status means, for titles and the filter's hints. */
export const STATUS_DESCRIPTIONS: Record<DisplayStatus, string> = {
  queued: 'Waiting for a runner',
  pending: 'Queued, due at a later time',
  running: 'A runner is executing it',
  succeeded: 'Finished without an error',
  failed: 'A step failed, or the run timed out',
  cancelled: 'Stopped on request',
  interrupted: 'Its runner stopped and no attempts were left',
  skipped: 'The workflow’s “Only when” was false',
};

export const TRIGGER_LABELS: Record<Trigger, string> = {
  api: 'API',
  schedule: 'Schedule',
  batch_item: 'Batch item',
  recurring: 'Recurring',
  data_change: 'Data change',
  custom_event: 'Custom event',
  test: 'Test',
};

export const TRIGGER_DESCRIPTIONS: Record<Trigger, string> = {
  api: 'A call of the workflow’s endpoint',
  schedule: 'Scheduled for a date',
  batch_item: 'One item of a list scheduled as a batch',
  recurring: 'A recurring job',
  data_change: 'A change of app data',
  custom_event: 'Called from another workflow',
  test: 'A test run from the editor',
};

export const ENVIRONMENT_LABELS: Record<Environment, string> = { draft: 'Draft', live: 'Live' };
