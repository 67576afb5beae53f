import type Database from 'better-sqlite3';
import type { WriteOp } from './groupCommit.ts';
import { type Sqlite, sqlDate } from './sqlite.ts';

/**
 * The run engine's writes, as prepared SQL on the engine's own connection, queued through group
 * commit. Why not Prisma here: these run once per webhook call, many thousands a second, and a
 * prepared better-sqlite3 statement inside a batched transaction costs a few microseconds where a
 * Prisma query costs tens (see db/README.md). The tables are Prisma's (schema.prisma); dates are
 * written in the text form Prisma's SQLite adapter reads.
 */

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted' | 'skipped';
export type AttemptStatus = 'running' | 'succeeded' | 'failed' | 'interrupted' | 'skipped';
export type AttemptReason = 'first' | 'retry' | 'recovered';

export interface RunRow {
  id: string;
  workflowId: string;
  workflowName: string;
  environment: string;
  trigger: string;
  status: RunStatus;
  releaseNumber: number | null;
  draftRevision: number | null;
  mode: 'sync' | 'async';
  runAt: Date;
  priority: number;
  attempts: number;
  maxAttempts: number;
  nextAttemptReason: AttemptReason | null;
  recovered: boolean;
  leaseOwner: string | null;
  leaseExpiresAt: Date | null;
  concurrencyLimit: number | null;
  parentRunId: string | null;
  chainDepth: number;
  /** Who or what scheduled the run (api, user:<email>, run:<id>, batch:<id>, recurring); null when called. */
  scheduledBy: string | null;
  /** Makes the insert happen once (see insertRun). */
  dedupeKey: string | null;
  batchId: string | null;
  batchIndex: number | null;
  input: string;
  output: string | null;
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  durationMs: number | null;
}

export interface AttemptRow {
  runId: string;
  number: number;
  reason: AttemptReason;
  status: AttemptStatus;
  startedAt: Date;
  finishedAt: Date | null;
  error: string | null;
  runner: string;
}

export interface StepRow {
  runId: string;
  attempt: number;
  path: string;
  position: number;
  stepId: string;
  type: string;
  label: string;
  status: string;
  startedAt: Date;
  durationMs: number;
  input: string | null;
  output: string | null;
  error: string | null;
  logs: string[];
}

/** How a run ends (or goes back to the queue for its next attempt). */
export interface RunOutcome {
  status: Exclude<RunStatus, 'running'>;
  output: string | null;
  error: string | null;
  finishedAt: Date;
  durationMs: number;
  /** For a retry: when the next attempt is due. */
  retryAt?: Date;
}

const d = (date: Date | null) => (date === null ? null : sqlDate(date));

export class RunWrites {
  private readonly insertRunStmt: Database.Statement;
  private readonly insertAttemptStmt: Database.Statement;
  private readonly insertStepStmt: Database.Statement;
  private readonly finishRunStmt: Database.Statement;
  private readonly requeueRunStmt: Database.Statement;
  private readonly finishAttemptStmt: Database.Statement;
  private readonly snapshotStmt: Database.Statement;
  private readonly refusedStmt: Database.Statement;

  constructor(db: Sqlite) {
    this.insertRunStmt = db.prepare(`INSERT INTO Run (id, workflowId, workflowName, environment, trigger, status, releaseNumber,
      draftRevision, mode, runAt, priority, attempts, maxAttempts, nextAttemptReason, recovered, leaseOwner, leaseExpiresAt,
      concurrencyLimit, parentRunId, chainDepth, scheduledBy, dedupeKey, batchId, batchIndex, input, output, error, createdAt,
      startedAt, finishedAt, durationMs)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (dedupeKey) DO NOTHING`);
    this.insertAttemptStmt = db.prepare(`INSERT OR REPLACE INTO RunAttempt (runId, number, reason, status, startedAt, finishedAt, error, runner)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    this.insertStepStmt = db.prepare(`INSERT OR REPLACE INTO RunStep (runId, attempt, path, position, stepId, type, label, status,
      startedAt, durationMs, input, output, error, logs) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    // Fenced by attempt and lease owner: a runner that lost its lease (the reaper gave the run a new
    // attempt) cannot overwrite what the new attempt does.
    this.finishRunStmt = db.prepare(`UPDATE Run SET status = ?, output = ?, error = ?, finishedAt = ?, durationMs = ?,
      leaseOwner = NULL, leaseExpiresAt = NULL WHERE id = ? AND attempts = ? AND status = 'running' AND leaseOwner IS ?`);
    this.requeueRunStmt = db.prepare(`UPDATE Run SET status = 'queued', runAt = ?, error = ?, nextAttemptReason = 'retry',
      leaseOwner = NULL, leaseExpiresAt = NULL WHERE id = ? AND attempts = ? AND status = 'running' AND leaseOwner IS ?`);
    this.finishAttemptStmt = db.prepare(`UPDATE RunAttempt SET status = ?, finishedAt = ?, error = ? WHERE runId = ? AND number = ?`);
    this.snapshotStmt = db.prepare(`INSERT OR IGNORE INTO DraftSnapshot (workflowId, revision, definition, createdAt) VALUES (?, ?, ?, ?)`);
    this.refusedStmt = db.prepare(`INSERT INTO RefusedCall (workflowName, environment, reason, count, lastAt, lastMessage)
      VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (workflowName, environment, reason)
      DO UPDATE SET count = count + excluded.count, lastAt = excluded.lastAt, lastMessage = excluded.lastMessage`);
  }

  /**
   * A new run with its first attempt and steps (all given at once for a run that already ended).
   * A run with a dedupe key that another run already has is not inserted (`inserted.value` false).
   */
  insertRun(run: RunRow, attempt: AttemptRow | null, steps: readonly StepRow[] = [], inserted?: { value: boolean }): WriteOp {
    return () => {
      // Positional parameters: binding by name costs a lookup per column on the hot path.
      const changes = this.insertRunStmt.run(
        run.id,
        run.workflowId,
        run.workflowName,
        run.environment,
        run.trigger,
        run.status,
        run.releaseNumber,
        run.draftRevision,
        run.mode,
        sqlDate(run.runAt),
        run.priority,
        run.attempts,
        run.maxAttempts,
        run.nextAttemptReason,
        run.recovered ? 1 : 0,
        run.leaseOwner,
        d(run.leaseExpiresAt),
        run.concurrencyLimit,
        run.parentRunId,
        run.chainDepth,
        run.scheduledBy,
        run.dedupeKey,
        run.batchId,
        run.batchIndex,
        run.input,
        run.output,
        run.error,
        sqlDate(run.createdAt),
        d(run.startedAt),
        d(run.finishedAt),
        run.durationMs,
      ).changes;
      if (inserted) inserted.value = changes > 0;
      if (changes === 0) return;
      if (attempt) this.attempt(attempt);
      for (const step of steps) this.step(step);
    };
  }

  insertSteps(steps: readonly StepRow[]): WriteOp {
    return () => {
      for (const step of steps) this.step(step);
    };
  }

  insertAttempt(attempt: AttemptRow): WriteOp {
    return () => this.attempt(attempt);
  }

  /**
   * Ends an attempt and, with it, the run (or sends the run back to the queue for a retry).
   * `applied.value` says whether the run was still this runner's to finish.
   */
  finish(
    runId: string,
    attempt: number,
    leaseOwner: string | null,
    outcome: RunOutcome,
    steps: readonly StepRow[],
    applied: { value: boolean },
  ): WriteOp {
    return () => {
      for (const step of steps) this.step(step);
      const finishedAt = sqlDate(outcome.finishedAt);
      const changes = outcome.retryAt
        ? this.requeueRunStmt.run(sqlDate(outcome.retryAt), outcome.error, runId, attempt, leaseOwner).changes
        : this.finishRunStmt.run(outcome.status, outcome.output, outcome.error, finishedAt, outcome.durationMs, runId, attempt, leaseOwner)
            .changes;
      applied.value = changes > 0;
      if (!applied.value) return;
      const attemptStatus = outcome.retryAt ? 'failed' : outcome.status;
      this.finishAttemptStmt.run(attemptStatus, finishedAt, outcome.error, runId, attempt);
    };
  }

  snapshot(workflowId: string, revision: number, definition: string, now: Date): WriteOp {
    return () => void this.snapshotStmt.run(workflowId, revision, definition, sqlDate(now));
  }

  refusedCalls(rows: { workflowName: string; environment: string; reason: string; count: number; lastAt: Date; lastMessage: string }[]): WriteOp {
    return () => {
      for (const r of rows) this.refusedStmt.run(r.workflowName, r.environment, r.reason, r.count, sqlDate(r.lastAt), r.lastMessage);
    };
  }

  private attempt(a: AttemptRow) {
    this.insertAttemptStmt.run(a.runId, a.number, a.reason, a.status, sqlDate(a.startedAt), d(a.finishedAt), a.error, a.runner);
  }

  private step(s: StepRow) {
    this.insertStepStmt.run(
      s.runId,
      s.attempt,
      s.path,
      s.position,
      s.stepId,
      s.type,
      s.label,
      s.status,
      sqlDate(s.startedAt),
      s.durationMs,
      s.input,
      s.output,
      s.error,
      s.logs.length > 0 ? JSON.stringify(s.logs) : null,
    );
  }
}
