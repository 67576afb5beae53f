import type Database from 'better-sqlite3';
import { type Sqlite, sqlDate } from './sqlite.ts';

/** One row of the audit log as stored (services/audit.ts builds it: `auditRow`). */
export interface AuditRow {
  /** UUIDv7 made at `at`: the log's order, and date ranges are key ranges. */
  id: string;
  at: Date;
  actorKind: string;
  actorId: string | null;
  actorName: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  targetLabel: string | null;
  /** JSON, already bounded and stripped of secrets. */
  details: string | null;
}

/**
 * The audit log on the engine's connection, for changes the run engine writes with prepared SQL
 * (pausing, switching recurring jobs, cancelling): `insert` runs inside the caller's transaction
 * (a group commit write), so the row commits with the change it describes. Prisma writes use
 * `audit(tx, ...)` in services/audit.ts instead.
 */
export class AuditStore {
  private readonly insertStmt: Database.Statement;
  private readonly deleteStmt: Database.Statement;

  constructor(db: Sqlite) {
    this.insertStmt = db.prepare(`INSERT INTO AuditEvent (id, at, actorKind, actorId, actorName, action, targetType, targetId, targetLabel, details)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    // Oldest first along the primary key (UUIDv7): a bounded batch per statement.
    this.deleteStmt = db.prepare(`DELETE FROM AuditEvent WHERE id IN (SELECT id FROM AuditEvent WHERE id < ? ORDER BY id LIMIT ?)`);
  }

  insert(row: AuditRow): void {
    this.insertStmt.run(row.id, sqlDate(row.at), row.actorKind, row.actorId, row.actorName, row.action, row.targetType, row.targetId, row.targetLabel, row.details);
  }

  /** Deletes up to `limit` events with ids below `upTo` (made before its time); returns how many. */
  deleteBefore(upTo: string, limit: number): number {
    return this.deleteStmt.run(upTo, limit).changes;
  }
}
