import type Database from 'better-sqlite3';
import { ApiAccessStore } from './apiAccess.ts';
import { AuditStore } from './audit.ts';
import { BatchStore } from './batches.ts';
import { Checkpointer } from './checkpointer.ts';
import { GroupCommit } from './groupCommit.ts';
import { DefinitionLookups } from './lookups.ts';
import { type RunQueue, SqliteRunQueue } from './queue.ts';
import { RecurringStore } from './recurring.ts';
import { RunRetention } from './retention.ts';
import { RunWrites } from './runWrites.ts';
import { SchedulingStore } from './scheduling.ts';
import { type Sqlite, type SynchronousMode, openEngineConnection } from './sqlite.ts';

export interface EngineDbOptions {
  file: string;
  synchronous: SynchronousMode;
  /** Group commit window (ms). */
  batchMs: number;
  onError(error: unknown, context: string): void;
}

/**
 * Everything the run engine needs from the database, on one connection of its own: group commit,
 * the run writes, the queue, the hot-path lookups and retention.
 */
export class EngineDb {
  readonly sqlite: Sqlite;
  readonly commits: GroupCommit;
  readonly writes: RunWrites;
  readonly queue: RunQueue;
  readonly lookups: DefinitionLookups;
  readonly retention: RunRetention;
  readonly scheduling: SchedulingStore;
  readonly batches: BatchStore;
  readonly recurring: RecurringStore;
  readonly apiAccess: ApiAccessStore;
  readonly audit: AuditStore;
  private readonly checkpointer: Checkpointer;
  private readonly completedStmt: Database.Statement<[string], { path: string; status: 'succeeded' | 'skipped'; output: string | null }>;

  constructor(options: EngineDbOptions) {
    this.sqlite = openEngineConnection(options.file, options.synchronous);
    this.checkpointer = new Checkpointer(options.file, options.synchronous, (message) => options.onError(new Error(message), 'WAL checkpoint'));
    this.commits = new GroupCommit(this.sqlite, { batchMs: options.batchMs, maxBatch: 2000, onError: options.onError });
    this.writes = new RunWrites(this.sqlite);
    this.batches = new BatchStore(this.sqlite, this.writes);
    this.queue = new SqliteRunQueue(
      this.sqlite,
      (batchId, now) => this.batches.itemsEnded(batchId, { failed: 1 }, now),
      (error, batchId) => options.onError(error, `counting an interrupted item of batch ${batchId}`),
    );
    this.lookups = new DefinitionLookups(this.sqlite);
    this.retention = new RunRetention(this.sqlite);
    this.scheduling = new SchedulingStore(this.sqlite, this.batches);
    this.recurring = new RecurringStore(this.sqlite, this.writes);
    this.apiAccess = new ApiAccessStore(this.sqlite);
    this.audit = new AuditStore(this.sqlite);
    this.completedStmt = this.sqlite.prepare(
      `SELECT path, status, output FROM RunStep WHERE runId = ? AND status IN ('succeeded', 'skipped') ORDER BY attempt`,
    );
  }

  /** Steps an earlier attempt of a run finished, to resume after them: path -> status and output (JSON). */
  completedSteps(runId: string): Map<string, { status: 'succeeded' | 'skipped'; output: string | null }> {
    const rows = this.completedStmt.all(runId);
    // Later attempts come last and win: a step re-run after a crash has its newest record used.
    return new Map(rows.map((r) => [r.path, { status: r.status, output: r.output }]));
  }

  async close(): Promise<void> {
    await this.commits.close();
    await this.checkpointer.stop();
    this.sqlite.close();
  }
}
