import { type Json, NonRetriableError, type SchedulerPort, type Value, readInputs, toJsonValue } from '@switchyard/workflow';
import { type EngineDb, type RunRow, WriteTimeoutError } from '../db/index.ts';
import type { CancelOne, CancelResult } from '../db/index.ts';
import type { Definitions, ResolvedDefinition } from '../services/definitions.ts';
import { AppError, badRequest } from '../services/errors.ts';
import type { Environment, Trigger } from '../services/runs.ts';
import type { SchedulerControl } from '../services/scheduler.ts';
import { DatabaseBusyError } from './errors.ts';
import { queuedRun } from './runRow.ts';

/** A run to schedule: of a workflow by name (HTTP) or by id (a step), at a date. */
export interface ScheduleRequest {
  environment: Environment;
  target: { name: string } | { workflowId: string };
  /** The parameters, keyed as callers send them (the JSON body of a call). */
  body: unknown;
  runAt: Date;
  trigger: Trigger;
  /** api | user:<email> | run:<id> | ... */
  scheduledBy: string;
  /** The run whose step schedules this one: the new run is one deeper in the chain. */
  parent?: { runId: string; chainDepth: number };
  /** Scheduling again with the same key returns the run the first call made. */
  dedupeKey?: string;
}

/** The parts of the engine scheduling uses. */
export interface SchedulingHooks {
  /** A new run id (UUIDv7) at this time. */
  newId(now: Date): string;
  /** Something became due (or will at a time): claim. */
  wake(): void;
  /** The longest a write a caller waits for may take. */
  syncWaitMs: number;
}

/** The chain depth limit stopped a run from scheduling another. */
export class ChainTooDeepError extends NonRetriableError {
  override name = 'ChainTooDeepError';
}

/**
 * Runs due later: scheduling them (from HTTP, the console or a step), cancelling them, and the
 * scheduling port steps use. A scheduled run is pinned when it is made to what is current then
 * (the latest release, or the saved draft's snapshot); the engine's claim loop starts it when due.
 */
export class Scheduling implements SchedulerControl {
  constructor(
    private readonly engineDb: EngineDb,
    private readonly definitions: Definitions,
    private readonly hooks: SchedulingHooks,
    private readonly clock: () => Date,
  ) {}

  /**
   * Records a run due at `runAt` (a past date means now). Throws AppError for a target or
   * parameters the caller got wrong, ChainTooDeepError past the environment's chain depth limit;
   * nothing is written then.
   */
  async schedule(request: ScheduleRequest): Promise<{ runId: string }> {
    const resolved =
      'name' in request.target
        ? this.definitions.forCall(request.environment, request.target.name)
        : this.definitions.forTarget(request.environment, request.target.workflowId);
    const inputs = readInputs(resolved.definition.trigger.parameters, request.body);
    if (!inputs.ok) {
      throw badRequest(inputs.errors.map((e) => e.message).join('; '), { errors: inputs.errors }).because('invalid_parameters');
    }
    const chainDepth = request.parent ? request.parent.chainDepth + 1 : 0;
    if (request.parent) {
      const limit = this.engineDb.scheduling.state(request.environment).chainDepthLimit;
      if (chainDepth > limit) {
        throw new ChainTooDeepError(
          `Not scheduled: this would be run ${chainDepth} of a chain of runs scheduling runs, past the limit of ${limit} in ${request.environment} (does a workflow keep scheduling itself?)`,
        );
      }
    }
    const now = this.clock();
    const row: RunRow = {
      ...queuedRun(resolved, { id: this.hooks.newId(now), name: resolved.definition.name, environment: request.environment, trigger: request.trigger, input: JSON.stringify(request.body ?? {}), now }),
      mode: 'async',
      runAt: request.runAt > now ? request.runAt : now,
      parentRunId: request.parent?.runId ?? null,
      chainDepth,
      scheduledBy: request.scheduledBy,
      dedupeKey: request.dedupeKey ?? null,
    };
    const inserted = { value: false };
    await this.write(resolved, (db) => this.engineDb.writes.insertRun(row, null, [], inserted)(db), now);
    if (!inserted.value && request.dedupeKey) {
      const existing = this.engineDb.scheduling.byDedupeKey(request.dedupeKey);
      if (existing) return { runId: existing };
    }
    this.hooks.wake();
    return { runId: row.id };
  }

  scheduleById(request: { environment: Environment; workflowId: string; body: unknown; runAt: Date; scheduledBy: string }): Promise<{ runId: string }> {
    return this.schedule({ ...request, target: { workflowId: request.workflowId }, trigger: 'schedule' });
  }

  /** Cancels every pending run of the environment, a chunk per transaction; resolves with how many. */
  async cancelAll(environment: Environment, by: string): Promise<number> {
    const reason = `Cancelled by ${by} (cancel all)`;
    let after = '';
    let total = 0;
    for (;;) {
      const chunk = await this.engineDb.commits.compute(() => this.engineDb.scheduling.cancelChunk(environment, after, reason, this.clock()));
      total += chunk.cancelled;
      if (chunk.done || chunk.last === null) return total;
      after = chunk.last;
    }
  }

  async setPaused(environment: Environment, paused: boolean, by: string): Promise<void> {
    await this.engineDb.commits.write(() => this.engineDb.scheduling.setPaused(environment, paused, by, this.clock()));
    // Resumed: what is due starts now, not at the next safety poll.
    this.hooks.wake();
  }

  async setChainDepthLimit(environment: Environment, limit: number, by: string): Promise<void> {
    await this.engineDb.commits.write(() => this.engineDb.scheduling.setChainDepthLimit(environment, limit, by, this.clock()));
  }

  states() {
    return this.engineDb.scheduling.states();
  }

  /** Cancels a pending run of the environment: 'started' when it began already, 'unknown' when there is none. */
  cancelOne(environment: Environment, runId: string, by: string): Promise<CancelOne> {
    return this.engineDb.commits.compute(() => this.engineDb.scheduling.cancelOne(environment, runId, `Cancelled by ${by}`, this.clock()));
  }

  cancel(environment: Environment, runIds: readonly string[], by: string): Promise<CancelResult> {
    return this.engineDb.commits.compute(() => this.engineDb.scheduling.cancel(environment, runIds, `Cancelled by ${by}`, this.clock()));
  }

  /** The scheduling port of one run's steps: runs it schedules are in its environment, one deeper in its chain. */
  portFor(run: { id: string; environment: string; chainDepth: number }): SchedulerPort {
    const environment = run.environment as Environment;
    const parent = { runId: run.id, chainDepth: run.chainDepth };
    return {
      schedule: async ({ workflowId, params, runAt, idempotencyKey }) => {
        const resolved = this.definitions.forTarget(environment, workflowId);
        return this.fromStep(() =>
          this.schedule({
            environment,
            target: { workflowId },
            body: bodyOf(resolved, params),
            runAt,
            trigger: 'schedule',
            scheduledBy: `run:${run.id}`,
            parent,
            dedupeKey: `step:${idempotencyKey}`,
          }),
        );
      },
      scheduleList: async () => {
        throw new NonRetriableError('Scheduling on a list is not available yet');
      },
      cancel: async (runIds) => this.cancel(environment, runIds, `run ${run.id}`),
    };
  }

  /** A caller's mistake made by a step (a bad target or parameters) fails the step for good. */
  private async fromStep<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof AppError) throw new NonRetriableError(error.message);
      throw error;
    }
  }

  /** Writes a new run (and the draft snapshot it is pinned to, the first time) within the wait limit. */
  private async write(resolved: ResolvedDefinition, op: Parameters<EngineDb['commits']['write']>[0], now: Date): Promise<void> {
    const snapshot = this.definitions.needsSnapshot(resolved);
    try {
      await this.engineDb.commits.write((db) => {
        if (snapshot) this.engineDb.writes.snapshot(resolved.workflowId, resolved.draftRevision!, resolved.snapshot!, now)(db);
        op(db);
      }, this.hooks.syncWaitMs);
    } catch (error) {
      if (error instanceof WriteTimeoutError) throw new DatabaseBusyError();
      throw error;
    }
    if (snapshot) this.definitions.snapshotStored(resolved);
  }
}

/**
 * The JSON body of a run from parameter values given by id, keyed as the pinned definition names
 * them. A value for a parameter the target no longer has is an error naming it.
 */
export function bodyOf(resolved: ResolvedDefinition, params: ReadonlyMap<string, unknown>): Record<string, Json> {
  const specs = resolved.definition.trigger.parameters;
  const body: Record<string, Json> = {};
  for (const [id, value] of params) {
    const spec = specs.find((p) => p.id === id);
    if (!spec) throw new NonRetriableError(`${resolved.definition.name} has no parameter with id ${id} any more: open this step and check its parameters`);
    if (value !== null) body[spec.key] = toJsonValue(value as Value);
  }
  return body;
}
