import type { RouterInputs, RunStatus } from '../api/types.ts';
import {
  ENVIRONMENT_LABELS,
  type Environment,
  RUN_STATUSES,
  STATUS_LABELS,
  TRIGGER_LABELS,
  type Trigger,
  isEnvironment,
  isRunStatus,
  isTrigger,
} from './runs.ts';

/**
 * The runs list's filters, kept in the page's URL query so that a filtered view can be shared and
 * survives a reload:
 *
 *   /runs?workflow=<id>&status=failed,interrupted&env=live&trigger=api&range=24h
 *   /runs?since=2026-05-01T08:00:00.000Z&until=2026-05-02T08:00:00.000Z     (a custom time range)
 *
 * `name=<workflow name>` filters by the name at run time (runs of a deleted or renamed workflow).
 * Values the page does not know are ignored, so an old or hand-edited link still opens.
 */
export type TimeRange = 'all' | '1h' | '24h' | '7d' | 'custom';

export interface RunFilters {
  workflowId: string | null;
  workflowName: string | null;
  /** In the order of RUN_STATUSES; empty: any status. */
  statuses: RunStatus[];
  environment: Environment | null;
  trigger: Trigger | null;
  range: TimeRange;
  /** The custom range's bounds (only with range "custom"); either may be open. */
  since: Date | null;
  until: Date | null;
}

export const NO_FILTERS: RunFilters = {
  workflowId: null,
  workflowName: null,
  statuses: [],
  environment: null,
  trigger: null,
  range: 'all',
  since: null,
  until: null,
};

/** The relative ranges, their length and how the time filter names them. */
export const RELATIVE_RANGES = {
  '1h': { ms: 3_600_000, label: 'Last hour', phrase: 'in the last hour' },
  '24h': { ms: 24 * 3_600_000, label: 'Last 24 hours', phrase: 'in the last 24 hours' },
  '7d': { ms: 7 * 24 * 3_600_000, label: 'Last 7 days', phrase: 'in the last 7 days' },
} as const;
type RelativeRange = keyof typeof RELATIVE_RANGES;
const isRelativeRange = (value: string): value is RelativeRange => Object.hasOwn(RELATIVE_RANGES, value);

const ID_MAX = 64;

function parseDate(text: string | null): Date | null {
  if (!text) return null;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? null : date;
}

function parseId(text: string | null): string | null {
  const value = text?.trim();
  return value && value.length <= ID_MAX ? value : null;
}

export function parseRunFilters(search: URLSearchParams | string): RunFilters {
  const params = typeof search === 'string' ? new URLSearchParams(search) : search;
  const requested = new Set(
    params
      .getAll('status')
      .flatMap((value) => value.split(','))
      .map((value) => value.trim()),
  );
  const environment = params.get('env') ?? '';
  const trigger = params.get('trigger') ?? '';
  const range = params.get('range') ?? '';
  const since = parseDate(params.get('since'));
  const until = parseDate(params.get('until'));
  const custom = since !== null || until !== null;
  return {
    workflowId: parseId(params.get('workflow')),
    workflowName: parseId(params.get('name')),
    statuses: RUN_STATUSES.filter((status) => requested.has(status) && isRunStatus(status)),
    environment: isEnvironment(environment) ? environment : null,
    trigger: isTrigger(trigger) ? trigger : null,
    range: custom ? 'custom' : isRelativeRange(range) ? range : 'all',
    since: custom ? since : null,
    until: custom ? until : null,
  };
}

/** The URL query of a set of filters (without "?"), in one canonical order; no filters is "". */
export function runFiltersToSearch(filters: RunFilters): string {
  const params = new URLSearchParams();
  if (filters.workflowId) params.set('workflow', filters.workflowId);
  if (filters.workflowName) params.set('name', filters.workflowName);
  const statuses = RUN_STATUSES.filter((s) => filters.statuses.includes(s));
  if (statuses.length > 0) params.set('status', statuses.join(','));
  if (filters.environment) params.set('env', filters.environment);
  if (filters.trigger) params.set('trigger', filters.trigger);
  if (filters.range === 'custom') {
    if (filters.since) params.set('since', filters.since.toISOString());
    if (filters.until) params.set('until', filters.until.toISOString());
  } else if (filters.range !== 'all') {
    params.set('range', filters.range);
  }
  // Keep commas readable in shared links ("status=failed,interrupted").
  return params.toString().replaceAll('%2C', ',');
}

export function isFiltered(filters: RunFilters): boolean {
  return runFiltersToSearch(filters) !== '';
}

export type RunListFilter = Omit<Exclude<RouterInputs['run']['list'], void | undefined>, 'limit' | 'cursor'>;

/** What `run.list` gets for these filters; relative ranges are counted back from `now`. */
export function runListInput(filters: RunFilters, now: number): RunListFilter {
  const input: RunListFilter = {};
  if (filters.workflowId) input.workflowId = filters.workflowId;
  if (filters.workflowName) input.workflowName = filters.workflowName;
  if (filters.statuses.length > 0) input.status = [...filters.statuses];
  if (filters.environment) input.environment = filters.environment;
  if (filters.trigger) input.trigger = filters.trigger;
  if (filters.range === 'custom') {
    if (filters.since) input.since = filters.since;
    if (filters.until) input.until = filters.until;
  } else if (filters.range !== 'all') {
    input.since = new Date(now - RELATIVE_RANGES[filters.range].ms);
  }
  return input;
}

/** "a" / "a or b" / "a, b or c". */
function orList(words: string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

/**
 * The filtered view in words, for its empty state: "failed or interrupted runs of “greet” in live,
 * triggered by API, in the last 24 hours". `workflowLabel` is the workflow's current name.
 */
export function describeRunFilters(
  filters: RunFilters,
  { workflowLabel, formatDate }: { workflowLabel?: string | null; formatDate: (date: Date) => string },
): string {
  const statuses = filters.statuses.map((s) => STATUS_LABELS[s].toLowerCase());
  let text = statuses.length > 0 ? `${orList(statuses)} runs` : 'runs';
  const workflow = workflowLabel ?? filters.workflowName;
  if (workflow) text += ` of “${workflow}”`;
  else if (filters.workflowId) text += ' of this workflow';
  if (filters.environment) text += ` in ${ENVIRONMENT_LABELS[filters.environment].toLowerCase()}`;
  if (filters.trigger) text += `, triggered by ${TRIGGER_LABELS[filters.trigger]}`;
  if (filters.range === 'custom') {
    if (filters.since && filters.until) text += `, created between ${formatDate(filters.since)} and ${formatDate(filters.until)}`;
    else if (filters.since) text += `, created since ${formatDate(filters.since)}`;
    else if (filters.until) text += `, created before ${formatDate(filters.until)}`;
  } else if (filters.range !== 'all') {
    text += `, ${RELATIVE_RANGES[filters.range].phrase}`;
  }
  return text;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A date as an `<input type="datetime-local">` value, in the browser's time zone ("2026-05-01T10:00"). */
export function toDateTimeLocal(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** The instant an `<input type="datetime-local">` value names in the browser's time zone; "" is none. */
export function fromDateTimeLocal(value: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value);
  if (!match) return null;
  const [, y, mo, d, h, mi, s] = match.map(Number) as [number, number, number, number, number, number, number | undefined];
  const date = new Date(y, mo - 1, d, h, mi, Number.isNaN(s) ? 0 : (s ?? 0));
  return Number.isNaN(date.getTime()) ? null : date;
}
