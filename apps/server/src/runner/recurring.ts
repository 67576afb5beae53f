import { type RecurrenceSpec, fireTimesBetween, nextFireTimes } from '@switchyard/workflow';
import type { Logger } from 'pino';
import type { EngineDb, RecurringJobRow, RunRow } from '../db/index.ts';
import type { Definitions, ResolvedDefinition } from '../services/definitions.ts';
import type { Environment } from '../services/runs.ts';
import { queuedRun } from './runRow.ts';

/**
 * A fire time's run is made this long before it is due, so the engine's timer starts it on time
 * (creating it is a database write; starting it is only a claim).
 */
const LOOKAHEAD_MS = 1000;
/** A fire time older than this when handled was missed (the server was down, or the environment paused). */
const GRACE_MS = 5000;
/** For jobs switched, deployed or edited elsewhere (the CLI, another process). */
const SAFETY_POLL_MS = 1000;
/** Missed fire times counted per look, and looks per job per tick: enough for a day of a job due every second. */
const COUNT_CAP = 10_000;
const MAX_LOOKS = 20;

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
  private timer: ReturnType<typeof setTimeout> | null = null;
  private timerAt = Infinity;
  private ticking = false;
  private again = false;
  private stopped = true;

  constructor(
    private readonly engineDb: EngineDb,
    private readonly definitions: Definitions,
    private readonly log: Logger,
    private readonly clock: () => Date,
    private readonly hooks: RecurringHooks,
  ) {}

  start(): void {
    this.stopped = false;
    this.poke();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Looks at the jobs now (one was switched on, or the environment resumed). */
  poke(): void {
    this.at(0);
  }

  private at(delayMs: number): void {
    if (this.stopped) return;
    const when = Date.now() + delayMs;
    if (this.timer && this.timerAt <= when) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = when;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAt = Infinity;
      void this.tick();
    }, delayMs);
  }

  private async tick(): Promise<void> {
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.ticking = true;
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
    } finally {
      this.ticking = false;
    }
    if (this.again) {
      this.again = false;
      next = 0;
    }
    this.at(next);
  }

  /** Fires what is due of one job; returns how long until it should be looked at again (null: no schedule). */
  private async handle(job: RecurringJobRow): Promise<number | null> {
    const resolved = this.resolve(job);
    if (!resolved || resolved.definition.trigger.type !== 'recurring') return null;
    const spec = resolved.definition.trigger.schedule;
    const zone = this.hooks.timeZone;
    const now = this.clock();
    const horizon = new Date(now.getTime() + LOOKAHEAD_MS);
    const due = this.dueTimes(spec, zone, job.lastFireAt, horizon);
    if (due.count > 0) {
      const missedBefore = now.getTime() - GRACE_MS;
      const missed = due.times.filter((t) => t.getTime() < missedBefore);
      const missedCount = due.count - (due.times.length - missed.length);
      const upcoming = due.times.filter((t) => t.getTime() >= missedBefore);
      const runs: RunRow[] = upcoming.map((at) => this.run(resolved, job, at, now));
      let event: Parameters<EngineDb['recurring']['fire']>[3] = null;
      if (missedCount > 0) {
        const first = due.first!;
        const last = missed[missed.length - 1] ?? first;
        const range = missedCount === 1 ? `at ${first.toISOString()}` : `from ${first.toISOString()} to ${last.toISOString()}`;
        const what = `${missedCount} fire time${missedCount === 1 ? '' : 's'} missed ${range}`;
        if (spec.missed === 'skip') {
          event = { kind: 'missed_skipped', message: `${what}: skipped (the job's policy)`, at: now };
        } else {
          // One run for all of them, keyed by the latest, due now.
          runs.unshift(this.run(resolved, job, last, now, now));
          event = { kind: 'missed_once', message: `${what}: ran once for all (the job's policy)`, at: now };
        }
      }
      const handledUntil = due.times[due.times.length - 1]!;
      const fired = await this.engineDb.commits.compute((db) => {
        if (this.definitions.needsSnapshot(resolved)) this.engineDb.writes.snapshot(resolved.workflowId, resolved.draftRevision!, resolved.snapshot!, now)(db);
        return this.engineDb.recurring.fire(job, handledUntil, runs, event);
      });
      if (fired) {
        if (this.definitions.needsSnapshot(resolved)) this.definitions.snapshotStored(resolved);
        if (event) this.log.info({ workflowId: job.workflowId, environment: job.environment }, event.message);
        this.hooks.wake();
      }
      job = { ...job, lastFireAt: handledUntil };
    }
    const [upcoming] = nextFireTimes(spec, zone, new Date(Math.max(job.lastFireAt.getTime(), horizon.getTime())), 1);
    return upcoming ? Math.max(0, upcoming.getTime() - LOOKAHEAD_MS - this.clock().getTime()) : null;
  }

  /**
   * Fire times after `after` up to `until`: how many, the first, and the last ones (a day of a
   * job due every second after downtime is counted, not listed).
   */
  private dueTimes(spec: RecurrenceSpec, zone: string, after: Date, until: Date): { count: number; first: Date | null; times: Date[] } {
    let count = 0;
    let first: Date | null = null;
    let from = after;
    let times: Date[] = [];
    for (let look = 0; look < MAX_LOOKS; look++) {
      const page = fireTimesBetween(spec, zone, from, until, COUNT_CAP);
      if (page.times.length === 0) break;
      first ??= page.times[0]!;
      count += page.times.length;
      times = page.times;
      from = page.times[page.times.length - 1]!;
      if (!page.more) break;
    }
    // Only the last page's times are kept: what is due now and the latest missed ones.
    return { count, first, times };
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
