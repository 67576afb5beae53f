import {
  type QueryInput,
  type CompletedStep,
  type Outcome,
  type Services,
  type StepRecord,
  type Value,
  interpret,
  readInputs,
  retryDelayMs,
} from '@switchyard/workflow';
import type { Logger } from 'pino';
import { V7Generator } from 'uuidv7';
import type { EngineConfig } from '../config.ts';
import { type ClaimedRun, type EngineDb, type RunOutcome, type RunRow, WriteTimeoutError } from '../db/index.ts';
import type { Definitions, ResolvedDefinition } from '../services/definitions.ts';
import { badRequest, notFound } from '../services/errors.ts';
import type { Metrics } from '../services/metrics.ts';
import type { Environment, Trigger } from '../services/runs.ts';
import { DatabaseBusyError, EngineStoppedError } from './errors.ts';
import { isOwnerGone, newOwnerId } from './identity.ts';
import { attemptRow, runOutcome, stepRow, stepRows } from './records.ts';
import { BatchFeeder } from './batchFeeder.ts';
import { RecurringJobs } from './recurring.ts';
import { RetentionSweep } from './retentionSweep.ts';
import { queuedRun } from './runRow.ts';
import { Scheduling } from './scheduling.ts';

/** What a workflow call gets back: the run's end, or 202 while it is queued or still going. */
export type CallResult =
  | { kind: 'finished'; runId: string; status: 'succeeded'; response: string | null }
  | { kind: 'finished'; runId: string; status: 'skipped' | 'failed' | 'interrupted' | 'cancelled'; error: string }
  | { kind: 'accepted'; runId: string };

export interface CallRequest {
  environment: Environment;
  name: string;
  body: unknown;
  /** The body as JSON text, stored as the run's input (the parser's text for JSON calls). */
  inputJson: string;
  trigger: Trigger;
  /** The query string's values: every parameter's source for a GET endpoint, else those marked "from the query string". */
  query?: QueryInput;
  /**
   * The workflow the caller was checked against (null: none answered the name then). A different
   * one answering now (a deploy in between) is refused rather than run unchecked.
   */
  workflowId?: string | null;
  /** The latest release as the guard read it (live), so a call reads it once. */
  release?: number | null;
  /** The run's id when the caller chose it first (an idempotency key names the run before it exists). */
  runId?: string;
}

export { DatabaseBusyError, EngineStoppedError } from './errors.ts';

type Finished = Extract<CallResult, { kind: 'finished' }>;

const SAFETY_POLL_MS = 1000;
const BUSY_RETRY_MS = 10;
/** Lease renewal after a busy database: soon, not a whole renewal period later. */
const HOUSEKEEPING_RETRY_MS = 100;
const UNRECORDED = 'The result of this run could not be recorded (the details are in the server log)';

/**
 * The run engine of one process.
 *
 * A synchronous call runs here and now when there is capacity: a run whose steps all stay inside
 * it is committed once, at the end; one that reaches a step with an effect, or outlasts the
 * caller's wait limit, is first committed as running under this process's lease. Everything else
 * goes through the queue: runs that respond at once, runs over capacity, and every run of a
 * workflow with a concurrency limit (so the limit holds across processes). Queued runs are claimed
 * under a lease by this or another process, resume after the steps earlier attempts recorded, and
 * end with a write fenced by attempt and lease owner.
 *
 * Claiming is driven by a wake-up on every local enqueue, a timer for the next due run, and a slow
 * poll for runs other processes insert. Housekeeping (every LEASE_RENEW_SECONDS) writes the
 * heartbeat, renews the leases of the runs this process is executing, and reaps the others whose
 * lease expired or whose process is gone.
 */
export class Engine {
  /** This process as a lease owner (see identity.ts). */
  readonly owner = newOwnerId();
  private readonly startedAt: Date;
  private accepting = false;
  private stopping = false;
  /** Runs whose steps are running in this process: what capacity counts. */
  private executing = 0;
  /** Runs in the database this process is working on: their leases are renewed, the reaper leaves them. */
  private readonly mine = new Set<string>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly waiters = new Map<string, (result: CallResult) => void>();
  private readonly services: Services;
  private claimTimer: ReturnType<typeof setTimeout> | null = null;
  private claimSoon: ReturnType<typeof setImmediate> | null = null;
  private claimAt = Infinity;
  /** Claim again when a run here ends (capacity was full, or runs waited for a concurrency slot). */
  private wakeOnEnd = false;
  private renewTimer: ReturnType<typeof setInterval> | null = null;
  private housekeepingRetry: ReturnType<typeof setTimeout> | null = null;
  private readonly retention: RetentionSweep;
  /** Run ids: UUIDv7 from the engine's clock, so they sort by creation time (and follow a test clock). */
  private readonly ids = new V7Generator();
  /** Runs due later: scheduling and cancelling them. */
  readonly scheduling: Scheduling;
  private readonly feeder: BatchFeeder;
  private readonly recurring: RecurringJobs;

  constructor(
    private readonly engineDb: EngineDb,
    private readonly definitions: Definitions,
    private readonly config: EngineConfig,
    private readonly log: Logger,
    private readonly clock: () => Date = () => new Date(),
    private readonly metrics: Metrics | null = null,
  ) {
    this.startedAt = clock();
    this.retention = new RetentionSweep(engineDb, config, log, clock);
    this.feeder = new BatchFeeder(engineDb, log, clock, () => this.wake());
    this.recurring = new RecurringJobs(engineDb, definitions, log, clock, {
      newId: (now) => this.newId(now),
      wake: () => this.wake(),
      timeZone: config.timeZone,
    });
    this.scheduling = new Scheduling(
      engineDb,
      definitions,
      {
        newId: (now) => this.newId(now),
        wake: () => this.wake(),
        batchMade: () => this.feeder.poke(),
        recurringChanged: () => this.recurring.poke(),
        syncWaitMs: config.syncWaitMs,
      },
      clock,
    );
    this.services = {
      now: clock,
      timeZone: config.timeZone,
      monotonic: () => performance.now(),
      sleep: (ms, signal) =>
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, ms);
          signal.addEventListener(
            'abort',
            () => {
              clearTimeout(timer);
              reject(new Error('aborted'));
            },
            { once: true },
          );
        }),
      logger: {
        warn: (message, details) => log.warn(details ?? {}, message),
        error: (message, details) => log.error(details ?? {}, message),
      },
    };
  }

  get isReady(): boolean {
    return this.accepting;
  }

  async start(): Promise<void> {
    this.housekeeping();
    this.accepting = true;
    this.renewTimer = setInterval(() => this.housekeeping(), this.config.leaseRenewMs);
    this.renewTimer.unref();
    this.retention.start();
    this.feeder.start();
    this.recurring.start();
    this.wake();
  }

  /**
   * Refuses new calls from now on. Callers waiting for a queued run are answered 202 at once: their
   * runs are durable and will run (here after a restart, or in another process).
   */
  stopAccepting(): void {
    this.accepting = false;
    for (const [runId, resolve] of this.waiters) resolve({ kind: 'accepted', runId });
  }

  /**
   * Stops claiming and waits for the runs in flight to end and their writes to commit. Leases are
   * renewed until then, so no other process takes over a run that is still being worked on.
   */
  async stop(): Promise<void> {
    this.stopAccepting();
    this.stopping = true;
    if (this.claimTimer) clearTimeout(this.claimTimer);
    if (this.claimSoon) clearImmediate(this.claimSoon);
    this.retention.stop();
    this.feeder.stop();
    this.recurring.stop();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    if (this.renewTimer) clearInterval(this.renewTimer);
    if (this.housekeepingRetry) clearTimeout(this.housekeepingRetry);
    await this.engineDb.commits.drain();
    try {
      this.engineDb.queue.forget(this.owner);
    } catch (error) {
      this.log.warn({ err: error }, 'could not remove this runner from the runner list');
    }
  }

  /** Whether the database takes writes: commits this runner's heartbeat within `timeoutMs`. */
  async writable(timeoutMs: number): Promise<boolean> {
    return this.engineDb.commits.write(() => this.engineDb.queue.heartbeat(this.runnerInfo(), this.clock()), timeoutMs).then(
      () => true,
      () => false,
    );
  }

  /** Whether a workflow of this name exists (for counting refused calls under it). */
  knowsWorkflow(name: string): boolean {
    return this.engineDb.lookups.workflowHead(name) !== null;
  }

  // ---- calls ------------------------------------------------------------------------------

  /**
   * A call of a workflow endpoint. Throws AppError for what the caller got wrong (unknown
   * workflow, draft with errors, bad parameters), and DatabaseBusyError when the run could not be
   * recorded in time; nothing is written then.
   */
  async call(request: CallRequest): Promise<CallResult> {
    if (!this.accepting) throw new EngineStoppedError();
    const resolved = this.definitions.forCall(request.environment, request.name, request.release ?? undefined);
    if (request.workflowId !== undefined && request.workflowId !== resolved.workflowId) {
      throw notFound(`Workflow "${request.name}" changed while it was being called: call it again`).because('unknown_workflow');
    }
    const inputs = readInputs(resolved.definition.trigger.parameters, request.body, request.query);
    if (!inputs.ok) throw badRequest(inputs.errors.map((e) => e.message).join('; '), { errors: inputs.errors }).because('invalid_parameters');
    const { settings } = resolved.definition;
    const row = this.newRun(resolved, request, this.clock());

    if (settings.mode === 'async') {
      await this.enqueue(resolved, row);
      return { kind: 'accepted', runId: row.id };
    }
    if (settings.concurrency === null && this.executing < this.config.capacity) return this.runNow(resolved, row, inputs.values);
    // Over capacity, or a workflow with a concurrency limit: through the queue, ahead of runs
    // nobody waits for; the caller gets the result if it comes within the wait limit, else 202.
    row.priority = 1;
    const result = this.waitFor(row.id);
    try {
      await this.enqueue(resolved, row);
    } catch (error) {
      this.waiters.get(row.id)?.({ kind: 'accepted', runId: row.id });
      throw error;
    }
    return result;
  }

  private newRun(resolved: ResolvedDefinition, request: CallRequest, now: Date): RunRow {
    return queuedRun(resolved, { id: request.runId ?? this.newId(now), name: request.name, environment: request.environment, trigger: request.trigger, input: request.inputJson, now });
  }

  /** A fresh run id (UUIDv7, ordered by time). */
  newRunId(): string {
    return this.newId(this.clock());
  }

  private newId(now: Date): string {
    return this.ids.generateOrResetCore(now.getTime(), 10_000).toString();
  }

  /** Commits a queued run (and the draft snapshot it is pinned to, the first time), within the wait limit. */
  private async enqueue(resolved: ResolvedDefinition, row: RunRow): Promise<void> {
    const writes = this.engineDb.writes;
    const snapshot = this.definitions.needsSnapshot(resolved);
    await this.recordWithin((db) => {
      if (snapshot) writes.snapshot(resolved.workflowId, resolved.draftRevision!, resolved.snapshot!, row.createdAt)(db);
      writes.insertRun(row, null)(db);
    });
    if (snapshot) this.definitions.snapshotStored(resolved);
    this.wake();
  }

  /** A write a caller is waiting for: within the synchronous wait limit, or nothing is written. */
  private async recordWithin(op: Parameters<EngineDb['commits']['write']>[0]): Promise<void> {
    try {
      await this.engineDb.commits.write(op, this.config.syncWaitMs);
    } catch (error) {
      if (error instanceof WriteTimeoutError) throw new DatabaseBusyError();
      throw error;
    }
  }

  /** A synchronous call executed in this process now; it holds capacity while its steps run, not while it commits. */
  private runNow(resolved: ResolvedDefinition, row: RunRow, params: ReadonlyMap<string, Value>): Promise<CallResult> {
    this.executing++;
    const work = this.executeNow(resolved, row, params, () => this.stepsEnded());
    this.track(work);
    return work;
  }

  private async executeNow(
    resolved: ResolvedDefinition,
    row: RunRow,
    params: ReadonlyMap<string, Value>,
    stepsEnded: () => void,
  ): Promise<CallResult> {
    const { definition } = resolved;
    const writes = this.engineDb.writes;
    const startedAt = row.createdAt;
    const started = performance.now();
    const positions = positionsOf(definition);
    row.attempts = 1;
    row.startedAt = startedAt;
    const snapshot = this.definitions.needsSnapshot(resolved);
    const writeSnapshot: Parameters<EngineDb['commits']['write']>[0] = (db) => {
      if (snapshot) writes.snapshot(resolved.workflowId, resolved.draftRevision!, resolved.snapshot!, startedAt)(db);
    };
    // running: nothing written yet; persisted: committed as running, steps checkpointed as they end;
    // ending: the single write of the whole run is on its way.
    const progress: { state: 'running' | 'persisted' | 'ending' } = { state: 'running' };
    let persisted: Promise<void> = Promise.resolve();
    const done: StepRecord[] = [];
    const persist = (): Promise<void> => {
      if (progress.state === 'running') {
        progress.state = 'persisted';
        this.mine.add(row.id);
        const running: RunRow = { ...row, status: 'running', leaseOwner: this.owner, leaseExpiresAt: this.leaseUntil() };
        const steps = stepRows(row.id, 1, done, positions);
        persisted = this.engineDb.commits.write((db) => {
          writeSnapshot(db);
          writes.insertRun(running, attemptRow(row.id, 1, 'first', startedAt, this.owner), steps)(db);
        });
        persisted.then(() => snapshot && this.definitions.snapshotStored(resolved), () => undefined);
      }
      return persisted;
    };
    const timeout = resolved.mayWait ? this.timeoutSignal(definition.settings.timeoutSeconds) : null;
    const execution = interpret({
      definition,
      params,
      services: this.servicesFor(row),
      runId: row.id,
      ...(timeout && { signal: timeout.signal }),
      beforeEffect: persist,
      onStep: (record) => {
        if (progress.state === 'persisted') this.engineDb.commits.writeLater(writes.insertSteps([stepRow(row.id, 1, record, positions)]), 'step checkpoint');
        else done.push(record);
      },
    }).finally(() => {
      timeout?.dispose();
      stepsEnded();
    });

    const finish = async (outcome: Outcome): Promise<CallResult> => {
      const finishedAt = this.clock();
      const durationMs = performance.now() - started;
      const retryAt = this.retryAt(outcome, 1, row.maxAttempts, definition.settings.retry);
      const end = runOutcome(outcome, finishedAt, durationMs, retryAt);
      if (!retryAt) this.metrics?.runEnded({ workflow: row.workflowName, environment: row.environment, trigger: row.trigger, status: end.status, durationMs });
      if (progress.state === 'running') {
        progress.state = 'ending';
        const final: RunRow = retryAt
          ? { ...row, status: 'queued', runAt: retryAt, error: end.error, nextAttemptReason: 'retry', priority: 1 }
          : { ...row, status: end.status, output: end.output, error: end.error, finishedAt, durationMs };
        const steps = stepRows(row.id, 1, outcome.records, positions);
        const waiting = retryAt ? this.waitFor(row.id) : null;
        try {
          await this.recordWithin((db) => {
            writeSnapshot(db);
            writes.insertRun(final, attemptRow(row.id, 1, 'first', startedAt, this.owner, end), steps)(db);
          });
        } catch (error) {
          this.waiters.get(row.id)?.({ kind: 'accepted', runId: row.id });
          throw error;
        }
        if (snapshot) this.definitions.snapshotStored(resolved);
        if (waiting) {
          this.wake();
          return waiting;
        }
        return finished(row.id, end.status, end.output, end.error);
      }
      await persisted;
      if (!(await this.writeEnd(row.id, 1, end))) return { kind: 'accepted', runId: row.id };
      if (retryAt) {
        this.wake(Math.max(0, retryAt.getTime() - Date.now()));
        return this.waitFor(row.id);
      }
      const result = finished(row.id, end.status, end.output, end.error);
      this.waiters.get(row.id)?.(result);
      return result;
    };
    const finished$ = execution.then(finish);
    if (!resolved.mayWait) return finished$;

    // A run that may take a while: the caller waits at most the wait limit, then gets 202 once the
    // run (with the steps done so far) is durable; the run goes on here.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const overdue = new Promise<'overdue'>((resolve) => (timer = setTimeout(() => resolve('overdue'), this.config.syncWaitMs)));
    const first = await Promise.race([finished$, overdue]);
    clearTimeout(timer);
    if (first !== 'overdue') return first;
    // Its single final write is already on its way: the result comes in a moment.
    if (progress.state === 'ending') return finished$;
    this.track(finished$.catch(() => undefined));
    await persist();
    return { kind: 'accepted', runId: row.id };
  }

  /**
   * Ends an attempt of a run this process holds, fenced by attempt and lease. When the write fails,
   * a smaller one records the run as failed; when that fails too, the run is let go: its lease
   * lapses and the reaper gives it a new attempt or marks it interrupted. False when the run was not
   * ours to end any more (another process took over, or it was let go).
   */
  private async writeEnd(runId: string, attempt: number, end: RunOutcome, batchId: string | null = null): Promise<boolean> {
    const applied = { value: false };
    try {
      await this.engineDb.commits.write(this.finishOp(runId, attempt, end, batchId, applied));
    } catch (error) {
      this.log.error({ err: error, runId }, 'the end of a run could not be written; recording it as failed');
      try {
        const failed: RunOutcome = { status: 'failed', output: null, error: UNRECORDED, finishedAt: end.finishedAt, durationMs: end.durationMs };
        await this.engineDb.commits.write(this.finishOp(runId, attempt, failed, batchId, applied));
      } catch (again) {
        this.log.error({ err: again, runId }, 'a run could not be recorded as failed either; its lease will lapse and the reaper will take it');
        applied.value = false;
      }
    }
    this.mine.delete(runId);
    if (!applied.value) this.log.warn({ runId, attempt }, 'a run was not ours to end any more; its new attempt decides');
    return applied.value;
  }

  /** The fenced end of an attempt; an item of a batch is counted in its batch in the same transaction. */
  private finishOp(runId: string, attempt: number, end: RunOutcome, batchId: string | null, applied: { value: boolean }) {
    const finish = this.engineDb.writes.finish(runId, attempt, this.owner, end, [], applied);
    if (!batchId || end.retryAt) return finish;
    const ended = end.status === 'succeeded' || end.status === 'skipped' ? { succeeded: 1 } : end.status === 'cancelled' ? { cancelled: 1 } : { failed: 1 };
    return (db: Parameters<typeof finish>[0]) => {
      finish(db);
      if (!applied.value) return;
      // In a savepoint: a batch that cannot be updated must not keep the run from ending.
      try {
        db.transaction(() => this.engineDb.batches.itemsEnded(batchId, ended, end.finishedAt))();
      } catch (error) {
        this.log.error({ err: error, runId, batchId }, 'an item that ended could not be counted in its batch');
      }
    };
  }

  /** Resolves with the run's end when this process finishes it, or 202 after the wait limit. */
  private waitFor(runId: string): Promise<CallResult> {
    return new Promise<CallResult>((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(runId);
        resolve({ kind: 'accepted', runId });
      }, this.config.syncWaitMs);
      this.waiters.set(runId, (result) => {
        clearTimeout(timer);
        this.waiters.delete(runId);
        resolve(result);
      });
    });
  }

  // ---- the queue ----------------------------------------------------------------------------

  /**
   * Claims due runs now (or after `delayMs`); cheap to call often. "Now" is the next turn of the
   * event loop (setImmediate): a zero timeout waits at least a millisecond, which an ordered batch
   * would pay once per item.
   */
  wake(delayMs = 0): void {
    if (this.stopping || !this.accepting) return;
    if (delayMs <= 0) {
      this.claimSoon ??= setImmediate(() => {
        this.claimSoon = null;
        this.claim();
      });
      return;
    }
    const at = Date.now() + delayMs;
    if (this.claimTimer && this.claimAt <= at) return;
    if (this.claimTimer) clearTimeout(this.claimTimer);
    this.claimAt = at;
    this.claimTimer = setTimeout(() => {
      this.claimTimer = null;
      this.claimAt = Infinity;
      this.claim();
    }, delayMs);
  }

  private claim(): void {
    if (this.stopping) return;
    const free = this.config.capacity - this.executing;
    if (free <= 0) {
      this.wakeOnEnd = true;
      return;
    }
    let result;
    try {
      result = this.engineDb.queue.claim({ owner: this.owner, now: this.clock(), limit: free, leaseUntil: this.leaseUntil() });
    } catch (error) {
      this.log.error({ err: error }, 'claiming runs failed');
      return this.wake(SAFETY_POLL_MS);
    }
    if (result === null) return this.wake(BUSY_RETRY_MS);
    const claimedAt = this.clock().getTime();
    for (const run of result.runs) {
      this.metrics?.runStarted({ environment: run.environment, trigger: run.trigger, latenessMs: claimedAt - run.runAt.getTime() });
      this.executing++;
      this.mine.add(run.id);
      this.track(this.executeClaimed(run).finally(() => this.stepsEnded()));
    }
    if (result.runs.length === free) return this.wake(0);
    let next: Date | null;
    if (result.heldBack) {
      // Due runs wait for a concurrency slot: a run ending here frees one; the poll covers runs
      // ending in other processes. Other runs still start on time: the timer is set for the
      // earliest of them.
      this.wakeOnEnd = true;
      next = result.nextDueAt ?? null;
    } else {
      try {
        next = this.engineDb.queue.nextDue();
      } catch {
        return this.wake(BUSY_RETRY_MS);
      }
    }
    const untilNext = next ? Math.max(0, next.getTime() - this.clock().getTime()) : SAFETY_POLL_MS;
    this.wake(Math.max(result.heldBack ? 1 : 0, Math.min(untilNext, SAFETY_POLL_MS)));
  }

  private async executeClaimed(run: ClaimedRun): Promise<void> {
    const writes = this.engineDb.writes;
    const started = performance.now();
    let outcome: Outcome;
    let resolved: ResolvedDefinition | null = null;
    let timeout: { signal: AbortSignal; dispose(): void } | null = null;
    try {
      resolved = this.definitions.forRun(run);
      const inputs = readInputs(resolved.definition.trigger.parameters, JSON.parse(run.input));
      if (!inputs.ok) throw new Error(inputs.errors.map((e) => e.message).join('; '));
      const completed = run.attempt > 1 ? this.completedSteps(run.id) : undefined;
      timeout = this.timeoutSignal(resolved.definition.settings.timeoutSeconds);
      const positions = positionsOf(resolved.definition);
      outcome = await interpret({
        definition: resolved.definition,
        params: inputs.values,
        services: this.servicesFor(run),
        runId: run.id,
        signal: timeout.signal,
        ...(completed && { completed }),
        resumed: run.attempt > 1,
        // Each step is checkpointed as it ends, so a later attempt resumes after it.
        onStep: (record) => this.engineDb.commits.writeLater(writes.insertSteps([stepRow(run.id, run.attempt, record, positions)]), 'step checkpoint'),
      });
    } catch (error) {
      this.log.error({ err: error, runId: run.id }, 'a queued run could not be executed');
      outcome = { status: 'failed', error: 'Internal error: the run could not be started (the details are in the server log)', retriable: false, timedOut: false, failedPath: '', records: [] };
    } finally {
      timeout?.dispose();
    }
    const retryAt = resolved ? this.retryAt(outcome, run.attempt, run.maxAttempts, resolved.definition.settings.retry) : null;
    const end = runOutcome(outcome, this.clock(), performance.now() - started, retryAt);
    if (!(await this.writeEnd(run.id, run.attempt, end, run.batchId))) return;
    if (!retryAt) this.metrics?.runEnded({ workflow: run.workflowName, environment: run.environment, trigger: run.trigger, status: end.status, durationMs: end.durationMs });
    if (run.batchId) this.batchItemEnded(run.batchId);
    if (retryAt) return this.wake(Math.max(0, retryAt.getTime() - Date.now()));
    this.waiters.get(run.id)?.(finished(run.id, end.status, end.output, end.error));
  }

  private completedSteps(runId: string): Map<string, CompletedStep> {
    const stored = this.engineDb.completedSteps(runId);
    const out = new Map<string, CompletedStep>();
    for (const [path, step] of stored) out.set(path, { status: step.status, output: step.output === null ? null : (JSON.parse(step.output) as Value) });
    return out;
  }

  private retryAt(outcome: Outcome, attempt: number, maxAttempts: number, policy: Parameters<typeof retryDelayMs>[0]): Date | null {
    if (outcome.status !== 'failed' || !outcome.retriable || attempt >= maxAttempts) return null;
    return new Date(this.clock().getTime() + retryDelayMs(policy, attempt, Math.random));
  }

  // ---- housekeeping --------------------------------------------------------------------------

  /** Heartbeat, lease renewal and reaping: at start, every LEASE_RENEW_SECONDS, and soon again after a busy database. */
  private housekeeping(): void {
    if (this.housekeepingRetry) clearTimeout(this.housekeepingRetry);
    this.housekeepingRetry = null;
    const now = this.clock();
    try {
      const queue = this.engineDb.queue;
      this.engineDb.sqlite
        .transaction(() => {
          queue.heartbeat(this.runnerInfo(), now);
          queue.renew(this.owner, [...this.mine], this.leaseUntil());
        })
        .immediate();
      const reaped = queue.reap(
        now,
        (owner) => isOwnerGone(owner, this.owner),
        (runId) => this.mine.has(runId),
      );
      if (reaped.recovered.length > 0 || reaped.interrupted.length > 0) {
        this.log.warn({ recovered: reaped.recovered.length, interrupted: reaped.interrupted.length }, 'recovered runs whose runner stopped');
        this.wake();
      }
    } catch (error) {
      this.log.warn({ err: error }, 'lease renewal and reaping will be tried again shortly');
      if (!this.stopping || this.inFlight.size > 0) {
        this.housekeepingRetry = setTimeout(() => this.housekeeping(), HOUSEKEEPING_RETRY_MS);
        this.housekeepingRetry.unref();
      }
    }
  }

  // ---- small helpers --------------------------------------------------------------------------

  private batchItemEnded(batchId: string): void {
    this.feeder.itemEnded(batchId);
    // An ordered batch's next item was made in the same transaction: claim it.
    this.wake();
  }

  /** The services of one run's steps: the shared ones, and a scheduling port that knows the run. */
  private servicesFor(run: { id: string; environment: string; chainDepth: number }): Services {
    return { ...this.services, scheduler: this.scheduling.portFor(run) };
  }

  private stepsEnded(): void {
    this.executing--;
    if (this.wakeOnEnd) {
      this.wakeOnEnd = false;
      this.wake();
    }
  }

  private track(work: Promise<unknown>): void {
    this.inFlight.add(work);
    const done = () => this.inFlight.delete(work);
    work.then(done, done);
  }

  private leaseUntil(): Date {
    return new Date(this.clock().getTime() + this.config.leaseMs);
  }

  private runnerInfo() {
    const [hostname] = this.owner.split(':');
    return { id: this.owner, hostname: hostname ?? '', pid: process.pid, startedAt: this.startedAt };
  }

  private timeoutSignal(seconds: number): { signal: AbortSignal; dispose(): void } {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), seconds * 1000);
    return { signal: controller.signal, dispose: () => clearTimeout(timer) };
  }
}

const positionCache = new WeakMap<object, Map<string, number>>();

function positionsOf(definition: { steps: readonly { id: string }[] }): Map<string, number> {
  let positions = positionCache.get(definition);
  if (!positions) {
    positions = new Map(definition.steps.map((step, index) => [step.id, index]));
    positionCache.set(definition, positions);
  }
  return positions;
}

function finished(runId: string, status: string, output: string | null, error: string | null): Finished {
  if (status === 'succeeded') return { kind: 'finished', runId, status: 'succeeded', response: output };
  return { kind: 'finished', runId, status: status as Exclude<Finished['status'], 'succeeded'>, error: error ?? 'The run did not succeed' };
}
