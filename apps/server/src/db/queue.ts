import type Database from 'better-sqlite3';
import type { AttemptReason } from './runWrites.ts';
import { type Sqlite, isBusy, sqlDate } from './sqlite.ts';

/**
 * The database as the queue: claiming due runs under a lease, renewing leases, and reaping runs
 * whose runner is gone. Callers see only `RunQueue`; this SQLite implementation takes the write lock
 * (BEGIN IMMEDIATE) for each claim, which is what serialises several processes on one file. The
 * PostgreSQL backend of the scale-out issue implements the same interface with
 * `FOR UPDATE SKIP LOCKED`.
 */
export interface ClaimedRun {
  id: string;
  workflowId: string;
  workflowName: string;
  environment: string;
  trigger: string;
  releaseNumber: number | null;
  draftRevision: number | null;
  mode: 'sync' | 'async';
  /** The number of the attempt this claim starts. */
  attempt: number;
  maxAttempts: number;
  reason: AttemptReason;
  input: string;
  createdAt: Date;
  runAt: Date;
  chainDepth: number;
  batchId: string | null;
}

export interface ClaimRequest {
  owner: string;
  now: Date;
  limit: number;
  leaseUntil: Date;
}

export interface ClaimResult {
  runs: ClaimedRun[];
  /** Due runs were left queued because their workflow is at its concurrency limit. */
  heldBack: boolean;
  /** When held back: the earliest due time of the runs that may start (not of a workflow at its limit). */
  nextDueAt?: Date | null;
}

export interface ReapResult {
  /** Given a new attempt, marked recovered. */
  recovered: string[];
  /** Out of attempts: marked interrupted. */
  interrupted: string[];
}

export interface RunQueue {
  /**
   * Takes up to `limit` due runs, higher priority first, then by due time, skipping runs of
   * workflows at their concurrency limit; starts an attempt of each. Null when the database was
   * busy (try again shortly).
   */
  claim(request: ClaimRequest): ClaimResult | null;
  /** Extends the leases of these runs of the owner (the ones it is executing); returns how many. */
  renew(owner: string, runIds: readonly string[], until: Date): number;
  /**
   * Runs whose lease expired, or whose owner is known to be gone, get a new attempt or are
   * interrupted; runs `executing` says this process is working on are left alone.
   */
  reap(now: Date, isGone: (owner: string) => boolean, executing: (runId: string) => boolean): ReapResult;
  /** The earliest due time among queued runs that may start (not in a paused environment), for the wake-up timer. */
  nextDue(): Date | null;
  heartbeat(runner: { id: string; hostname: string; pid: number; startedAt: Date }, now: Date): void;
  forget(runnerId: string): void;
}

const PRIORITIES = [1, 0] as const;
const ENVIRONMENTS = ['draft', 'live'] as const;
/** Runs a caller waits for (priority 1) start even in a paused environment: pausing holds scheduled work only. */
const WAITED_FOR = 1;
/** How many due runs one claim looks at, at most, past runs held back by a concurrency limit. */
const MAX_SCAN = 1000;
const PAGE = 100;
const INTERRUPTED = 'The runner stopped while this run was in progress';

/** A due run as read for claiming: the claimed run's fields as stored (dates as text), plus what claiming decides on. */
type CandidateRow = Omit<ClaimedRun, 'attempt' | 'reason' | 'createdAt' | 'runAt'> & {
  attempts: number;
  nextAttemptReason: AttemptReason | null;
  concurrencyLimit: number | null;
  createdAt: string;
  runAt: string;
};

export class SqliteRunQueue implements RunQueue {
  private readonly candidates: Database.Statement<[number, string, string, string, string, string, number], CandidateRow>;
  private readonly candidatesExcluding: Database.Statement<[number, string, string, string, string, string, string, number], CandidateRow>;
  private readonly nextDueExcludingStmt: Database.Statement<[number, string, string], { runAt: string }>;
  private readonly pausedStmt: Database.Statement<[], { environment: string }>;
  private readonly runningCounts: Database.Statement<[], { workflowId: string; environment: string; n: number }>;
  private readonly take: Database.Statement;
  private readonly startAttempt: Database.Statement;
  private readonly renewStmt: Database.Statement;
  private readonly running: Database.Statement<
    [],
    { id: string; attempts: number; maxAttempts: number; leaseOwner: string | null; leaseExpiresAt: string | null; batchId: string | null }
  >;
  private readonly requeue: Database.Statement;
  private readonly interrupt: Database.Statement;
  private readonly endAttempt: Database.Statement;
  private readonly nextDueStmt: Database.Statement<[number, string], { runAt: string }>;
  private readonly heartbeatStmt: Database.Statement;
  private readonly forgetStmt: Database.Statement;

  constructor(
    private readonly db: Sqlite,
    /** An item of a batch was interrupted (out of attempts): counted as failed, in the same transaction. */
    private readonly batchItemFailed: (batchId: string, now: Date) => void = () => {},
    private readonly onBatchError: (error: unknown, batchId: string) => void = () => {},
  ) {
    // Served by the partial index Run_due_idx (priority, environment, runAt, id) WHERE status = 'queued'.
    // Keyset pages through due runs of one priority and environment: (runAt, id) after the last one seen.
    this.candidates = db.prepare(`SELECT id, workflowId, workflowName, environment, trigger, releaseNumber, draftRevision, mode,
      attempts, maxAttempts, nextAttemptReason, concurrencyLimit, input, createdAt, runAt, chainDepth, batchId
      FROM Run WHERE status = 'queued' AND priority = ? AND environment = ? AND runAt <= ? AND (runAt > ? OR (runAt = ? AND id > ?))
      ORDER BY runAt, id LIMIT ?`);
    this.candidatesExcluding = db.prepare(`SELECT id, workflowId, workflowName, environment, trigger, releaseNumber, draftRevision, mode,
      attempts, maxAttempts, nextAttemptReason, concurrencyLimit, input, createdAt, runAt, chainDepth, batchId
      FROM Run WHERE status = 'queued' AND priority = ? AND environment = ? AND runAt <= ? AND (runAt > ? OR (runAt = ? AND id > ?))
        AND workflowId NOT IN (SELECT value FROM json_each(?))
      ORDER BY runAt, id LIMIT ?`);
    this.nextDueExcludingStmt = db.prepare(`SELECT runAt FROM Run WHERE status = 'queued' AND priority = ? AND environment = ?
      AND workflowId NOT IN (SELECT value FROM json_each(?)) ORDER BY runAt LIMIT 1`);
    this.pausedStmt = db.prepare(`SELECT environment FROM SchedulerState WHERE paused`);
    this.runningCounts = db.prepare(`SELECT workflowId, environment, COUNT(*) AS n FROM Run WHERE status = 'running' GROUP BY workflowId, environment`);
    this.take = db.prepare(`UPDATE Run SET status = 'running', attempts = attempts + 1, leaseOwner = ?, leaseExpiresAt = ?,
      startedAt = COALESCE(startedAt, ?), recovered = recovered OR (nextAttemptReason IS 'recovered'), nextAttemptReason = NULL
      WHERE id = ? AND status = 'queued'`);
    this.startAttempt = db.prepare(`INSERT OR REPLACE INTO RunAttempt (runId, number, reason, status, startedAt, runner) VALUES (?, ?, ?, 'running', ?, ?)`);
    this.renewStmt = db.prepare(`UPDATE Run SET leaseExpiresAt = ? WHERE id = ? AND leaseOwner = ? AND status = 'running'`);
    this.running = db.prepare(`SELECT id, attempts, maxAttempts, leaseOwner, leaseExpiresAt, batchId FROM Run WHERE status = 'running'`);
    this.requeue = db.prepare(`UPDATE Run SET status = 'queued', runAt = ?, nextAttemptReason = 'recovered', leaseOwner = NULL,
      leaseExpiresAt = NULL WHERE id = ? AND status = 'running' AND attempts = ?`);
    this.interrupt = db.prepare(`UPDATE Run SET status = 'interrupted', error = ?, finishedAt = ?, leaseOwner = NULL, leaseExpiresAt = NULL
      WHERE id = ? AND status = 'running' AND attempts = ?`);
    this.endAttempt = db.prepare(`UPDATE RunAttempt SET status = 'interrupted', finishedAt = ?, error = ? WHERE runId = ? AND number = ?`);
    this.nextDueStmt = db.prepare(`SELECT runAt FROM Run WHERE status = 'queued' AND priority = ? AND environment = ? ORDER BY runAt LIMIT 1`);
    this.heartbeatStmt = db.prepare(`INSERT INTO RunnerProcess (id, hostname, pid, startedAt, heartbeatAt) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET heartbeatAt = excluded.heartbeatAt`);
    this.forgetStmt = db.prepare(`DELETE FROM RunnerProcess WHERE id = ?`);
  }

  claim(request: ClaimRequest): ClaimResult | null {
    if (request.limit <= 0) return { runs: [], heldBack: false };
    try {
      return this.db.transaction(() => this.claimWithin(request)).immediate();
    } catch (error) {
      if (isBusy(error)) return null;
      throw error;
    }
  }

  private claimWithin({ owner, now, limit, leaseUntil }: ClaimRequest): ClaimResult {
    const nowText = sqlDate(now);
    const paused = new Set(this.pausedStmt.all().map((r) => r.environment));
    let counts: Map<string, number> | null = null;
    const claimed: ClaimedRun[] = [];
    /** Per environment, the workflows found at their concurrency limit: their runs are skipped by the query itself. */
    const atLimit = new Map<string, Set<string>>(ENVIRONMENTS.map((env) => [env, new Set<string>()]));
    let scanned = 0;
    for (const priority of PRIORITIES) {
      const environments = ENVIRONMENTS.filter((env) => priority === WAITED_FOR || !paused.has(env));
      for (const row of this.due(priority, environments, nowText, atLimit)) {
        if (claimed.length >= limit || ++scanned > MAX_SCAN) break;
        if (row.concurrencyLimit !== null) {
          // The runs being executed, in any process, are the running rows: every run of a
          // workflow with a concurrency limit goes through this queue, synchronous calls too.
          counts ??= new Map(this.runningCounts.all().map((c) => [`${c.workflowId}\u0000${c.environment}`, c.n]));
          const key = `${row.workflowId}\u0000${row.environment}`;
          const running = counts.get(key) ?? 0;
          if (running >= row.concurrencyLimit) {
            // Its other due runs cannot start either: leave them out of the scan, so a long
            // queue of one limited workflow never hides other work behind it.
            atLimit.get(row.environment)!.add(row.workflowId);
            continue;
          }
          counts.set(key, running + 1);
        }
        if (this.take.run(owner, sqlDate(leaseUntil), nowText, row.id).changes === 0) continue;
        const attempt = row.attempts + 1;
        const reason: AttemptReason = row.nextAttemptReason ?? 'first';
        this.startAttempt.run(row.id, attempt, reason, nowText, owner);
        const { attempts: _a, nextAttemptReason: _n, concurrencyLimit: _c, ...fields } = row;
        claimed.push({ ...fields, attempt, reason, createdAt: new Date(row.createdAt), runAt: new Date(row.runAt) });
      }
      if (claimed.length >= limit || scanned > MAX_SCAN) break;
    }
    const heldBack = [...atLimit.values()].some((set) => set.size > 0);
    return { runs: claimed, heldBack, nextDueAt: heldBack ? this.nextDueExcluding(paused, atLimit) : undefined };
  }

  /**
   * Due runs of one priority in the given environments, oldest due first: each environment is
   * read in keyset pages off the index and the pages are merged, so runs of both environments
   * start in due order and a paused one is never read. Workflows added to `atLimit` while this
   * runs are dropped from what is buffered and left out of the next pages.
   */
  private *due(priority: number, environments: readonly string[], nowText: string, atLimit: ReadonlyMap<string, ReadonlySet<string>>): Generator<CandidateRow> {
    const cursors = environments.map((env) => ({ env, rows: [] as CandidateRow[], at: 0, after: { runAt: '', id: '' }, done: false }));
    const fill = (c: (typeof cursors)[number]) => {
      const excluded = atLimit.get(c.env)!;
      while (c.at < c.rows.length && excluded.has(c.rows[c.at]!.workflowId)) c.at++;
      if (c.at < c.rows.length || c.done) return;
      c.rows =
        excluded.size === 0
          ? this.candidates.all(priority, c.env, nowText, c.after.runAt, c.after.runAt, c.after.id, PAGE)
          : this.candidatesExcluding.all(priority, c.env, nowText, c.after.runAt, c.after.runAt, c.after.id, JSON.stringify([...excluded]), PAGE);
      c.at = 0;
      if (c.rows.length < PAGE) c.done = true;
      const last = c.rows[c.rows.length - 1];
      if (last) c.after = last;
    };
    for (;;) {
      let best: (typeof cursors)[number] | null = null;
      for (const c of cursors) {
        fill(c);
        const row = c.rows[c.at];
        if (!row) continue;
        const top = best?.rows[best.at];
        if (!top || row.runAt < top.runAt || (row.runAt === top.runAt && row.id < top.id)) best = c;
      }
      if (!best) return;
      yield best.rows[best.at++]!;
    }
  }

  /** The earliest due time of runs that may start: not in a paused environment, not of a workflow at its limit. */
  private nextDueExcluding(paused: ReadonlySet<string>, atLimit: ReadonlyMap<string, ReadonlySet<string>>): Date | null {
    let earliest: Date | null = null;
    for (const priority of PRIORITIES) {
      for (const env of ENVIRONMENTS) {
        if (priority !== WAITED_FOR && paused.has(env)) continue;
        const row = this.nextDueExcludingStmt.get(priority, env, JSON.stringify([...atLimit.get(env)!]));
        const at = row ? new Date(row.runAt) : null;
        if (at && (!earliest || at < earliest)) earliest = at;
      }
    }
    return earliest;
  }

  renew(owner: string, runIds: readonly string[], until: Date): number {
    const untilText = sqlDate(until);
    let renewed = 0;
    for (const id of runIds) renewed += this.renewStmt.run(untilText, id, owner).changes;
    return renewed;
  }

  reap(now: Date, isGone: (owner: string) => boolean, executing: (runId: string) => boolean): ReapResult {
    const result: ReapResult = { recovered: [], interrupted: [] };
    this.db
      .transaction(() => {
        const nowText = sqlDate(now);
        for (const run of this.running.all()) {
          if (executing(run.id)) continue;
          const expired = run.leaseExpiresAt === null || new Date(run.leaseExpiresAt) < now;
          if (!expired && !(run.leaseOwner && isGone(run.leaseOwner))) continue;
          this.endAttempt.run(nowText, INTERRUPTED, run.id, run.attempts);
          if (run.attempts < run.maxAttempts) {
            if (this.requeue.run(nowText, run.id, run.attempts).changes > 0) result.recovered.push(run.id);
          } else if (this.interrupt.run(INTERRUPTED, nowText, run.id, run.attempts).changes > 0) {
            result.interrupted.push(run.id);
            if (run.batchId) this.countBatchItem(run.batchId, now);
          }
        }
      })
      .immediate();
    return result;
  }

  /**
   * Counts an interrupted batch item in its batch, in a savepoint: a batch that cannot be updated
   * must not stop the reaper from recovering every other run.
   */
  private countBatchItem(batchId: string, now: Date): void {
    try {
      this.db.transaction(() => this.batchItemFailed(batchId, now))();
    } catch (error) {
      this.onBatchError(error, batchId);
    }
  }

  nextDue(): Date | null {
    const paused = new Set(this.pausedStmt.all().map((r) => r.environment));
    let earliest: Date | null = null;
    for (const priority of PRIORITIES) {
      for (const env of ENVIRONMENTS) {
        if (priority !== WAITED_FOR && paused.has(env)) continue;
        const row = this.nextDueStmt.get(priority, env);
        const at = row ? new Date(row.runAt) : null;
        if (at && (!earliest || at < earliest)) earliest = at;
      }
    }
    return earliest;
  }

  heartbeat(runner: { id: string; hostname: string; pid: number; startedAt: Date }, now: Date): void {
    this.heartbeatStmt.run(runner.id, runner.hostname, runner.pid, sqlDate(runner.startedAt), sqlDate(now));
  }

  forget(runnerId: string): void {
    this.forgetStmt.run(runnerId);
  }
}
