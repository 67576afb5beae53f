import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
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
import type { ClaimedRun, EngineDb, RunRow } from '../db/index.ts';
import { uuidv7Floor } from '../db/index.ts';
import type { Definitions, ResolvedDefinition } from '../services/definitions.ts';
import { badRequest } from '../services/errors.ts';
import type { Environment, Trigger } from '../services/runs.ts';
import { attemptRow, runOutcome, stepRow, stepRows } from './records.ts';

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
}

export class EngineStoppedError extends Error {
  override name = 'EngineStoppedError';
  constructor() {
    super('The server is shutting down and accepts no new runs');
  }
}

type Finished = Extract<CallResult, { kind: 'finished' }>;

const SAFETY_POLL_MS = 1000;
const BUSY_RETRY_MS = 10;
const RETENTION_BATCH = 500;

/**
 * The run engine of one process. A synchronous call runs here and now when there is capacity
 * (committed once at the end when all its steps are pure, or before its first step with an effect);
 * everything else goes through the queue: committed as `queued`, claimed under a lease by this or
 * another process, executed, and finished with a write fenced by attempt and lease. A timer set
 * for the next due run, a wake-up on every local enqueue, and a slow poll (for runs other processes
 * insert) drive claiming; a renewal loop keeps leases alive, reaps runs whose runner is gone and
 * writes this process's heartbeat; a sweep deletes runs past their retention.
 */
export class Engine {
  /** This process as a lease owner: host, pid and a nonce, so a restarted process is a new owner. */
  readonly owner: string;
  private readonly startedAt: Date;
  private accepting = false;
  private stopping = false;
  private executing = 0;
  private readonly localRunning = new Map<string, number>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly waiters = new Map<string, (result: Finished) => void>();
  private readonly services: Services;
  private claimTimer: ReturnType<typeof setTimeout> | null = null;
  private claimAt = Infinity;
  private saturated = false;
  private renewTimer: ReturnType<typeof setInterval> | null = null;
  private retentionTimer: ReturnType<typeof setInterval> | null = null;
  private sweeping = false;
  /** Run ids: UUIDv7 from the engine's clock, so they sort by creation time (and follow a test clock). */
  private readonly ids = new V7Generator();

  constructor(
    private readonly engineDb: EngineDb,
    private readonly definitions: Definitions,
    private readonly config: EngineConfig,
    private readonly log: Logger,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    this.startedAt = clock();
    this.services = {
      now: clock,
      monotonic: () => performance.now(),
      sleep: (ms, signal) =>
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, ms);
          signal.addEventListener('abort', () => {
            clearTimeout(timer);
            reject(new Error('aborted'));
          }, { once: true });
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
    this.retentionTimer = setInterval(() => void this.sweepRetention(), this.config.retentionSweepMs);
    this.renewTimer.unref();
    this.retentionTimer.unref();
    this.wake();
  }

  /** Refuses new calls from now on; what is in flight goes on (see stop). */
  stopAccepting(): void {
    this.accepting = false;
  }

  /** Stops claiming, waits for the runs in flight to finish and their writes to commit. */
  async stop(): Promise<void> {
    this.accepting = false;
    this.stopping = true;
    if (this.claimTimer) clearTimeout(this.claimTimer);
    if (this.renewTimer) clearInterval(this.renewTimer);
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    for (const [runId, resolve] of this.waiters) resolve({ kind: 'finished', runId, status: 'interrupted', error: 'The server stopped' });
    await this.engineDb.commits.drain();
    try {
      this.engineDb.queue.forget(this.owner);
    } catch (error) {
      this.log.warn({ err: error }, 'could not remove this runner from the runner list');
    }
  }

  /**
   * Whether the database takes writes: commits this runner's heartbeat through the group commit
   * and waits at most `timeoutMs` for it.
   */
  async writable(timeoutMs: number): Promise<boolean> {
    if (!this.engineDb.commits.healthy) return false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const write = this.engineDb.commits.write(() => this.engineDb.queue.heartbeat(this.runnerInfo(), this.clock())).then(
      () => true,
      () => false,
    );
    try {
      return await Promise.race([write, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  // ---- calls ------------------------------------------------------------------------------

  /**
   * A call of a workflow endpoint. Throws AppError for what the caller got wrong (unknown
   * workflow, draft with errors, bad parameters); nothing is written then.
   */
  async call(request: CallRequest): Promise<CallResult> {
    if (!this.accepting) throw new EngineStoppedError();
    const resolved = this.definitions.forCall(request.environment, request.name);
    const inputs = readInputs(resolved.definition.trigger.parameters, request.body);
    if (!inputs.ok) throw badRequest(inputs.errors.map((e) => e.message).join('; '), { errors: inputs.errors }).because('invalid_parameters');
    const { settings } = resolved.definition;
    const now = this.clock();
    const row = this.newRun(resolved, request, now);

    if (settings.mode === 'async') {
      await this.enqueue(resolved, row);
      return { kind: 'accepted', runId: row.id };
    }
    if (this.hasCapacity(resolved)) return this.runNow(resolved, row, inputs.values);
    // Over capacity or over the workflow's concurrency limit: wait in the queue, ahead of runs
    // nobody waits for, and answer 202 if the result does not come within the wait limit.
    row.priority = 1;
    const result = this.waitFor(row.id);
    await this.enqueue(resolved, row);
    return result;
  }

  private newRun(resolved: ResolvedDefinition, request: CallRequest, now: Date): RunRow {
    const { settings } = resolved.definition;
    return {
      id: this.ids.generateOrResetCore(now.getTime(), 10_000).toString(),
      workflowId: resolved.workflowId,
      workflowName: request.name,
      environment: request.environment,
      trigger: request.trigger,
      status: 'queued',
      releaseNumber: resolved.releaseNumber,
      draftRevision: resolved.draftRevision,
      mode: settings.mode,
      runAt: now,
      priority: 0,
      attempts: 0,
      maxAttempts: settings.retry.maxAttempts,
      nextAttemptReason: null,
      recovered: false,
      leaseOwner: null,
      leaseExpiresAt: null,
      concurrencyLimit: settings.concurrency,
      parentRunId: null,
      chainDepth: 0,
      input: request.inputJson,
      output: null,
      error: null,
      createdAt: now,
      startedAt: null,
      finishedAt: null,
      durationMs: null,
    };
  }

  private hasCapacity(resolved: ResolvedDefinition): boolean {
    if (this.executing >= this.config.capacity) return false;
    const limit = resolved.definition.settings.concurrency;
    if (limit === null) return true;
    const key = concurrencyKey(resolved.workflowId, resolved.environment);
    return (this.localRunning.get(key) ?? 0) + this.runningElsewhere(resolved) < limit;
  }

  /** Runs of this workflow that queue claims are executing (in any process). */
  private runningElsewhere(resolved: ResolvedDefinition): number {
    return this.engineDb.lookups.runningCount(resolved.workflowId, resolved.environment);
  }

  private async enqueue(resolved: ResolvedDefinition, row: RunRow): Promise<void> {
    const writes = this.engineDb.writes;
    const snapshot = this.definitions.needsSnapshot(resolved);
    await this.engineDb.commits.write((db) => {
      if (snapshot) writes.snapshot(resolved.workflowId, resolved.draftRevision!, resolved.snapshot!, row.createdAt)(db);
      writes.insertRun(row, null)(db);
    });
    if (snapshot) this.definitions.snapshotStored(resolved);
    this.wake();
  }

  /** A synchronous call executed in this process now. It holds a slot of capacity while its steps run, not while its writes commit. */
  private runNow(resolved: ResolvedDefinition, row: RunRow, params: ReadonlyMap<string, Value>): Promise<CallResult> {
    const key = this.begin(resolved.workflowId, resolved.environment);
    const work = this.executeNow(resolved, row, params, () => this.end(key));
    this.track(work);
    return work;
  }

  private async executeNow(
    resolved: ResolvedDefinition,
    row: RunRow,
    params: ReadonlyMap<string, Value>,
    stepsDone: () => void,
  ): Promise<CallResult> {
    const { definition } = resolved;
    const writes = this.engineDb.writes;
    const startedAt = row.createdAt;
    const started = performance.now();
    const positions = positionsOf(definition);
    row.attempts = 1;
    row.startedAt = startedAt;
    let persisted: Promise<void> | null = null;
    const done: StepRecord[] = [];
    const snapshot = this.definitions.needsSnapshot(resolved);
    // A run whose steps all stay inside it and end at once is committed once, at the end. One that
    // reaches a step with an effect, or outlasts the caller's wait, is first committed as running
    // (under this process's lease) with the steps done so far, and finished with a fenced update.
    const persist = () =>
      (persisted ??= this.engineDb.commits.write((db) => {
        if (snapshot) writes.snapshot(resolved.workflowId, resolved.draftRevision!, resolved.snapshot!, startedAt)(db);
        const running: RunRow = { ...row, status: 'running', leaseOwner: this.owner, leaseExpiresAt: this.leaseUntil() };
        writes.insertRun(running, attemptRow(row.id, 1, 'first', startedAt, this.owner), stepRows(row.id, 1, done, positions))(db);
      }));
    const timeout = resolved.mayWait ? this.timeoutSignal(definition.settings.timeoutSeconds) : null;
    const execution = interpret({
      definition,
      params,
      services: this.services,
      runId: row.id,
      ...(timeout && { signal: timeout.signal }),
      beforeEffect: persist,
      onStep: (record) => {
        // Once the run is in the database, each step is checkpointed as it ends.
        if (persisted) this.engineDb.commits.writeLater(writes.insertSteps([stepRow(row.id, 1, record, positions)]), 'step checkpoint');
        else done.push(record);
      },
    }).finally(() => {
      timeout?.dispose();
      stepsDone();
    });

    const finish = async (outcome: Outcome): Promise<CallResult> => {
      const finishedAt = this.clock();
      const durationMs = performance.now() - started;
      const retryAt = this.retryAt(outcome, 1, row.maxAttempts, definition.settings.retry);
      const end = runOutcome(outcome, finishedAt, durationMs, retryAt);
      const waiting = retryAt ? this.waitFor(row.id) : null;
      if (!persisted) {
        const final: RunRow = retryAt
          ? { ...row, status: 'queued', runAt: retryAt, error: end.error, nextAttemptReason: 'retry', priority: 1 }
          : { ...row, status: end.status, output: end.output, error: end.error, finishedAt, durationMs };
        const steps = stepRows(row.id, 1, outcome.records, positions);
        await this.engineDb.commits.write((db) => {
          if (snapshot) writes.snapshot(resolved.workflowId, resolved.draftRevision!, resolved.snapshot!, startedAt)(db);
          writes.insertRun(final, attemptRow(row.id, 1, 'first', startedAt, this.owner, end), steps)(db);
        });
        if (snapshot) this.definitions.snapshotStored(resolved);
      } else {
        await persisted;
        const applied = { value: false };
        await this.engineDb.commits.write(writes.finish(row.id, 1, this.owner, end, [], applied));
        if (!applied.value) return { kind: 'accepted', runId: row.id };
      }
      if (waiting) {
        this.wake();
        return waiting;
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
    this.track(finished$);
    await persist();
    if (snapshot) this.definitions.snapshotStored(resolved);
    return { kind: 'accepted', runId: row.id };
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

  /** Claims due runs now (or at the next due time); cheap to call often. */
  wake(delayMs = 0): void {
    if (this.stopping || !this.accepting) return;
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
    let claimed: ClaimedRun[] = [];
    if (free > 0) {
      const now = this.clock();
      try {
        claimed = this.engineDb.queue.claim({
          owner: this.owner,
          now,
          limit: free,
          leaseUntil: this.leaseUntil(),
          localRunning: (workflowId, environment) => this.localRunning.get(concurrencyKey(workflowId, environment)) ?? 0,
        });
      } catch (error) {
        this.log.error({ err: error }, 'claiming runs failed');
        return this.wake(SAFETY_POLL_MS);
      }
    }
    for (const run of claimed) {
      const key = this.begin(run.workflowId, run.environment);
      this.track(this.executeClaimed(run).finally(() => this.end(key)));
    }
    this.saturated = free <= 0 || claimed.length === free;
    if (this.saturated) return free > 0 ? this.wake(0) : undefined;
    let next: Date | null;
    try {
      next = this.engineDb.queue.nextDue();
    } catch {
      return this.wake(BUSY_RETRY_MS);
    }
    const untilNext = next ? Math.max(0, next.getTime() - this.clock().getTime()) : SAFETY_POLL_MS;
    this.wake(Math.min(untilNext, SAFETY_POLL_MS));
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
        services: this.services,
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
    const finishedAt = this.clock();
    const retryAt = resolved ? this.retryAt(outcome, run.attempt, run.maxAttempts, resolved.definition.settings.retry) : null;
    const end = runOutcome(outcome, finishedAt, performance.now() - started, retryAt);
    const applied = { value: false };
    try {
      await this.engineDb.commits.write(writes.finish(run.id, run.attempt, this.owner, end, [], applied));
    } catch (error) {
      // The lease runs out and the reaper gives the run a new attempt or marks it interrupted.
      this.log.error({ err: error, runId: run.id }, 'the end of a run could not be written');
      return;
    }
    if (!applied.value) {
      this.log.warn({ runId: run.id, attempt: run.attempt }, 'lost the lease of a run before it ended; its new attempt decides');
      return;
    }
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

  /** Heartbeat, lease renewal and reaping; runs at start and every LEASE_RENEW_SECONDS. */
  private housekeeping(): void {
    const now = this.clock();
    try {
      const queue = this.engineDb.queue;
      this.engineDb.sqlite.transaction(() => {
        queue.heartbeat(this.runnerInfo(), now);
        queue.renew(this.owner, this.leaseUntil());
      }).immediate();
      const reaped = queue.reap(now, (owner) => this.isGone(owner), this.owner);
      if (reaped.recovered.length > 0 || reaped.interrupted.length > 0) {
        this.log.warn({ recovered: reaped.recovered.length, interrupted: reaped.interrupted.length }, 'recovered runs whose runner stopped');
        this.wake();
      }
    } catch (error) {
      this.log.warn({ err: error }, 'lease renewal and reaping will be tried again');
    }
  }

  /**
   * Whether the process behind a lease owner is certainly gone. Processes sharing an SQLite file
   * share a machine: an owner on this host whose pid is not alive (or is our own pid with another
   * nonce: a restart in a container) is gone, and its runs need not wait for their lease to expire.
   */
  private isGone(owner: string): boolean {
    const [host, pidText] = owner.split(':');
    if (host !== hostname()) return false;
    const pid = Number(pidText);
    if (!Number.isInteger(pid)) return false;
    if (pid === process.pid) return owner !== this.owner;
    try {
      process.kill(pid, 0);
      return false;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ESRCH';
    }
  }

  /** Deletes runs past their environment's retention, a small batch at a time. */
  private async sweepRetention(): Promise<void> {
    if (this.sweeping || this.stopping) return;
    this.sweeping = true;
    try {
      const now = this.clock().getTime();
      const { draft, live } = this.config.retentionMs;
      const upTo = uuidv7Floor(new Date(now - Math.min(draft, live)));
      const expired = (run: { environment: string; createdAt: Date }) =>
        run.createdAt.getTime() < now - (run.environment === 'draft' ? draft : live);
      let cursor: string | null = '';
      let deleted = 0;
      while (cursor !== null && !this.stopping) {
        const batch: { next: string | null; deleted: number } = this.engineDb.retention.batch(cursor, upTo, RETENTION_BATCH, expired);
        deleted += batch.deleted;
        cursor = batch.next;
        // Let calls in between batches.
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (deleted > 0) this.log.info({ deleted }, 'deleted runs past their retention');
    } catch (error) {
      this.log.warn({ err: error }, 'deleting old runs will be tried again');
    } finally {
      this.sweeping = false;
    }
  }

  // ---- small helpers --------------------------------------------------------------------------

  private begin(workflowId: string, environment: string): string {
    const key = concurrencyKey(workflowId, environment);
    this.executing++;
    this.localRunning.set(key, (this.localRunning.get(key) ?? 0) + 1);
    return key;
  }

  private end(key: string): void {
    this.executing--;
    const n = (this.localRunning.get(key) ?? 1) - 1;
    if (n <= 0) this.localRunning.delete(key);
    else this.localRunning.set(key, n);
    if (this.saturated) this.wake();
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
    return { id: this.owner, hostname: hostname(), pid: process.pid, startedAt: this.startedAt };
  }

  private timeoutSignal(seconds: number): { signal: AbortSignal; dispose(): void } {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), seconds * 1000);
    return { signal: controller.signal, dispose: () => clearTimeout(timer) };
  }
}

function concurrencyKey(workflowId: string, environment: string): string {
  return `${workflowId}\u0000${environment}`;
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
