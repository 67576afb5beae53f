import type { RouterOutputs } from '../api/types.ts';
import { NO_FILTERS, runFiltersToSearch } from './runFilters.ts';
import type { Environment } from './runs.ts';

/**
 * The Recurring jobs page's rules in plain functions: when a job's switch may be used and why not,
 * the optimistic change of a switch, the link to a job's runs, fire times and history in words.
 */
export type RecurringList = RouterOutputs['recurring']['list'];
export type RecurringJob = RecurringList['jobs'][number];
export type RecurringJobEnvironment = RecurringJob['environments'][number];
export type RecurringHistoryEntry = RecurringJobEnvironment['history'][number];

export const ADMINS_ONLY = 'Only admins can switch recurring jobs';

/** Why an environment has no job to switch on (`available` false). */
export const UNAVAILABLE_REASONS: Record<Environment, string> = {
  draft: 'The draft is not recurring',
  live: 'Not deployed as a recurring job',
};

/** What to do about it, said under the reason. */
export const UNAVAILABLE_HINTS: Record<Environment, string> = {
  draft: 'Its saved draft starts with another event: give it a Recurring event in the editor.',
  live: 'The live release has no Recurring event for it: deploy the workflow to switch it on in live.',
};

export interface SwitchRule {
  disabled: boolean;
  /** Why it is disabled (also its title), or null. */
  reason: string | null;
}

/**
 * Admins switch jobs. A job without a schedule in its environment cannot be switched on, but one
 * left on (a release made it not recurring) can still be switched off.
 */
export function switchRule(job: Pick<RecurringJobEnvironment, 'environment' | 'available' | 'enabled'>, isAdmin: boolean): SwitchRule {
  if (!isAdmin) return { disabled: true, reason: ADMINS_ONLY };
  if (!job.available && !job.enabled) return { disabled: true, reason: UNAVAILABLE_REASONS[job.environment] };
  return { disabled: false, reason: null };
}

/** The Runs page filtered to a job's runs: `/runs?workflow=<id>&env=<env>&trigger=recurring`. */
export function recurringRunsHref(workflowId: string, environment: Environment): string {
  return `/runs?${runFiltersToSearch({ ...NO_FILTERS, workflowId, environment, trigger: 'recurring' })}`;
}

/** The list with one switch changed, as the page shows it until the server answers. */
export function withJobEnabled(
  list: RecurringList,
  change: { workflowId: string; environment: Environment; enabled: boolean; by: string | null; at: Date | null },
): RecurringList {
  return {
    ...list,
    jobs: list.jobs.map((job) =>
      job.workflowId !== change.workflowId
        ? job
        : {
            ...job,
            environments: job.environments.map((env) =>
              env.environment !== change.environment || env.enabled === change.enabled
                ? env
                : { ...env, enabled: change.enabled, changedAt: change.at, changedBy: change.by },
            ),
          },
    ),
  };
}

/** Whether any of these instants has seconds (then every fire time shows them). */
export function needsSeconds(dates: readonly Date[]): boolean {
  return dates.some((d) => d.getSeconds() !== 0 || d.getMilliseconds() !== 0);
}

/**
 * A fire time in the browser's zone, compact and unambiguous: "Tue 12 May, 09:00" (this year),
 * "Tue 12 May 2027, 09:00" (another), with seconds when `seconds`.
 */
export function formatFireTime(date: Date, now: number, { seconds = false, locale }: { seconds?: boolean; locale?: string } = {}): string {
  const sameYear = date.getFullYear() === new Date(now).getFullYear();
  return new Intl.DateTimeFormat(locale, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    ...(sameYear ? {} : { year: 'numeric' }),
    hour: '2-digit',
    minute: '2-digit',
    ...(seconds ? { second: '2-digit' } : {}),
  }).format(date);
}

/** The browser's IANA time zone ("Europe/Paris"), or null when the runtime does not say. */
export function browserTimeZone(): string | null {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || null;
  } catch {
    return null;
  }
}

/** The page's note on time zones: fire times are shown in the browser's zone; schedules run in theirs. */
export function zoneNote(instanceZone: string, browserZone: string | null): string {
  if (browserZone === instanceZone) {
    return `Times are in your time zone, ${instanceZone}, which is also the server's: schedules without a zone of their own run in it.`;
  }
  return `Times are shown in your time zone${browserZone ? ` (${browserZone})` : ''}. Schedules without a zone of their own run in the server's, ${instanceZone}.`;
}

/** The kinds of history entry the server records (the column is text: others are shown as they are). */
export type HistoryKind = 'enabled' | 'disabled' | 'missed_once' | 'missed_skipped' | 'rescheduled';

export const HISTORY_LABELS: Record<HistoryKind, string> = {
  enabled: 'Switched on',
  disabled: 'Switched off',
  missed_once: 'Missed, ran once',
  missed_skipped: 'Missed, skipped',
  rescheduled: 'Schedule changed',
};

export function isHistoryKind(kind: string): kind is HistoryKind {
  return Object.hasOwn(HISTORY_LABELS, kind);
}

/** A history entry's kind in words (an unknown word is shown as it is). */
export function historyLabel(kind: string): string {
  return isHistoryKind(kind) ? HISTORY_LABELS[kind] : kind;
}
