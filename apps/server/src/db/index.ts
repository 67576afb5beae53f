// The only code that touches Prisma or SQL: everything else gets a `Db` (Prisma) or an `EngineDb`
// (the run engine's prepared SQL) through its caller. See README.md for why there are two.
export { openDb, type Db, type Prisma } from './client.ts';
export { migrate, MIGRATIONS_DIR, type MigrationReport } from './migrate.ts';
export { isBusyError, isRecordMissing, isUniqueViolation } from './errors.ts';
export { EngineDb, type EngineDbOptions } from './engineDb.ts';
export { WriteTimeoutError } from './groupCommit.ts';
export type { ClaimedRun, ClaimResult, RunQueue } from './queue.ts';
export type { AttemptReason, AttemptRow, RunOutcome, RunRow, RunStatus, StepRow } from './runWrites.ts';
export type { SynchronousMode } from './sqlite.ts';
export { uuidv7Floor } from './retention.ts';
export { SchedulingStore, type CancelOne, type CancelResult, type SchedulerStateRow } from './scheduling.ts';
export { sqlDate } from './sqlite.ts';
export { BatchStore, type NewBatch, type OnFinishRun, type Ended, type FeedResult } from './batches.ts';
export { RecurringStore, type RecurringJobRow, type RecurringEventKind } from './recurring.ts';
export { ApiAccessStore, type IdempotencyRow, type InstanceSettingsRow, type NewIdempotencyKey, type TokenRow } from './apiAccess.ts';
export { AuditStore, type AuditRow } from './audit.ts';
export { ensurePrivateDir, ensurePrivateFile } from './files.ts';
