import type Database from 'better-sqlite3';
import { type Sqlite, sqlDate } from './sqlite.ts';

/**
 * Deleting old runs in small batches. Run ids are UUIDv7, so walking the primary key from the
 * start visits runs oldest first: no extra index, and each batch is a short transaction the hot
 * path barely notices.
 */
export class RunRetention {
  private readonly scan: Database.Statement<[string, string, number], { id: string; environment: string; createdAt: string; finishedAt: string | null; status: string }>;
  private readonly deleteSteps: Database.Statement;
  private readonly deleteAttempts: Database.Statement;
  private readonly deleteRun: Database.Statement;
  private readonly deleteSnapshots: Database.Statement;
  private readonly deleteBatches: Database.Statement;
  private readonly deleteRecurringEvents: Database.Statement;

  constructor(private readonly db: Sqlite) {
    // Runs not yet ended (a million pending, scheduled months ahead) are skipped inside SQLite,
    // not returned page after page.
    this.scan = db.prepare(`SELECT id, environment, createdAt, finishedAt, status FROM Run WHERE id > ? AND id < ? AND status NOT IN ('queued', 'running')
      ORDER BY id LIMIT ?`);
    this.deleteSteps = db.prepare(`DELETE FROM RunStep WHERE runId = ?`);
    this.deleteAttempts = db.prepare(`DELETE FROM RunAttempt WHERE runId = ?`);
    this.deleteRun = db.prepare(`DELETE FROM Run WHERE id = ?`);
    // Kept while a run is pinned to them, or a running batch will make runs pinned to them (its
    // items, or its end run).
    this.deleteSnapshots = db.prepare(`DELETE FROM DraftSnapshot WHERE createdAt < ?
      AND NOT EXISTS (SELECT 1 FROM Run WHERE Run.workflowId = DraftSnapshot.workflowId AND Run.draftRevision = DraftSnapshot.revision)
      AND NOT EXISTS (SELECT 1 FROM Batch WHERE Batch.status = 'running' AND (
        (Batch.workflowId = DraftSnapshot.workflowId AND Batch.draftRevision = DraftSnapshot.revision)
        OR (json_extract(Batch.onFinish, '$.workflowId') = DraftSnapshot.workflowId
          AND json_extract(Batch.onFinish, '$.draftRevision') = DraftSnapshot.revision)))`);
    // Their lists go with them (BatchList cascades).
    this.deleteBatches = db.prepare(`DELETE FROM Batch WHERE environment = ? AND status != 'running' AND finishedAt < ?`);
    this.deleteRecurringEvents = db.prepare(`DELETE FROM RecurringEvent WHERE environment = ? AND at < ?`);
  }

  /** Deletes ended batches and recurring-job history of an environment older than `before`; returns how many rows. */
  scheduling(environment: string, before: Date): number {
    return this.db
      .transaction(() => this.deleteBatches.run(environment, sqlDate(before)).changes + this.deleteRecurringEvents.run(environment, sqlDate(before)).changes)
      .immediate();
  }

  /** Deletes draft snapshots older than `before` that no remaining run is pinned to; returns how many. */
  unusedSnapshots(before: Date): number {
    return this.deleteSnapshots.run(sqlDate(before)).changes;
  }

  /**
   * One batch: looks at up to `limit` runs after `cursor` created before `upTo` (an id bound), and
   * deletes the finished ones `expired` says are past their retention, counted from when they
   * ended (a run scheduled months ahead keeps its record as long as any other). Returns the next cursor
   * (null when the walk is done) and how many were deleted.
   */
  batch(cursor: string, upTo: string, limit: number, expired: (run: { environment: string; endedAt: Date }) => boolean) {
    const rows = this.scan.all(cursor, upTo, limit);
    const doomed = rows.filter((r) => expired({ environment: r.environment, endedAt: new Date(r.finishedAt ?? r.createdAt) }));
    if (doomed.length > 0) {
      this.db
        .transaction(() => {
          for (const run of doomed) {
            this.deleteSteps.run(run.id);
            this.deleteAttempts.run(run.id);
            this.deleteRun.run(run.id);
          }
        })
        .immediate();
    }
    return { next: rows.length < limit ? null : rows[rows.length - 1]!.id, deleted: doomed.length };
  }
}

/** The smallest UUIDv7 of a millisecond: ids below it belong to runs created earlier. */
export function uuidv7Floor(date: Date): string {
  const hex = Math.max(0, Math.floor(date.getTime())).toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-0000-0000-000000000000`;
}
