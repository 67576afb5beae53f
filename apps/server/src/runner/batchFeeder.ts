import type { Logger } from 'pino';
import type { EngineDb } from '../db/index.ts';
import { WakeTimer } from './wakeTimer.ts';

/** Items are made this far ahead of their due time, so the engine's timer starts them on time. */
const LOOKAHEAD_MS = 2000;
/** Item runs made in one transaction. */
const CHUNK = 5000;
/** Item runs made and not yet ended, per batch: the queue never holds a whole million-item list. */
const MAX_BACKLOG = 20_000;
/** Make more once the backlog is down to this. */
const LOW_WATER = MAX_BACKLOG / 2;
/** For batches other processes made, or whose items other processes end. */
const SAFETY_POLL_MS = 1000;

/**
 * Turns the items of unordered batches into runs as they come due, a chunk per transaction,
 * keeping a bounded backlog per batch (ordered batches make their next item when the previous one
 * ends, in the same transaction). Woken when a batch is made here and when its items end here; a
 * slow poll covers other processes. Several processes feeding one batch is safe: a feed reads and
 * advances the batch's count of made items inside one write transaction.
 */
export class BatchFeeder {
  private readonly timer = new WakeTimer(() => this.feed());
  /** Backlog per batch as of the last feed, less the items ended here since. */
  private readonly backlog = new Map<string, number>();

  constructor(
    private readonly engineDb: EngineDb,
    private readonly log: Logger,
    private readonly clock: () => Date,
    /** Runs were made: claim. */
    private readonly wakeEngine: () => void,
  ) {}

  start(): void {
    this.timer.start();
  }

  stop(): void {
    this.timer.stop();
  }

  /** Feeds as soon as possible (a batch was made). */
  poke(): void {
    this.timer.at(0);
  }

  /** An item of this batch ended in this process. */
  itemEnded(batchId: string): void {
    const left = this.backlog.get(batchId);
    if (left === undefined) return;
    this.backlog.set(batchId, left - 1);
    if (left - 1 === LOW_WATER) this.poke();
  }

  /** Makes what is due of every feedable batch; returns how long until the next feed. */
  private async feed(): Promise<number> {
    let next = SAFETY_POLL_MS;
    try {
      const ids = this.engineDb.batches.feedable();
      for (const id of [...this.backlog.keys()]) if (!ids.includes(id)) this.backlog.delete(id);
      for (const id of ids) {
        const now = this.clock();
        const result = await this.engineDb.commits.compute(() =>
          this.engineDb.batches.feed(id, now, new Date(now.getTime() + LOOKAHEAD_MS), CHUNK, MAX_BACKLOG),
        );
        this.backlog.set(id, result.backlog);
        if (result.made > 0) this.wakeEngine();
        if (result.made === CHUNK && result.backlog < MAX_BACKLOG) next = 0;
        else if (result.nextDueAt) next = Math.min(next, Math.max(0, result.nextDueAt.getTime() - LOOKAHEAD_MS / 2 - now.getTime()));
      }
    } catch (error) {
      this.log.warn({ err: error }, 'making the runs of batch items failed; trying again shortly');
    }
    return next;
  }
}
