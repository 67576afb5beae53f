import { type RecurrenceSpec, describeRecurrence, fireTimesBetween, nextFireTimes } from '@switchyard/workflow';
import type { Logger } from 'pino';
import type { EngineDb, RecurringJobRow, RunRow } from '../db/index.ts';
import type { Definitions, ResolvedDefinition } from '../services/definitions.ts';
import type { Environment } from '../services/runs.ts';
import { queuedRun } from './runRow.ts';
import { WakeTimer } from './wakeTimer.ts';

/**
 * A fire time's run is made this long before it is due, so the engine's timer starts it on time
 * (creating it is a database write; starting it is only a claim).
 */
const LOOKAHEAD_MS = 1000;
/** A fire time older than this when handled was missed (the server was down, or the environment paused). */
const GRACE_MS = 5000;
/** For jobs switched, deployed or edited elsewhere (the CLI, another process). */
const SAFETY_POLL_MS = 1000;
/** Missed fire times listed before they are only counted as "more than" (one catch-up run either way). */
const MISSED_CAP = 1000;
/** Fire times within the grace period and the lookahead: a few seconds of a job due every second. */
const UPCOMING_CAP = 100;
/** Windows looked back through for the latest fire time before a moment: a second up to ten years. */
const LOOK_BACK_MS = [1000, 60_000, 3_600_000, 86_400_000, 32 * 86_400_000, 367 * 86_400_000, 3660 * 86_400_000];

export interface RecurringHooks {
  newId(now: Date): string;
  /** Runs were made: claim (at their due time). */
  wake(): void;
  /** The instance's time zone, for schedules without their own. */
  timeZone: string;
}

/**
 * Fires recurring jobs: for each job an admin switched on (per environment), the runs of its fire
 * times, made a moment ahead (LOOKAHEAD_MS) and due exactly at the fire time. Fire times the server
 * missed (it was down, or the environment was paused) follow the job's policy: one run for all of
 * them ("once", the default) or none ("skip"); either way it is recorded in the job's history. A
 * timer is set for the next fire time of all jobs, backed by a slow poll.
 */
export class RecurringJobs {
  private readonly timer = new WakeTimer(() => this.tick());

  constructor(
    private readonly engineDb: EngineDb,
    private readonly definitions: Definitions,
    private readonly log: Logger,
    private readonly clock: () => Date,
    private readonly hooks: RecurringHooks,
  ) {}

  start(): void {
    this.timer.start();
  }

  stop(): void {
    this.timer.stop();
  }

  /** Looks at the jobs now (one was switched on, or the environment resumed). */
  poke(): void {
    this.timer.at(0);
  }

  /** Fires what is due of every job switched on; returns how long until the next look. */
  private async tick(): Promise<number> {
    let next = SAFETY_POLL_MS;
    try {
      const paused = new Set(this.engineDb.scheduling.states().filter((s) => s.paused).map((s) => s.environment));
      for (const job of this.engineDb.recurring.enabled()) {
        // While paused nothing fires: on resume the fire times missed meanwhile follow the policy.
        if (paused.has(job.environment)) continue;
        const wait = await this.handle(job);
        if (wait !== null) next = Math.min(next, wait);
      }
    } catch (error) {
      this.log.warn({ err: error }, 'firing recurring jobs failed; trying again shortly');
    }
    return next;
  }

  /** Fires what is due of one job; returns how long until it should be looked at again (null: no schedule). */
  private async handle(job: RecurringJobRow): Promise<number | null> {
    const resolved = this.resolve(job);
    if (!resolved || resolved.definition.trigger.type !== 'recurring') return null;
    const spec = resolved.definition.trigger.schedule;
    const zone = this.hooks.timeZone;
    const now = this.clock();
    const horizon = new Date(now.getTime() + LOOKAHEAD_MS);
    const key = scheduleKey(spec, zone);
    let runs: RunRow[] = [];
    let event: Parameters<EngineDb['recurring']['fire']>[4] = null;
    let handledUntil: Date | null = null;

    if (job.scheduleKey !== null && job.scheduleKey !== key) {
      // Edited, or deployed differently: the fire times since the last one belong to another
      // schedule, so none of them was "missed". Count from now.
      handledUntil = now;
      event = { kind: 'rescheduled', message: `The schedule changed (now ${describeRecurrence(spec, zone)}): counting from ${now.toISOString()}`, at: now };
    } else {
      const missedBefore = new Date(now.getTime() - GRACE_MS);
      const missed = job.lastFireAt < missedBefore ? this.missed(spec, zone, job.lastFireAt, missedBefore) : null;
      const upcoming = fireTimesBetween(spec, zone, new Date(Math.max(job.lastFireAt.getTime(), missedBefore.getTime() - 1)), horizon, UPCOMING_CAP).times;
      runs = upcoming.map((at) => this.run(resolved, job, at, now));
      if (missed) {
        const range = missed.count === 1 ? `at ${missed.first.toISOString()}` : `from ${missed.first.toISOString()} to ${missed.last.toISOString()}`;
        const what = `${missed.count === 1 ? '1 fire time' : `${missed.count} fire times`} missed ${range}`;
        if (spec.missed === 'skip') {
          event = { kind: 'missed_skipped', message: `${what}: skipped (the job's policy)`, at: now };
        } else {
          // One run for all of them, keyed by the latest, due now.
          runs.unshift(this.run(resolved, job, missed.last, now, now));
          event = { kind: 'missed_once', message: `${what}: ran once for all (the job's policy)`, at: now };
        }
      }
      const latest = upcoming[upcoming.length - 1] ?? missed?.last ?? null;
      handledUntil = latest;
      // Nothing due, but the key is new (first look since switched on): record it.
      if (!handledUntil && job.scheduleKey === null) handledUntil = job.lastFireAt;
    }

    if (handledUntil) {
      const fired = await this.engineDb.commits.compute((db) => {
        if (runs.length > 0 && this.definitions.needsSnapshot(resolved)) {
          this.engineDb.writes.snapshot(resolved.workflowId, resolved.draftRevision!, resolved.snapshot!, now)(db);
        }
        return this.engineDb.recurring.fire(job, handledUntil!, key, runs, event);
      });
      if (fired) {
        if (runs.length > 0 && this.definitions.needsSnapshot(resolved)) this.definitions.snapshotStored(resolved);
        if (event) this.log.info({ workflowId: job.workflowId, environment: job.environment }, event.message);
        if (runs.length > 0) this.hooks.wake();
      }
      job = { ...job, lastFireAt: handledUntil, scheduleKey: key };
    }
    const [next] = nextFireTimes(spec, zone, new Date(Math.max(job.lastFireAt.getTime(), horizon.getTime())), 1);
    return next ? Math.max(0, next.getTime() - LOOKAHEAD_MS - this.clock().getTime()) : null;
  }

  /**
   * The fire times after `after` and before `before` (missed ones): how many, the first and the
   * last. A long downtime of a frequent job is not listed: past a thousand, the count says so and
   * the last is found by looking back from `before`.
   */
  private missed(spec: RecurrenceSpec, zone: string, after: Date, before: Date): { count: string | number; first: Date; last: Date } | null {
    const until = new Date(before.getTime() - 1);
    const page = fireTimesBetween(spec, zone, after, until, MISSED_CAP);
    const first = page.times[0];
    if (!first) return null;
    if (!page.more) return { count: page.times.length, first, last: page.times[page.times.length - 1]! };
    return { count: `more than ${MISSED_CAP.toLocaleString('en')}`, first, last: latestUpTo(spec, zone, until) ?? page.times[page.times.length - 1]! };
  }

  private run(resolved: ResolvedDefinition, job: RecurringJobRow, fireAt: Date, now: Date, runAt: Date = fireAt): RunRow {
    return {
      ...queuedRun(resolved, { id: this.hooks.newId(now), name: resolved.definition.name, environment: job.environment, trigger: 'recurring', input: '{}', now }),
      mode: 'async',
      runAt,
      scheduledBy: 'recurring',
      dedupeKey: `recurring:${job.workflowId}:${job.environment}:${fireAt.toISOString()}`,
    };
  }

  private resolve(job: RecurringJobRow): ResolvedDefinition | null {
    try {
      return this.definitions.forTarget(job.environment as Environment, job.workflowId);
    } catch {
      // Not deployed, deleted, or a draft with errors: nothing to fire until that changes.
      return null;
    }
  }
}

/** What a job's fire times depend on: its schedule, and the zone it falls back to. */
function scheduleKey(spec: RecurrenceSpec, zone: string): string {
  return JSON.stringify({ spec, zone: spec.timeZone ?? zone });
}

/** The latest fire time at or before `until`, looking back through growing windows. */
function latestUpTo(spec: RecurrenceSpec, zone: string, until: Date): Date | null {
  for (const window of LOOK_BACK_MS) {
    const { times } = fireTimesBetween(spec, zone, new Date(until.getTime() - window), until, MISSED_CAP);
    const last = times[times.length - 1];
    if (last) return last;
  }
  return null;
}
