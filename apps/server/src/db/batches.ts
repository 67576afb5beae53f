import type Database from 'better-sqlite3';
import { V7Generator } from 'uuidv7';
import type { RunRow, RunWrites } from './runWrites.ts';
import { type Sqlite, sqlDate } from './sqlite.ts';

/** A batch as made by "Schedule API workflow on a list": what every item's run shares, and the list. */
export interface NewBatch {
  id: string;
  environment: string;
  workflowId: string;
  workflowName: string;
  releaseNumber: number | null;
  draftRevision: number | null;
  maxAttempts: number;
  concurrencyLimit: number | null;
  parentRunId: string | null;
  chainDepth: number;
  scheduledBy: string;
  dedupeKey: string | null;
  /** The list, as JSON text (an array). */
  items: string;
  total: number;
  itemKey: string;
  /** The other parameters, as a JSON object's text. */
  baseInput: string;
  startAt: Date;
  intervalMs: number;
  ordered: boolean;
  /** The run made when every item has ended (JSON of OnFinishRun), or null. */
  onFinish: string | null;
  createdAt: Date;
}

/** The run a batch makes when it ends: a run of this workflow, pinned when the batch was made. */
export interface OnFinishRun {
  workflowId: string;
  workflowName: string;
  releaseNumber: number | null;
  draftRevision: number | null;
  maxAttempts: number;
  concurrencyLimit: number | null;
}

/** Counts of items that just ended. Skipped items (an "Only when" was false) count as succeeded. */
export interface Ended {
  succeeded?: number;
  failed?: number;
  cancelled?: number;
}

export interface FeedResult {
  /** Item runs made now. */
  made: number;
  /** When the next item not yet made is due (null: none left, or it waits for an item to end). */
  nextDueAt: Date | null;
  /** Items made and not ended yet. */
  backlog: number;
}

interface BatchState {
  id: string;
  environment: string;
  workflowId: string;
  workflowName: string;
  releaseNumber: number | null;
  draftRevision: number | null;
  maxAttempts: number;
  concurrencyLimit: number | null;
  chainDepth: number;
  itemKey: string;
  baseInput: string;
  total: number;
  materialized: number;
  startAt: string;
  intervalMs: number;
  ordered: number;
  ended: number;
  status: string;
  cancelledBy: string | null;
}

/** Parsed lists of the batches this process feeds, most recently used last. */
const CACHED_LISTS = 4;

/**
 * Batches in SQL, on the engine's connection; every method runs inside the caller's transaction
 * (a group commit write). The list is stored once, on the batch; items become runs a chunk at a
 * time as they come due (`feed`), or one after another for an ordered batch (the next is made in
 * the transaction that ends the one before). Counters are kept on the batch row as items end, so
 * progress is a single-row read, and the batch ends (running its end workflow once) in the
 * transaction that ends its last item.
 */
export class BatchStore {
  private readonly insertStmt: Database.Statement;
  private readonly insertListStmt: Database.Statement;
  private readonly byDedupeStmt: Database.Statement<[string], { id: string }>;
  private readonly stateStmt: Database.Statement<[string], BatchState>;
  private readonly itemsStmt: Database.Statement<[string], { items: string }>;
  private readonly countStmt: Database.Statement;
  private readonly advanceStmt: Database.Statement;
  private readonly completeStmt: Database.Statement<[string, string], { onFinish: string | null; total: number; succeeded: number; failed: number; cancelled: number; parentRunId: string | null; environment: string; chainDepth: number }>;
  private readonly onFinishRunStmt: Database.Statement;
  private readonly cancelItemsStmt: Database.Statement;
  private readonly cancelBatchStmt: Database.Statement;
  private readonly feedableStmt: Database.Statement<[], { id: string }>;
  private readonly runningInEnvStmt: Database.Statement<[string], { id: string }>;
  private readonly lists = new Map<string, unknown[]>();

  /** Ids of the runs batches make: UUIDv7 at the time given, like the engine's. */
  private readonly ids = new V7Generator();

  constructor(
    private readonly db: Sqlite,
    private readonly writes: RunWrites,
  ) {
    this.insertStmt = db.prepare(`INSERT INTO Batch (id, environment, workflowId, workflowName, releaseNumber, draftRevision, maxAttempts,
      concurrencyLimit, parentRunId, chainDepth, scheduledBy, dedupeKey, itemKey, baseInput, total, materialized, startAt, intervalMs,
      ordered, status, onFinish, createdAt)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, 'running', ?, ?) ON CONFLICT (dedupeKey) DO NOTHING`);
    this.insertListStmt = db.prepare(`INSERT INTO BatchList (batchId, items) VALUES (?, ?)`);
    this.byDedupeStmt = db.prepare(`SELECT id FROM Batch WHERE dedupeKey = ?`);
    this.stateStmt = db.prepare(`SELECT id, environment, workflowId, workflowName, releaseNumber, draftRevision, maxAttempts, concurrencyLimit,
      chainDepth, itemKey, baseInput, total, materialized, startAt, intervalMs, ordered, succeeded + failed + cancelled AS ended, status,
      cancelledBy FROM Batch WHERE id = ?`);
    this.itemsStmt = db.prepare(`SELECT items FROM BatchList WHERE batchId = ?`);
    this.countStmt = db.prepare(`UPDATE Batch SET succeeded = succeeded + ?, failed = failed + ?, cancelled = cancelled + ? WHERE id = ?`);
    this.advanceStmt = db.prepare(`UPDATE Batch SET materialized = ? WHERE id = ? AND materialized = ?`);
    this.completeStmt = db.prepare(`UPDATE Batch SET status = CASE WHEN cancelledBy IS NULL THEN 'finished' ELSE 'cancelled' END, finishedAt = ?
      WHERE id = ? AND status = 'running' AND materialized >= total AND succeeded + failed + cancelled >= total
      RETURNING onFinish, total, succeeded, failed, cancelled, parentRunId, environment, chainDepth`);
    this.onFinishRunStmt = db.prepare(`UPDATE Batch SET onFinishRunId = ? WHERE id = ?`);
    this.cancelItemsStmt = db.prepare(`UPDATE Run SET status = 'cancelled', error = ?, finishedAt = ?
      WHERE batchId = ? AND status = 'queued' AND attempts = 0`);
    this.cancelBatchStmt = db.prepare(`UPDATE Batch SET cancelledBy = ?, cancelled = cancelled + ? + (total - materialized), materialized = total
      WHERE id = ? AND status = 'running'`);
    this.feedableStmt = db.prepare(`SELECT id FROM Batch WHERE status = 'running' AND NOT ordered AND materialized < total`);
    this.runningInEnvStmt = db.prepare(`SELECT id FROM Batch WHERE status = 'running' AND environment = ?`);
  }

  /** Records a batch; false when its dedupe key made one already. */
  insert(b: NewBatch): boolean {
    const changes = this.insertStmt.run(
      b.id,
      b.environment,
      b.workflowId,
      b.workflowName,
      b.releaseNumber,
      b.draftRevision,
      b.maxAttempts,
      b.concurrencyLimit,
      b.parentRunId,
      b.chainDepth,
      b.scheduledBy,
      b.dedupeKey,
      b.itemKey,
      b.baseInput,
      b.total,
      sqlDate(b.startAt),
      b.intervalMs,
      b.ordered ? 1 : 0,
      b.onFinish,
      sqlDate(b.createdAt),
    ).changes;
    if (changes > 0) this.insertListStmt.run(b.id, b.items);
    return changes > 0;
  }

  byDedupeKey(key: string): string | null {
    return this.byDedupeStmt.get(key)?.id ?? null;
  }

  /** Running batches with items not yet made that are not ordered (the feeder's work). */
  feedable(): string[] {
    return this.feedableStmt.all().map((r) => r.id);
  }

  runningIn(environment: string): string[] {
    return this.runningInEnvStmt.all(environment).map((r) => r.id);
  }

  /**
   * Makes the runs of the next items: for an ordered batch the next one when none is in flight;
   * otherwise up to `chunk` items due by `horizon`, keeping at most `maxBacklog` made and not ended.
   */
  feed(batchId: string, now: Date, horizon: Date, chunk: number, maxBacklog: number): FeedResult {
    const b = this.stateStmt.get(batchId);
    if (!b || b.status !== 'running' || b.cancelledBy !== null || b.materialized >= b.total) {
      return { made: 0, nextDueAt: null, backlog: b ? b.materialized - b.ended : 0 };
    }
    const backlog = b.materialized - b.ended;
    const startAt = new Date(b.startAt).getTime();
    const dueAt = (index: number) => startAt + index * b.intervalMs;
    const allowed = b.ordered ? (backlog === 0 ? 1 : 0) : Math.min(chunk, maxBacklog - backlog);
    const items = allowed > 0 ? this.list(batchId) : [];
    let index = b.materialized;
    const end = Math.min(b.total, b.materialized + Math.max(0, allowed));
    let reachedHorizon = false;
    const nowMs = now.getTime();
    const base = b.baseInput === '{}' ? '{' : `${b.baseInput.slice(0, -1)},`;
    const key = `${JSON.stringify(b.itemKey)}:`;
    for (; index < end; index++) {
      const due = dueAt(index);
      // Scheduling refuses batches that end after year 9999; a stored one never makes a bad date.
      if (!Number.isFinite(new Date(due).getTime())) break;
      if (!b.ordered && due > horizon.getTime()) {
        reachedHorizon = true;
        break;
      }
      const runAt = new Date(b.ordered ? Math.max(due, nowMs) : due);
      const run: RunRow = {
        id: this.newId(now),
        workflowId: b.workflowId,
        workflowName: b.workflowName,
        environment: b.environment,
        trigger: 'batch_item',
        status: 'queued',
        releaseNumber: b.releaseNumber,
        draftRevision: b.draftRevision,
        mode: 'async',
        runAt,
        priority: 0,
        attempts: 0,
        maxAttempts: b.maxAttempts,
        nextAttemptReason: null,
        recovered: false,
        leaseOwner: null,
        leaseExpiresAt: null,
        concurrencyLimit: b.concurrencyLimit,
        parentRunId: null,
        chainDepth: b.chainDepth,
        scheduledBy: `batch:${b.id}`,
        dedupeKey: null,
        batchId: b.id,
        batchIndex: index,
        input: `${base}${key}${JSON.stringify(items[index] ?? null)}}`,
        output: null,
        error: null,
        createdAt: now,
        startedAt: null,
        finishedAt: null,
        durationMs: null,
      };
      this.writes.insertRun(run, null)(this.db);
    }
    const made = index - b.materialized;
    if (made > 0) this.advanceStmt.run(index, batchId, b.materialized);
    if (index >= b.total) this.lists.delete(batchId);
    // Stopped at the horizon: the feeder comes back before the next item is due. Otherwise it is
    // done, or waits for items to end (the backlog is full, or the batch is ordered).
    return { made, nextDueAt: reachedHorizon ? new Date(dueAt(index)) : null, backlog: backlog + made };
  }

  /**
   * Counts items that ended; for an ordered batch makes the next item's run; ends the batch when
   * every item has ended (making its end run). Returns the end run's id when one was made.
   */
  itemsEnded(batchId: string, ended: Ended, now: Date): string | null {
    this.countStmt.run(ended.succeeded ?? 0, ended.failed ?? 0, ended.cancelled ?? 0, batchId);
    const b = this.stateStmt.get(batchId);
    if (b?.ordered) this.feed(batchId, now, now, 1, 1);
    return this.complete(batchId, now);
  }

  /**
   * Cancels a running batch of the environment: its items that have not started are cancelled and
   * no more are made; it ends (and runs its end workflow) once the items in flight end.
   */
  cancel(batchId: string, environment: string, by: string, now: Date): 'cancelled' | 'ended' | 'unknown' {
    const b = this.stateStmt.get(batchId);
    if (!b || b.environment !== environment) return 'unknown';
    if (b.status !== 'running' || b.cancelledBy !== null) return 'ended';
    const cancelled = this.cancelItemsStmt.run(`Cancelled by ${by} (the batch was cancelled)`, sqlDate(now), batchId).changes;
    this.cancelBatchStmt.run(by, cancelled, batchId);
    this.lists.delete(batchId);
    this.complete(batchId, now);
    return 'cancelled';
  }

  private complete(batchId: string, now: Date): string | null {
    const done = this.completeStmt.get(sqlDate(now), batchId);
    if (!done?.onFinish) return null;
    const target = JSON.parse(done.onFinish) as OnFinishRun;
    const id = this.newId(now);
    const input = JSON.stringify({ batch_id: batchId, total: done.total, succeeded: done.succeeded, failed: done.failed, cancelled: done.cancelled });
    this.writes.insertRun(
      {
        id,
        ...target,
        environment: done.environment,
        trigger: 'schedule',
        status: 'queued',
        mode: 'async',
        runAt: now,
        priority: 0,
        attempts: 0,
        nextAttemptReason: null,
        recovered: false,
        leaseOwner: null,
        leaseExpiresAt: null,
        parentRunId: done.parentRunId,
        chainDepth: done.chainDepth,
        scheduledBy: `batch:${batchId}`,
        dedupeKey: `batch-end:${batchId}`,
        batchId: null,
        batchIndex: null,
        input,
        output: null,
        error: null,
        createdAt: now,
        startedAt: null,
        finishedAt: null,
        durationMs: null,
      },
      null,
    )(this.db);
    this.onFinishRunStmt.run(id, batchId);
    return id;
  }

  private newId(now: Date): string {
    return this.ids.generateOrResetCore(now.getTime(), 10_000).toString();
  }

  private list(batchId: string): unknown[] {
    let items = this.lists.get(batchId);
    if (items) {
      this.lists.delete(batchId);
    } else {
      const row = this.itemsStmt.get(batchId);
      items = row ? (JSON.parse(row.items) as unknown[]) : [];
      if (this.lists.size >= CACHED_LISTS) this.lists.delete(this.lists.keys().next().value!);
    }
    this.lists.set(batchId, items);
    return items;
  }

}
