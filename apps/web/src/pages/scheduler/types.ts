import type { RouterOutputs } from '../../api/types.ts';

/** The Scheduler page's shapes, inferred from the server's router like every other API shape. */
export type PendingPage = RouterOutputs['scheduler']['pending'];
export type PendingRun = PendingPage['runs'][number];
export type SchedulerState = RouterOutputs['scheduler']['state'];
export type EnvironmentState = SchedulerState['environments'][number];
export type QueueDepth = SchedulerState['depth'][number];
export type BatchPage = RouterOutputs['scheduler']['batches'];
export type Batch = BatchPage['batches'][number];
