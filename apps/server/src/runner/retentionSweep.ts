import type { Logger } from 'pino';
import type { EngineConfig } from '../config.ts';
import { type EngineDb, uuidv7Floor } from '../db/index.ts';

const BATCH = 500;

/**
 * Deletes runs (with their attempts and steps) past their environment's retention, every
 * RETENTION_SWEEP_SECONDS, a small batch at a time with the event loop free in between, so calls
 * hardly notice; then the draft snapshots no run is pinned to any more, ended batches (with their
 * lists), recurring-job history, audit log events (AUDIT_RETENTION_DAYS) and expired idempotency keys.
 */
export class RetentionSweep {
  private timer: ReturnType<typeof setInterval> | null = null;
  private sweeping = false;
  private stopped = false;

  constructor(
    private readonly engineDb: EngineDb,
    private readonly config: EngineConfig,
    private readonly log: Logger,
    private readonly clock: () => Date,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.sweep(), this.config.retentionSweepMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
  }

  private async sweep(): Promise<void> {
    if (this.sweeping || this.stopped) return;
    this.sweeping = true;
    try {
      const now = this.clock().getTime();
      const { draft, live } = this.config.retentionMs;
      const upTo = uuidv7Floor(new Date(now - Math.min(draft, live)));
      const expired = (run: { environment: string; endedAt: Date }) => run.endedAt.getTime() < now - (run.environment === 'draft' ? draft : live);
      let cursor: string | null = '';
      let deleted = 0;
      while (cursor !== null && !this.stopped) {
        const batch: { next: string | null; deleted: number } = this.engineDb.retention.batch(cursor, upTo, BATCH, expired);
        deleted += batch.deleted;
        cursor = batch.next;
        await new Promise((resolve) => setImmediate(resolve));
      }
      const snapshots = this.stopped ? 0 : this.engineDb.retention.unusedSnapshots(new Date(now - draft));
      let scheduling = 0;
      for (const [environment, keep] of [['draft', draft], ['live', live]] as const) {
        if (!this.stopped) scheduling += this.engineDb.retention.scheduling(environment, new Date(now - keep));
      }
      // Idempotency keys expire after a day, a bounded batch at a time.
      let keys = 0;
      for (let removed = BATCH; removed === BATCH && !this.stopped; keys += removed) {
        removed = this.engineDb.apiAccess.deleteExpiredKeys(new Date(now), BATCH);
        await new Promise((resolve) => setImmediate(resolve));
      }
      const auditEvents = this.stopped ? 0 : await this.sweepAudit(now);
      if (deleted > 0 || snapshots > 0 || scheduling > 0 || auditEvents > 0 || keys > 0) {
        this.log.info({ deleted, snapshots, scheduling, auditEvents, keys }, 'deleted runs, batches, job history, audit events and idempotency keys past their retention');
      }
    } catch (error) {
      this.log.warn({ err: error }, 'deleting old runs will be tried again');
    } finally {
      this.sweeping = false;
    }
  }

  /** Audit events older than AUDIT_RETENTION_DAYS, a batch per statement with the event loop free in between. */
  private async sweepAudit(now: number): Promise<number> {
    const upTo = uuidv7Floor(new Date(now - this.config.auditRetentionMs));
    let total = 0;
    for (;;) {
      const deleted = this.engineDb.audit.deleteBefore(upTo, BATCH);
      total += deleted;
      if (deleted < BATCH || this.stopped) return total;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}
