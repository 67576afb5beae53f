import type { RouterInputs } from '../api/types.ts';
import { type Environment, isEnvironment } from './runs.ts';

/**
 * The Scheduler page's view, kept in its URL query so that a view can be shared and survives a
 * reload:
 *
 *   /scheduler?env=live&workflow=<id>&from=2026-05-01T08:00:00.000Z&to=2026-05-02T08:00:00.000Z
 *
 * `env` is the environment whose queue is shown (draft when absent); `from` and `to` bound the due
 * time (from inclusive, to exclusive, as the server reads them). Values the page does not know are
 * ignored, so an old or hand-edited link still opens.
 */
export interface SchedulerView {
  environment: Environment;
  workflowId: string | null;
  from: Date | null;
  to: Date | null;
}

export const DEFAULT_ENVIRONMENT: Environment = 'draft';

const ID_MAX = 64;

function parseDate(text: string | null): Date | null {
  if (!text) return null;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? null : date;
}

export function parseSchedulerView(search: URLSearchParams | string): SchedulerView {
  const params = typeof search === 'string' ? new URLSearchParams(search) : search;
  const env = params.get('env') ?? '';
  const workflowId = params.get('workflow')?.trim();
  return {
    environment: isEnvironment(env) ? env : DEFAULT_ENVIRONMENT,
    workflowId: workflowId && workflowId.length <= ID_MAX ? workflowId : null,
    from: parseDate(params.get('from')),
    to: parseDate(params.get('to')),
  };
}

/** The URL query of a view (without "?"), in one canonical order; the environment is always named. */
export function schedulerViewToSearch(view: SchedulerView): string {
  const params = new URLSearchParams();
  params.set('env', view.environment);
  if (view.workflowId) params.set('workflow', view.workflowId);
  if (view.from) params.set('from', view.from.toISOString());
  if (view.to) params.set('to', view.to.toISOString());
  return params.toString();
}

/** The view narrows the environment's queue (a workflow or a due time range). */
export function isNarrowed(view: SchedulerView): boolean {
  return view.workflowId !== null || view.from !== null || view.to !== null;
}

/** The same environment, every pending run. */
export function withoutFilters(view: SchedulerView): SchedulerView {
  return { environment: view.environment, workflowId: null, from: null, to: null };
}

export type PendingListInput = RouterInputs['scheduler']['pending'];
export type PendingCursor = NonNullable<PendingListInput['cursor']>;

/** What `scheduler.pending` gets for a view and a page (the cursor of the page before; none for the first). */
export function pendingListInput(view: SchedulerView, limit: number, cursor: PendingCursor | null): PendingListInput {
  const input: PendingListInput = { environment: view.environment, limit };
  if (view.workflowId) input.workflowId = view.workflowId;
  if (view.from) input.from = view.from;
  if (view.to) input.to = view.to;
  if (cursor) input.cursor = cursor;
  return input;
}

/**
 * Who or what scheduled a run, as the server records it: `api` (the schedule endpoint),
 * `user:<email>` (the console), `run:<run id>` (a step of that run), `batch:<id>` (an item of a
 * list), `recurring` (a recurring job). Anything else is shown as it is.
 */
export type ScheduledBy =
  | { kind: 'api' }
  | { kind: 'user'; email: string }
  | { kind: 'run'; runId: string }
  | { kind: 'batch'; batchId: string }
  | { kind: 'recurring' }
  | { kind: 'other'; text: string }
  | { kind: 'none' };

export function parseScheduledBy(value: string | null): ScheduledBy {
  if (value === null || value === '') return { kind: 'none' };
  if (value === 'api') return { kind: 'api' };
  if (value === 'recurring') return { kind: 'recurring' };
  const colon = value.indexOf(':');
  const prefix = colon > 0 ? value.slice(0, colon) : '';
  const rest = colon > 0 ? value.slice(colon + 1) : '';
  if (rest) {
    if (prefix === 'user') return { kind: 'user', email: rest };
    if (prefix === 'run') return { kind: 'run', runId: rest };
    if (prefix === 'batch') return { kind: 'batch', batchId: rest };
  }
  return { kind: 'other', text: value };
}

/** "1,234" in the browser's locale. */
export function formatCount(count: number): string {
  return count.toLocaleString();
}
