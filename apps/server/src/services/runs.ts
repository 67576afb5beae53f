import { z } from 'zod';
import { type Db, type Prisma, uuidv7Floor } from '../db/index.ts';
import { notFound } from './errors.ts';

/** The words runs are described with: contracts other issues, scripts and the console rely on. */
export const Environment = z.enum(['draft', 'live']);
export type Environment = z.infer<typeof Environment>;
export const RunStatus = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted', 'skipped']);
export type RunStatus = z.infer<typeof RunStatus>;
export const Trigger = z.enum(['api', 'schedule', 'batch_item', 'recurring', 'data_change', 'custom_event', 'test']);
export type Trigger = z.infer<typeof Trigger>;
export const StepStatus = z.enum(['succeeded', 'failed', 'skipped']);
export const AttemptStatus = z.enum(['running', 'succeeded', 'failed', 'interrupted', 'skipped']);
export const AttemptReason = z.enum(['first', 'retry', 'recovered']);

const FINAL: readonly RunStatus[] = ['succeeded', 'failed', 'cancelled', 'interrupted', 'skipped'];

export const RunFilter = z.object({
  workflowId: z.string().max(64).optional(),
  /** Also matches runs by the workflow's name at run time (for runs of a deleted or renamed workflow). */
  workflowName: z.string().max(64).optional(),
  status: z.array(RunStatus).max(RunStatus.options.length).optional(),
  environment: Environment.optional(),
  trigger: Trigger.optional(),
  /** Created at or after. */
  since: z.date().optional(),
  /** Created before. */
  until: z.date().optional(),
});
export type RunFilter = z.infer<typeof RunFilter>;

export const RunListInput = RunFilter.extend({
  limit: z.number().int().min(1).max(200).default(50),
  /** The id of the last run of the previous page: the next page starts after it. */
  cursor: z.string().max(64).optional(),
});

/**
 * Run ids are UUIDv7 (time-ordered), so "newest first" is the primary key backwards, a time range
 * is an id range, and paging is keyset paging on the id: page 20,000 costs what page 1 costs.
 */
function where(filter: RunFilter, cursor?: string): Prisma.RunWhereInput {
  const id: Prisma.StringFilter = {};
  if (cursor) id.lt = cursor;
  if (filter.until) {
    const bound = uuidv7Floor(filter.until);
    id.lt = id.lt && id.lt < bound ? id.lt : bound;
  }
  if (filter.since) id.gte = uuidv7Floor(filter.since);
  const byWorkflow: Prisma.RunWhereInput[] = [];
  if (filter.workflowId) byWorkflow.push({ workflowId: filter.workflowId });
  if (filter.workflowName) byWorkflow.push({ workflowName: filter.workflowName });
  return {
    ...(Object.keys(id).length > 0 && { id }),
    ...(byWorkflow.length > 0 && { OR: byWorkflow }),
    ...(filter.status && filter.status.length > 0 && { status: { in: filter.status } }),
    ...(filter.environment && { environment: filter.environment }),
    ...(filter.trigger && { trigger: filter.trigger }),
  };
}

const summarySelect = {
  id: true,
  workflowId: true,
  workflowName: true,
  environment: true,
  trigger: true,
  releaseNumber: true,
  status: true,
  attempts: true,
  recovered: true,
  runAt: true,
  createdAt: true,
  startedAt: true,
  finishedAt: true,
  durationMs: true,
  error: true,
} as const satisfies Prisma.RunSelect;

type SummaryRow = Prisma.RunGetPayload<{ select: typeof summarySelect }>;

/** What the console and scripts see of a run: listed field by field, so no internal column (the lease) leaks. */
function summary(row: SummaryRow) {
  return {
    id: row.id,
    workflowId: row.workflowId,
    workflowName: row.workflowName,
    environment: Environment.parse(row.environment),
    trigger: Trigger.parse(row.trigger),
    releaseNumber: row.releaseNumber,
    status: RunStatus.parse(row.status),
    attempts: row.attempts,
    recovered: row.recovered,
    runAt: row.runAt,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    durationMs: row.durationMs,
    error: row.error,
  };
}
export type RunSummary = ReturnType<typeof summary>;

export async function listRuns(db: Db, input: z.input<typeof RunListInput>) {
  const { limit, cursor, ...filter } = RunListInput.parse(input);
  const rows = await db.run.findMany({ where: where(filter, cursor), orderBy: { id: 'desc' }, take: limit + 1, select: summarySelect });
  const items = rows.slice(0, limit).map(summary);
  return { items, nextCursor: rows.length > limit ? (items.at(-1)?.id ?? null) : null };
}

/**
 * One run with its attempts and steps. Stored JSON (input, output, each step's input and output)
 * is sent as text: whatever a caller or a step produced, the run detail can always be opened.
 */
export async function getRun(db: Db, id: string, retentionMs: Record<Environment, number>) {
  const run = await db.run.findUnique({
    where: { id },
    include: { attemptRows: { orderBy: { number: 'asc' } }, steps: { orderBy: [{ attempt: 'asc' }, { position: 'asc' }, { startedAt: 'asc' }] } },
  });
  if (!run) throw notFound('This run does not exist');
  const environment = Environment.parse(run.environment);
  const status = RunStatus.parse(run.status);
  return {
    ...summary(run),
    mode: run.mode === 'async' ? ('async' as const) : ('sync' as const),
    draftRevision: run.draftRevision,
    maxAttempts: run.maxAttempts,
    parentRunId: run.parentRunId,
    chainDepth: run.chainDepth,
    /** Who or what scheduled it: api | user:<email> | run:<id> | batch:<id> | recurring; null when called. */
    scheduledBy: run.scheduledBy,
    batchId: run.batchId,
    batchIndex: run.batchIndex,
    input: run.input,
    output: run.output,
    /** When retention deletes it (ended runs only): the retention period after it ended. */
    deletesAt: FINAL.includes(status) ? new Date((run.finishedAt ?? run.createdAt).getTime() + retentionMs[environment]) : null,
    attemptList: run.attemptRows.map((a) => ({
      number: a.number,
      reason: AttemptReason.parse(a.reason),
      status: AttemptStatus.parse(a.status),
      startedAt: a.startedAt,
      finishedAt: a.finishedAt,
      error: a.error,
    })),
    steps: run.steps.map((step) => ({
      attempt: step.attempt,
      path: step.path,
      position: step.position,
      stepId: step.stepId,
      type: step.type,
      label: step.label,
      status: StepStatus.parse(step.status),
      startedAt: step.startedAt,
      durationMs: step.durationMs,
      input: step.input,
      output: step.output,
      error: step.error,
      logs: step.logs ? (JSON.parse(step.logs) as string[]) : [],
    })),
  };
}
export type RunDetail = Awaited<ReturnType<typeof getRun>>;

/** Refused calls of a workflow name, by environment and reason. */
export async function refusedCalls(db: Db, workflowName: string) {
  const rows = await db.refusedCall.findMany({ where: { workflowName }, orderBy: [{ lastAt: 'desc' }] });
  return rows.map((r) => ({ environment: Environment.parse(r.environment), reason: r.reason, count: r.count, lastAt: r.lastAt, lastMessage: r.lastMessage }));
}
