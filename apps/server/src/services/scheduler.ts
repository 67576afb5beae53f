import { z } from 'zod';
import { type CancelOne, type Db, type SchedulerStateRow, sqlDate } from '../db/index.ts';
import type { Actor } from './audit.ts';
import { Environment } from './runs.ts';

/**
 * What the console may do to scheduled work, implemented by the run engine (runner/scheduling.ts)
 * and handed to the API layer, which cannot import the runner.
 */
export interface SchedulerControl {
  /** Schedules a run of a workflow (by id) at a date; throws AppError for bad parameters. */
  scheduleById(request: { environment: Environment; workflowId: string; body: unknown; runAt: Date; scheduledBy: string }): Promise<{ runId: string }>;
  // Each change below writes its audit event (by `by`) in the transaction that makes it.
  cancelOne(environment: Environment, runId: string, by: Actor): Promise<CancelOne>;
  cancelBatch(environment: Environment, batchId: string, by: Actor): Promise<'cancelled' | 'ended' | 'unknown'>;
  /** Cancels every pending run of the environment; resolves with how many. */
  cancelAll(environment: Environment, by: Actor): Promise<number>;
  setPaused(environment: Environment, paused: boolean, by: Actor): Promise<void>;
  setChainDepthLimit(environment: Environment, limit: number, by: Actor): Promise<void>;
  setRecurringEnabled(workflowId: string, environment: Environment, enabled: boolean, by: Actor): Promise<void>;
  states(): SchedulerStateRow[];
}

/** The chain depth limit an admin may set. */
export const ChainDepthLimit = z.number().int().min(1).max(10_000);

export const PendingListInput = z.object({
  environment: Environment,
  workflowId: z.string().max(64).optional(),
  /** Due at or after. */
  from: z.date().optional(),
  /** Due before. */
  to: z.date().optional(),
  limit: z.number().int().min(1).max(200).default(50),
  /** The last row of the previous page: the next starts after its (due time, id). */
  cursor: z.object({ runAt: z.date(), id: z.string().max(64) }).optional(),
});
export type PendingListInput = z.infer<typeof PendingListInput>;

interface PendingRow {
  id: string;
  workflowId: string;
  workflowName: string;
  trigger: string;
  runAt: string;
  createdAt: string;
  input: string;
  scheduledBy: string | null;
  parentRunId: string | null;
  chainDepth: number;
  releaseNumber: number | null;
  draftRevision: number | null;
  attempts: number;
  batchId: string | null;
}

/** How much of a pending run's parameters the list shows; the run page has them whole. */
const INPUT_PREVIEW_CHARS = 300;

/**
 * Pending runs (queued, not started, nobody waiting) of an environment in due order, a page at a
 * time: keyset paging on (due time, id) off the partial index of queued runs, so page 20,000 of a
 * million costs what page 1 does. Raw SQL because the partial index is only used when the query
 * says `status = 'queued'` literally; filtered by workflow it must use that workflow's index
 * (the planner otherwise walks the whole environment's queue).
 */
export async function listPending(db: Db, input: PendingListInput) {
  const limit = input.limit;
  const conditions = [`status = 'queued'`, `priority = 0`, `environment = ?`];
  const params: unknown[] = [input.environment];
  if (input.workflowId) {
    conditions.push('workflowId = ?');
    params.push(input.workflowId);
  }
  if (input.from) {
    conditions.push('runAt >= ?');
    params.push(sqlDate(input.from));
  }
  if (input.to) {
    conditions.push('runAt < ?');
    params.push(sqlDate(input.to));
  }
  if (input.cursor) {
    conditions.push('(runAt > ? OR (runAt = ? AND id > ?))');
    const at = sqlDate(input.cursor.runAt);
    params.push(at, at, input.cursor.id);
  }
  const rows = await db.$queryRawUnsafe<PendingRow[]>(
    `SELECT id, workflowId, workflowName, trigger, runAt, createdAt, substr(input, 1, ${INPUT_PREVIEW_CHARS + 1}) AS input, scheduledBy,
      parentRunId, chainDepth, releaseNumber, draftRevision, attempts, batchId
     FROM Run ${input.workflowId ? 'INDEXED BY Run_pending_workflow_idx' : ''} WHERE ${conditions.join(' AND ')} ORDER BY runAt, id LIMIT ${limit + 1}`,
    ...params,
  );
  const page = rows.slice(0, limit).map((r) => ({
    id: r.id,
    workflowId: r.workflowId,
    workflowName: r.workflowName,
    trigger: r.trigger,
    runAt: new Date(r.runAt),
    createdAt: new Date(r.createdAt),
    parameters: r.input.length > INPUT_PREVIEW_CHARS ? `${r.input.slice(0, INPUT_PREVIEW_CHARS)}…` : r.input,
    scheduledBy: r.scheduledBy,
    parentRunId: r.parentRunId,
    chainDepth: Number(r.chainDepth),
    releaseNumber: r.releaseNumber === null ? null : Number(r.releaseNumber),
    draftRevision: r.draftRevision === null ? null : Number(r.draftRevision),
    retry: Number(r.attempts) > 0,
    batchId: r.batchId,
  }));
  const last = page[page.length - 1];
  return { runs: page, nextCursor: rows.length > limit && last ? { runAt: last.runAt, id: last.id } : null };
}

/** Pending runs per environment, and how many are due already. */
export async function queueDepth(db: Db, now: Date) {
  const rows = await db.$queryRawUnsafe<{ environment: string; pending: number; due: number }[]>(
    `SELECT environment, COUNT(*) AS pending, SUM(runAt <= ?) AS due FROM Run WHERE status = 'queued' AND priority = 0 GROUP BY environment`,
    sqlDate(now),
  );
  const byEnv = new Map(rows.map((r) => [r.environment, { pending: Number(r.pending), due: Number(r.due ?? 0) }]));
  return Environment.options.map((environment) => ({ environment, ...(byEnv.get(environment) ?? { pending: 0, due: 0 }) }));
}

export const BatchListInput = z.object({
  environment: Environment,
  limit: z.number().int().min(1).max(100).default(20),
  /** The id of the last batch of the previous page (newest first). */
  cursor: z.string().max(64).optional(),
});

interface BatchRowRead {
  id: string;
  workflowId: string;
  workflowName: string;
  total: number;
  materialized: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  running: number;
  status: string;
  ordered: number;
  intervalMs: number;
  startAt: string;
  scheduledBy: string;
  parentRunId: string | null;
  onFinish: string | null;
  onFinishRunId: string | null;
  cancelledBy: string | null;
  createdAt: string;
  finishedAt: string | null;
}

/** Batches of an environment, newest first, with their progress (running counted off the batch's items). */
export async function listBatches(db: Db, input: z.infer<typeof BatchListInput>) {
  const rows = await db.$queryRawUnsafe<BatchRowRead[]>(
    `SELECT b.id, b.workflowId, b.workflowName, b.total, b.materialized, b.succeeded, b.failed, b.cancelled, b.status, b.ordered, b.intervalMs,
       b.startAt, b.scheduledBy, b.parentRunId, b.onFinish, b.onFinishRunId, b.cancelledBy, b.createdAt, b.finishedAt,
       (SELECT COUNT(*) FROM Run r WHERE r.batchId = b.id AND r.status = 'running') AS running
     FROM Batch b WHERE b.environment = ? ${input.cursor ? 'AND b.id < ?' : ''} ORDER BY b.id DESC LIMIT ${input.limit + 1}`,
    ...[input.environment, ...(input.cursor ? [input.cursor] : [])],
  );
  const page = rows.slice(0, input.limit).map((r) => {
    const [succeeded, failed, cancelled, running, total] = [r.succeeded, r.failed, r.cancelled, r.running, r.total].map(Number) as [number, number, number, number, number];
    return {
      id: r.id,
      workflowId: r.workflowId,
      workflowName: r.workflowName,
      status: r.status as 'running' | 'finished' | 'cancelled',
      total,
      pending: Math.max(0, total - running - succeeded - failed - cancelled),
      running,
      succeeded,
      failed,
      cancelled,
      ordered: Number(r.ordered) === 1,
      intervalSeconds: Number(r.intervalMs) / 1000,
      startAt: new Date(r.startAt),
      scheduledBy: r.scheduledBy,
      parentRunId: r.parentRunId,
      onFinishWorkflowName: r.onFinish ? (JSON.parse(r.onFinish) as { workflowName: string }).workflowName : null,
      onFinishRunId: r.onFinishRunId,
      cancelledBy: r.cancelledBy,
      createdAt: new Date(r.createdAt),
      finishedAt: r.finishedAt === null ? null : new Date(r.finishedAt),
    };
  });
  const last = page[page.length - 1];
  return { batches: page, nextCursor: rows.length > input.limit && last ? last.id : null };
}
