import { type Json, LATEST_DUE_DATE, MAX_BATCH_ITEMS, NonRetriableError, type SchedulerPort, type Value, readInputs, toJsonValue } from '@switchyard/workflow';
import { type EngineDb, type NewBatch, type OnFinishRun, type RunRow, WriteTimeoutError } from '../db/index.ts';
import type { CancelOne, CancelResult } from '../db/index.ts';
import { type Actor, type AuditInput, actorName, auditRow } from '../services/audit.ts';
import type { Definitions, ResolvedDefinition } from '../services/definitions.ts';
import { AppError, badRequest, notFound } from '../services/errors.ts';
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
  /** The run's id when the caller chose it first (an idempotency key names the run before it exists). */
  runId?: string;
}

/** The parts of the engine scheduling uses. */
export interface SchedulingHooks {
  /** A new run id (UUIDv7) at this time. */
  newId(now: Date): string;
  /** Something became due (or will at a time): claim. */
  wake(): void;
  /** A batch was made: make its first items' runs. */
  batchMade(): void;
  /** A recurring job was switched, or an environment resumed: look at the recurring jobs now. */
  recurringChanged(): void;
  /** The longest a write a caller waits for may take. */
  syncWaitMs: number;
}

/** "Schedule API workflow on a list", as a step asks for it. */
export interface ScheduleListRequest {
  environment: Environment;
  workflowId: string;
  items: readonly unknown[];
  itemParameterId: string;
  /** The other parameters, by id. */
  params: ReadonlyMap<string, unknown>;
  startAt: Date;
  intervalMs: number;
  ordered: boolean;
  onFinishWorkflowId: string | null;
  scheduledBy: string;
  parent?: { runId: string; chainDepth: number };
  dedupeKey?: string;
}

/** The most a batch's list may weigh as JSON (it may have MAX_BATCH_ITEMS items). */
export const MAX_BATCH_LIST_BYTES = 64 * 1024 * 1024;

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
    refuseRecurring(resolved, request.environment);
    const inputs = readInputs(resolved.definition.trigger.parameters, request.body);
    if (!inputs.ok) {
      throw badRequest(inputs.errors.map((e) => e.message).join('; '), { errors: inputs.errors }).because('invalid_parameters');
    }
    checkDue(request.runAt, 'The scheduled date');
    const chainDepth = this.chainDepth(request.environment, request.parent);
    const now = this.clock();
    const row: RunRow = {
      ...queuedRun(resolved, { id: request.runId ?? this.hooks.newId(now), name: resolved.definition.name, environment: request.environment, trigger: request.trigger, input: JSON.stringify(request.body ?? {}), now }),
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

  /**
   * Cancels every pending run of the environment, a chunk per transaction, and every running batch
   * (items not made yet count as cancelled, not in the returned number); resolves with how many runs.
   */
  async cancelAll(environment: Environment, by: Actor): Promise<number> {
    const reason = `Cancelled by ${actorName(by)} (cancel all)`;
    let batches = 0;
    for (const batchId of this.engineDb.batches.runningIn(environment)) {
      if ((await this.cancelBatchAs(environment, batchId, by, false)) === 'cancelled') batches++;
    }
    let after = '';
    let total = 0;
    for (;;) {
      const chunk = await this.engineDb.commits.compute(() => {
        const now = this.clock();
        const result = this.engineDb.scheduling.cancelChunk(environment, after, reason, now);
        // One event for the whole cancel-all, in the transaction of its last chunk.
        if (result.done || result.last === null) {
          this.audit({ actor: by, action: 'runs.cancelled_all', target: environmentTarget(environment), details: { cancelled: total + result.cancelled, batches }, at: now });
        }
        return result;
      });
      total += chunk.cancelled;
      if (chunk.done || chunk.last === null) return total;
      after = chunk.last;
    }
  }

  async setPaused(environment: Environment, paused: boolean, by: Actor): Promise<void> {
    await this.engineDb.commits.write(() => {
      const now = this.clock();
      const was = this.engineDb.scheduling.state(environment).paused;
      this.engineDb.scheduling.setPaused(environment, paused, actorName(by), now);
      // Pausing what is paused already is not an event.
      if (was !== paused) this.audit({ actor: by, action: paused ? 'scheduler.paused' : 'scheduler.resumed', target: environmentTarget(environment), at: now });
    });
    // Resumed: what is due starts now, not at the next safety poll.
    this.hooks.wake();
    this.hooks.recurringChanged();
  }

  /** Switches a recurring job on or off in one environment (switching on starts from now). */
  async setRecurringEnabled(workflowId: string, environment: Environment, enabled: boolean, by: Actor): Promise<void> {
    const name = this.nameOf(environment, workflowId);
    if (enabled) {
      const resolved = this.definitions.forTarget(environment, workflowId);
      if (resolved.definition.trigger.type !== 'recurring') {
        throw badRequest(
          environment === 'live'
            ? `"${resolved.definition.name}" is not a recurring job in the live release: deploy it first`
            : `"${resolved.definition.name}" does not have a Recurring event`,
        );
      }
    }
    await this.engineDb.commits.write(() => {
      const now = this.clock();
      // Switching to the state it is in already changes nothing, and is not an event.
      if (!this.engineDb.recurring.setEnabled(workflowId, environment, enabled, actorName(by), now)) return;
      this.audit({ actor: by, action: 'recurring.switched', target: { type: 'recurring_job', id: workflowId, label: name }, details: { environment, enabled }, at: now });
    });
    this.hooks.recurringChanged();
  }

  async setChainDepthLimit(environment: Environment, limit: number, by: Actor): Promise<void> {
    await this.engineDb.commits.write(() => {
      const before = this.engineDb.scheduling.state(environment).chainDepthLimit;
      if (before === limit) return;
      this.engineDb.scheduling.setChainDepthLimit(environment, limit);
      this.audit({ actor: by, action: 'settings.changed', target: { type: 'settings', id: `scheduler.${environment}.chainDepthLimit`, label: `Chain depth limit (${environment})` }, details: { from: before, to: limit }, at: this.clock() });
    });
  }

  states() {
    return this.engineDb.scheduling.states();
  }

  /** Cancels a pending run of the environment: 'started' when it began already, 'unknown' when there is none. */
  /** The workflow a run of the environment belongs to, or null when there is no such run. */
  runWorkflow(environment: Environment, runId: string): { workflowId: string; workflowName: string } | null {
    return this.engineDb.scheduling.runWorkflow(environment, runId);
  }

  cancelOne(environment: Environment, runId: string, by: Actor): Promise<CancelOne> {
    return this.engineDb.commits.compute(() => {
      const now = this.clock();
      const outcome = this.engineDb.scheduling.cancelOne(environment, runId, `Cancelled by ${actorName(by)}`, now);
      if (outcome === 'cancelled') this.audit({ actor: by, action: 'run.cancelled', target: { type: 'run', id: runId }, details: { environment }, at: now });
      return outcome;
    });
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
      scheduleList: async (list) =>
        this.fromStep(() =>
          this.scheduleList({
            ...list,
            environment,
            scheduledBy: `run:${run.id}`,
            parent,
            dedupeKey: `step:${list.idempotencyKey}`,
          }),
        ),
      cancel: async (runIds) => this.cancel(environment, runIds, `run ${run.id}`),
    };
  }

  /**
   * Records a batch: one run of the target per item (the item given as one parameter, the others
   * the same for all), from `startAt`, `intervalMs` apart, optionally one after another. Every item
   * is checked against the target's parameter first; nothing is written when one does not fit.
   * The list is stored once, on the batch; its runs are made as they come due.
   */
  async scheduleList(request: ScheduleListRequest): Promise<{ batchId: string; total: number }> {
    const { environment } = request;
    if (request.items.length > MAX_BATCH_ITEMS) {
      throw badRequest(`The list has ${request.items.length.toLocaleString('en')} items; a batch may have at most ${MAX_BATCH_ITEMS.toLocaleString('en')}`);
    }
    const resolved = this.definitions.forTarget(environment, request.workflowId);
    refuseRecurring(resolved, environment);
    const specs = resolved.definition.trigger.parameters;
    const itemSpec = specs.find((p) => p.id === request.itemParameterId);
    if (!itemSpec) throw badRequest(`${resolved.definition.name} has no parameter with id ${request.itemParameterId} for the items`);
    const base = bodyOf(resolved, request.params);
    delete base[itemSpec.key];
    const items = request.items.map((item) => toJsonValue(item as Value));
    // The other parameters with the first item, then each item alone against its parameter.
    const first = readInputs(specs, { ...base, [itemSpec.key]: items[0] ?? null });
    const baseErrors = first.ok ? [] : first.errors.filter((e) => e.parameter !== itemSpec.key && !e.parameter?.startsWith(`${itemSpec.key}[`));
    if (baseErrors.length > 0) throw badRequest(baseErrors.map((e) => e.message).join('; '), { errors: baseErrors }).because('invalid_parameters');
    const itemOnly = [{ ...itemSpec, optional: false }];
    for (let i = 0; i < items.length; i++) {
      const read = readInputs(itemOnly, { [itemSpec.key]: items[i] });
      if (!read.ok) throw badRequest(`Item ${i + 1} of the list: ${read.errors[0]!.message}`).because('invalid_parameters');
    }
    checkDue(request.startAt, 'The start date');
    checkDue(new Date(request.startAt.getTime() + Math.max(0, request.items.length - 1) * request.intervalMs), 'The last item\'s start');
    const chainDepth = this.chainDepth(environment, request.parent);
    const onFinish = request.onFinishWorkflowId ? this.definitions.forTarget(environment, request.onFinishWorkflowId) : null;
    if (onFinish) refuseRecurring(onFinish, environment);
    const list = JSON.stringify(items);
    if (list.length > MAX_BATCH_LIST_BYTES) throw badRequest(`The list is ${Math.round(list.length / 1048576)} MiB as JSON; a batch may hold at most 64 MiB`);
    const now = this.clock();
    const batchId = this.hooks.newId(now);
    const { settings } = resolved.definition;
    const row: NewBatch = {
      id: batchId,
      environment,
      workflowId: resolved.workflowId,
      workflowName: resolved.definition.name,
      releaseNumber: resolved.releaseNumber,
      draftRevision: resolved.draftRevision,
      maxAttempts: settings.retry.maxAttempts,
      concurrencyLimit: settings.concurrency,
      parentRunId: request.parent?.runId ?? null,
      chainDepth,
      scheduledBy: request.scheduledBy,
      dedupeKey: request.dedupeKey ?? null,
      items: list,
      total: items.length,
      itemKey: itemSpec.key,
      baseInput: JSON.stringify(base),
      startAt: request.startAt,
      intervalMs: request.intervalMs,
      ordered: request.ordered,
      onFinish: onFinish
        ? JSON.stringify({
            workflowId: onFinish.workflowId,
            workflowName: onFinish.definition.name,
            releaseNumber: onFinish.releaseNumber,
            draftRevision: onFinish.draftRevision,
            maxAttempts: onFinish.definition.settings.retry.maxAttempts,
            concurrencyLimit: onFinish.definition.settings.concurrency,
          } satisfies OnFinishRun)
        : null,
      createdAt: now,
    };
    const batches = this.engineDb.batches;
    const inserted = { value: false };
    await this.write([resolved, ...(onFinish ? [onFinish] : [])], () => {
      inserted.value = batches.insert(row);
      if (!inserted.value) return;
      // An empty list ends at once; an ordered one gets its first item's run now.
      if (row.total === 0) batches.itemsEnded(batchId, {}, now);
      else if (row.ordered) batches.feed(batchId, now, now, 1, 1);
    }, now);
    if (!inserted.value && request.dedupeKey) {
      const existing = batches.byDedupeKey(request.dedupeKey);
      if (existing) return { batchId: existing, total: items.length };
    }
    this.hooks.batchMade();
    this.hooks.wake();
    return { batchId, total: items.length };
  }

  /** Cancels a running batch of the environment: what has not started is cancelled. */
  cancelBatch(environment: Environment, batchId: string, by: Actor): Promise<'cancelled' | 'ended' | 'unknown'> {
    return this.cancelBatchAs(environment, batchId, by, true);
  }

  private cancelBatchAs(environment: Environment, batchId: string, by: Actor, audited: boolean): Promise<'cancelled' | 'ended' | 'unknown'> {
    return this.engineDb.commits.compute(() => {
      const now = this.clock();
      const outcome = this.engineDb.batches.cancel(batchId, environment, actorName(by), now);
      if (outcome === 'cancelled' && audited) this.audit({ actor: by, action: 'batch.cancelled', target: { type: 'batch', id: batchId }, details: { environment }, at: now });
      return outcome;
    });
  }

  /** An audit event in the current group commit write: it commits (or not) with the change. */
  private audit(input: AuditInput): void {
    this.engineDb.audit.insert(auditRow(input));
  }

  /** The workflow's name for the log, from what the environment runs; its id when it has none there. */
  private nameOf(environment: Environment, workflowId: string): string {
    try {
      return this.definitions.forTarget(environment, workflowId).definition.name;
    } catch {
      return workflowId;
    }
  }

  /** The depth of a run scheduled by `parent`; throws past the environment's limit. */
  private chainDepth(environment: Environment, parent: ScheduleRequest['parent']): number {
    if (!parent) return 0;
    const depth = parent.chainDepth + 1;
    const limit = this.engineDb.scheduling.state(environment).chainDepthLimit;
    if (depth > limit) {
      throw new ChainTooDeepError(
        `Not scheduled: this would be run ${depth} of a chain of runs scheduling runs, past the limit of ${limit} in ${environment} (does a workflow keep scheduling itself?)`,
      );
    }
    return depth;
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
  private async write(pinned: ResolvedDefinition | ResolvedDefinition[], op: Parameters<EngineDb['commits']['write']>[0], now: Date): Promise<void> {
    const snapshots = (Array.isArray(pinned) ? pinned : [pinned]).filter((r) => this.definitions.needsSnapshot(r));
    try {
      await this.engineDb.commits.write((db) => {
        for (const r of snapshots) this.engineDb.writes.snapshot(r.workflowId, r.draftRevision!, r.snapshot!, now)(db);
        op(db);
      }, this.hooks.syncWaitMs);
    } catch (error) {
      if (error instanceof WriteTimeoutError) throw new DatabaseBusyError();
      throw error;
    }
    for (const r of snapshots) this.definitions.snapshotStored(r);
  }
}

const environmentTarget = (environment: Environment) => ({ type: 'environment' as const, id: environment, label: environment });

/**
 * A recurring job runs on its schedule, once admins switch it on: in live nothing else starts it
 * (its draft may still be run, to test it).
 */
function refuseRecurring(resolved: ResolvedDefinition, environment: Environment): void {
  if (environment === 'live' && resolved.definition.trigger.type === 'recurring') {
    throw notFound(`"${resolved.definition.name}" is a recurring job: it runs on its schedule and cannot be scheduled`).because('unknown_workflow');
  }
}

/** A due date the queue can hold: a valid date no later than the end of year 9999. */
function checkDue(date: Date, what: string): void {
  if (!Number.isFinite(date.getTime()) || date > LATEST_DUE_DATE) {
    throw badRequest(`${what} is after ${LATEST_DUE_DATE.toISOString()}, the latest date a run may be due`).because('invalid_parameters');
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
