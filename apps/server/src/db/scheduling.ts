import type Database from 'better-sqlite3';
import type { BatchStore } from './batches.ts';
import { type Sqlite, sqlDate } from './sqlite.ts';

/** What cancelling a set of run ids did. */
export interface CancelResult {
  cancelled: number;
  /** Had started (or ended) already: not cancelled. */
  started: number;
  /** No run of that id in the environment. */
  unknown: number;
}

/** started: an attempt began (it may be waiting to retry); ended: it has finished already. */
export type CancelOne = 'cancelled' | 'started' | 'ended' | 'unknown';

export interface SchedulerStateRow {
  environment: string;
  paused: boolean;
  changedAt: Date | null;
  changedBy: string | null;
  chainDepthLimit: number;
}

/** Rows one cancel-all transaction changes, so a million pending runs never hold the write lock for long. */
const CANCEL_CHUNK = 5000;

/**
 * The scheduler's SQL on the engine's connection: cancelling pending runs (and counting them in
 * their batch), the per-environment state (paused, chain depth limit), and dedupe lookups. A run
 * counts as started once an attempt began (attempts > 0): only runs that never started are
 * cancelled, so nothing that had an effect is silently dropped.
 */
export class SchedulingStore {
  private readonly runStateStmt: Database.Statement<[string, string], { status: string; attempts: number; batchId: string | null }>;
  private readonly runWorkflowStmt: Database.Statement<[string, string], { workflowId: string; workflowName: string }>;
  private readonly cancelStmt: Database.Statement;
  private readonly byDedupeStmt: Database.Statement<[string], { id: string }>;
  private readonly stateStmt: Database.Statement<[], { environment: string; paused: number; changedAt: string | null; changedBy: string | null; chainDepthLimit: number }>;
  private readonly setPausedStmt: Database.Statement;
  private readonly setChainLimitStmt: Database.Statement;
  private readonly depthStmt: Database.Statement<[], { environment: string; n: number }>;
  private readonly pendingChunkStmt: Database.Statement<[string, string, number], { id: string; batchId: string | null }>;

  constructor(
    db: Sqlite,
    private readonly batches: BatchStore,
  ) {
    this.runStateStmt = db.prepare(`SELECT status, attempts, batchId FROM Run WHERE id = ? AND environment = ?`);
    this.runWorkflowStmt = db.prepare(`SELECT workflowId, workflowName FROM Run WHERE id = ? AND environment = ?`);
    this.cancelStmt = db.prepare(`UPDATE Run SET status = 'cancelled', error = ?, finishedAt = ?
      WHERE id = ? AND status = 'queued' AND attempts = 0`);
    this.byDedupeStmt = db.prepare(`SELECT id FROM Run WHERE dedupeKey = ?`);
    this.stateStmt = db.prepare(`SELECT environment, paused, changedAt, changedBy, chainDepthLimit FROM SchedulerState ORDER BY environment`);
    this.setPausedStmt = db.prepare(`UPDATE SchedulerState SET paused = ?, changedAt = ?, changedBy = ? WHERE environment = ?`);
    this.setChainLimitStmt = db.prepare(`UPDATE SchedulerState SET chainDepthLimit = ? WHERE environment = ?`);
    // Off the due index (priority, environment, ...): only queued runs are counted.
    this.depthStmt = db.prepare(`SELECT environment, COUNT(*) AS n FROM Run WHERE status = 'queued' AND priority = 0 GROUP BY environment`);
    // Pending runs of an environment in id order, off the due index (status = 'queued').
    this.pendingChunkStmt = db.prepare(`SELECT id, batchId FROM Run WHERE status = 'queued' AND attempts = 0 AND environment = ? AND id > ?
      ORDER BY id LIMIT ?`);
  }

  // The writes below run inside the caller's transaction (a group commit write).

  /** Cancels these pending runs of the environment. */
  cancel(environment: string, runIds: readonly string[], reason: string, now: Date): CancelResult {
    const result: CancelResult = { cancelled: 0, started: 0, unknown: 0 };
    const batches = new Map<string, number>();
    for (const id of runIds) {
      const outcome = this.cancelOneWithin(environment, id, reason, now, batches);
      result[outcome === 'ended' ? 'started' : outcome]++;
    }
    this.settleBatches(batches, now);
    return result;
  }

  /** The workflow a run of the environment belongs to (its name when the run was made). */
  runWorkflow(environment: string, runId: string): { workflowId: string; workflowName: string } | null {
    return this.runWorkflowStmt.get(runId, environment) ?? null;
  }

  cancelOne(environment: string, runId: string, reason: string, now: Date): CancelOne {
    const batches = new Map<string, number>();
    const outcome = this.cancelOneWithin(environment, runId, reason, now, batches);
    this.settleBatches(batches, now);
    return outcome;
  }

  /**
   * Cancels up to a chunk of pending runs of the environment with ids after `after`; cancel-all
   * calls it a chunk per transaction, so the write lock is never held for long.
   */
  cancelChunk(environment: string, after: string, reason: string, now: Date): { cancelled: number; last: string | null; done: boolean } {
    const rows = this.pendingChunkStmt.all(environment, after, CANCEL_CHUNK);
    const batches = new Map<string, number>();
    let cancelled = 0;
    for (const row of rows) {
      if (this.cancelStmt.run(reason, sqlDate(now), row.id).changes === 0) continue;
      cancelled++;
      if (row.batchId) batches.set(row.batchId, (batches.get(row.batchId) ?? 0) + 1);
    }
    this.settleBatches(batches, now);
    return { cancelled, last: rows[rows.length - 1]?.id ?? null, done: rows.length < CANCEL_CHUNK };
  }

  /** Runs queued and not started (nobody waiting for them), per environment. */
  queueDepth(): Record<string, number> {
    const depth: Record<string, number> = { draft: 0, live: 0 };
    for (const row of this.depthStmt.all()) depth[row.environment] = row.n;
    return depth;
  }

  /** The run a dedupe key made, if any. */
  byDedupeKey(key: string): string | null {
    return this.byDedupeStmt.get(key)?.id ?? null;
  }

  states(): SchedulerStateRow[] {
    return this.stateStmt.all().map((r) => ({
      environment: r.environment,
      paused: r.paused === 1,
      changedAt: r.changedAt === null ? null : new Date(r.changedAt),
      changedBy: r.changedBy,
      chainDepthLimit: r.chainDepthLimit,
    }));
  }

  state(environment: string): SchedulerStateRow {
    const row = this.states().find((s) => s.environment === environment);
    if (!row) throw new Error(`No scheduler state for environment ${environment}`);
    return row;
  }

  setPaused(environment: string, paused: boolean, by: string, now: Date): void {
    this.setPausedStmt.run(paused ? 1 : 0, sqlDate(now), by, environment);
  }

  /** `changedAt`/`changedBy` say who paused or resumed; the limit's changes are not tracked there. */
  setChainDepthLimit(environment: string, limit: number): void {
    this.setChainLimitStmt.run(limit, environment);
  }

  private cancelOneWithin(environment: string, id: string, reason: string, now: Date, batches: Map<string, number>): CancelOne {
    const row = this.runStateStmt.get(id, environment);
    if (!row) return 'unknown';
    if (row.status !== 'queued' && row.status !== 'running') return 'ended';
    if (row.status !== 'queued' || row.attempts > 0) return 'started';
    if (this.cancelStmt.run(reason, sqlDate(now), id).changes === 0) return 'started';
    if (row.batchId) batches.set(row.batchId, (batches.get(row.batchId) ?? 0) + 1);
    return 'cancelled';
  }

  private settleBatches(batches: ReadonlyMap<string, number>, now: Date): void {
    for (const [batchId, count] of batches) this.batches.itemsEnded(batchId, { cancelled: count }, now);
  }
}
