import type Database from 'better-sqlite3';
import { V7Generator } from 'uuidv7';
import type { RunRow, RunWrites } from './runWrites.ts';
import { type Sqlite, sqlDate } from './sqlite.ts';

export interface RecurringJobRow {
  workflowId: string;
  environment: string;
  /** The last fire time handled (run, or skipped by the missed-fire policy). */
  lastFireAt: Date;
  /** The schedule it was handled under (null: none yet since switched on). */
  scheduleKey: string | null;
}

/** What happened to a recurring job, for its history. */
export type RecurringEventKind = 'enabled' | 'disabled' | 'missed_once' | 'missed_skipped' | 'rescheduled';

/**
 * Recurring jobs in SQL, on the engine's connection; writes run inside the caller's transaction
 * (a group commit write). Firing is a compare-and-set on the job's last fire time together with
 * the insert of the run (whose dedupe key is the job and fire time), so a fire time runs once even
 * when two processes fire it at the same moment or one crashes while firing.
 */
export class RecurringStore {
  private readonly enabledStmt: Database.Statement<[], { workflowId: string; environment: string; lastFireAt: string | null; changedAt: string; scheduleKey: string | null }>;
  private readonly upsertStmt: Database.Statement;
  private readonly advanceStmt: Database.Statement;
  private readonly eventStmt: Database.Statement;
  private readonly ids = new V7Generator();

  private readonly stateStmt: Database.Statement<[string, string], { enabled: number }>;
  private readonly cancelAheadStmt: Database.Statement;

  constructor(
    private readonly db: Sqlite,
    private readonly writes: RunWrites,
  ) {
    this.stateStmt = db.prepare(`SELECT enabled FROM RecurringJob WHERE workflowId = ? AND environment = ?`);
    // The run of the next fire time is made a moment ahead: switched off, it must not start.
    this.cancelAheadStmt = db.prepare(`UPDATE Run SET status = 'cancelled', error = ?, finishedAt = ?
      WHERE workflowId = ? AND environment = ? AND status = 'queued' AND trigger = 'recurring' AND attempts = 0 AND runAt > ?`);
    this.enabledStmt = db.prepare(`SELECT workflowId, environment, lastFireAt, changedAt, scheduleKey FROM RecurringJob WHERE enabled`);
    this.upsertStmt = db.prepare(`INSERT INTO RecurringJob (workflowId, environment, enabled, changedAt, changedBy, lastFireAt)
      VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (workflowId, environment)
      DO UPDATE SET enabled = excluded.enabled, changedAt = excluded.changedAt, changedBy = excluded.changedBy,
        lastFireAt = CASE WHEN excluded.enabled AND NOT RecurringJob.enabled THEN excluded.lastFireAt ELSE RecurringJob.lastFireAt END,
        scheduleKey = CASE WHEN excluded.enabled AND NOT RecurringJob.enabled THEN NULL ELSE RecurringJob.scheduleKey END`);
    this.advanceStmt = db.prepare(`UPDATE RecurringJob SET lastFireAt = ?, scheduleKey = ? WHERE workflowId = ? AND environment = ? AND enabled
      AND lastFireAt = ?`);
    this.eventStmt = db.prepare(`INSERT INTO RecurringEvent (id, workflowId, environment, at, kind, message, runId) VALUES (?, ?, ?, ?, ?, ?, ?)`);
  }

  enabled(): RecurringJobRow[] {
    return this.enabledStmt.all().map((r) => ({
      workflowId: r.workflowId,
      environment: r.environment,
      lastFireAt: new Date(r.lastFireAt ?? r.changedAt),
      scheduleKey: r.scheduleKey,
    }));
  }

  /**
   * Switches a job on or off. Switching on starts from now: fire times while it was off are not
   * "missed" (nobody wanted them). No-op (false) when it already was in that state.
   */
  setEnabled(workflowId: string, environment: string, enabled: boolean, by: string, now: Date): boolean {
    if ((this.stateStmt.get(workflowId, environment)?.enabled === 1) === enabled) return false;
    this.upsertStmt.run(workflowId, environment, enabled ? 1 : 0, sqlDate(now), by, sqlDate(now));
    if (!enabled) this.cancelAheadStmt.run(`The recurring job was switched off by ${by}`, sqlDate(now), workflowId, environment, sqlDate(now));
    this.event(workflowId, environment, now, enabled ? 'enabled' : 'disabled', `Switched ${enabled ? 'on' : 'off'} by ${by}`, null);
    return true;
  }

  /**
   * Handles fire times up to `handledUntil`: the job's last fire time moves from `expected` to it
   * and the runs are inserted; false (nothing written) when another process got there first or the
   * job was switched off.
   */
  fire(
    job: RecurringJobRow,
    handledUntil: Date,
    scheduleKey: string,
    runs: readonly RunRow[],
    event: { kind: RecurringEventKind; message: string; at: Date } | null,
  ): boolean {
    const changed = this.advanceStmt.run(sqlDate(handledUntil), scheduleKey, job.workflowId, job.environment, sqlDate(job.lastFireAt)).changes;
    if (changed === 0) return false;
    const inserted = { value: false };
    let firstRun: string | null = null;
    for (const run of runs) {
      this.writes.insertRun(run, null, [], inserted)(this.db);
      if (inserted.value) firstRun ??= run.id;
    }
    if (event) this.event(job.workflowId, job.environment, event.at, event.kind, event.message, event.kind === 'missed_once' ? firstRun : null);
    return true;
  }

  private event(workflowId: string, environment: string, at: Date, kind: RecurringEventKind, message: string, runId: string | null) {
    const id = this.ids.generateOrResetCore(at.getTime(), 10_000).toString();
    this.eventStmt.run(id, workflowId, environment, sqlDate(at), kind, message, runId);
  }
}
