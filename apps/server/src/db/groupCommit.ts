import type { Sqlite } from './sqlite.ts';
import { isBusy } from './sqlite.ts';

/** One write of a batch: runs inside the batch's transaction, synchronously. */
export type WriteOp = (db: Sqlite) => void;

interface Pending {
  op: WriteOp;
  resolve(): void;
  reject(error: unknown): void;
  /** Date.now() after which the write is given up (only ever while the database is busy). */
  deadline: number;
}

/** A write that could not be committed before its deadline; it was taken out of the queue, so it will never be. */
export class WriteTimeoutError extends Error {
  override name = 'WriteTimeoutError';
  constructor() {
    super('The database could not be written in time');
  }
}

/** How long writes may keep failing (a busy database) before the writer counts as unhealthy. */
const UNHEALTHY_AFTER_MS = 1000;

export interface GroupCommitOptions {
  /** How long the first write of a batch waits for others to join it. 0: the next turn of the event loop. */
  batchMs: number;
  /** A batch is committed at once when it reaches this many writes. */
  maxBatch: number;
  onError?(error: unknown, context: string): void;
}

/**
 * Group commit: writes queued during a short window are committed in one transaction, so a
 * thousand runs a second cost tens of commits, not thousands. `write` resolves once the write is
 * durable (committed under the connection's `synchronous` mode). The transaction is BEGIN
 * IMMEDIATE and synchronous, so it never interleaves with other work on this connection.
 *
 * When the database is busy (another connection or process holds the write lock) the batch is
 * retried from a timer with backoff, without blocking the event loop; while that goes on, or after
 * a write failed for another reason, `healthy` is false (/healthz answers 503). A batch that fails
 * for another reason is split, so one bad write fails alone.
 */
export class GroupCommit {
  private queue: Pending[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private retryDelayMs = 0;
  private failingSince: number | null = null;
  private closed = false;
  private drained: (() => void)[] = [];

  constructor(
    private readonly db: Sqlite,
    private readonly options: GroupCommitOptions,
  ) {}

  /** False while writes have not been committed for a while (the database is locked, full, or read-only). */
  get healthy(): boolean {
    return this.failingSince === null || Date.now() - this.failingSince < UNHEALTHY_AFTER_MS;
  }

  get pending(): number {
    return this.queue.length;
  }

  /**
   * Queues a write; resolves once it is committed. With `deadlineMs`, a write still not committed
   * by then (the database is busy) is taken out of the queue and rejects with WriteTimeoutError:
   * it is then certain never to be written.
   */
  write(op: WriteOp, deadlineMs?: number): Promise<void> {
    if (this.closed) return Promise.reject(new Error('The database writer is closed'));
    return new Promise<void>((resolve, reject) => {
      // No timer per write: a write only waits past a flush when the database is busy, and the
      // busy retries (every 250 ms at most) give up the writes whose deadline has passed.
      this.queue.push({ op, resolve, reject, deadline: deadlineMs === undefined ? Infinity : Date.now() + deadlineMs });
      if (this.queue.length >= this.options.maxBatch && this.retryDelayMs === 0) this.schedule(0, true);
      else this.schedule(this.options.batchMs, false);
    });
  }

  /**
   * A write that reads what it changes (how many rows a cancel hit): resolves with what `op`
   * returned in the transaction that committed (a batch rolled back and retried runs it again).
   */
  async compute<T>(op: (db: Sqlite) => T, deadlineMs?: number): Promise<T> {
    let result: T | undefined;
    await this.write((db) => {
      result = op(db);
    }, deadlineMs);
    return result as T;
  }

  /** Queues a write whose outcome the caller does not wait for (checkpoints, counters); failures are reported. */
  writeLater(op: WriteOp, context: string): void {
    this.write(op).catch((error: unknown) => this.options.onError?.(error, context));
  }

  /** Resolves when everything queued so far has been committed (or has failed). */
  drain(): Promise<void> {
    if (this.queue.length === 0 && this.timer === null) return Promise.resolve();
    return new Promise((resolve) => this.drained.push(resolve));
  }

  /** Commits what is queued, then refuses further writes. */
  async close(): Promise<void> {
    if (this.queue.length > 0) this.schedule(0, true);
    await this.drain();
    this.closed = true;
  }

  private schedule(delayMs: number, now: boolean) {
    if (this.timer !== null) {
      if (!now) return;
      clearTimeout(this.timer);
    }
    const run = () => {
      this.timer = null;
      this.flush();
    };
    this.timer = delayMs === 0 ? setTimeout(run, 0) : setTimeout(run, delayMs);
  }

  private flush() {
    const batch = this.queue;
    if (batch.length === 0) return this.notifyDrained();
    this.queue = [];
    try {
      this.commit(batch);
      this.succeeded(batch);
    } catch (error) {
      if (isBusy(error)) {
        this.failing();
        const now = Date.now();
        const kept = batch.filter((item) => item.deadline > now);
        for (const item of batch) if (item.deadline <= now) item.reject(new WriteTimeoutError());
        this.queue = kept.concat(this.queue);
        this.retryDelayMs = Math.min(Math.max(this.retryDelayMs * 2, 5), 250);
        this.schedule(this.retryDelayMs, false);
        return;
      }
      this.options.onError?.(error, 'batch commit');
      this.splitAndRetry(batch);
    }
    if (this.queue.length > 0) this.schedule(this.options.batchMs, false);
    else this.notifyDrained();
  }

  private commit(batch: Pending[]) {
    this.db.transaction(() => {
      for (const item of batch) item.op(this.db);
    }).immediate();
  }

  private succeeded(batch: Pending[]) {
    this.retryDelayMs = 0;
    this.failingSince = null;
    for (const item of batch) item.resolve();
  }

  private failing() {
    this.failingSince ??= Date.now();
  }

  /** Commits each write of a failed batch on its own, so only the bad ones fail. */
  private splitAndRetry(batch: Pending[]) {
    let anyFailed = false;
    for (const item of batch) {
      try {
        this.commit([item]);
        item.resolve();
      } catch (error) {
        if (isBusy(error)) {
          if (item.deadline <= Date.now()) item.reject(new WriteTimeoutError());
          else this.queue.push(item);
          this.failing();
          continue;
        }
        anyFailed = true;
        item.reject(error);
      }
    }
    if (anyFailed) this.failing();
    else this.failingSince = null;
  }

  private notifyDrained() {
    const waiting = this.drained;
    this.drained = [];
    for (const resolve of waiting) resolve();
  }
}
