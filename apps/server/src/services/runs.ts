import { z } from 'zod';
import type { Db } from '../db/index.ts';
import { notFound } from './errors.ts';

export const Environment = z.enum(['draft', 'live']);
export type Environment = z.infer<typeof Environment>;
export const RunStatus = z.enum(['running', 'success', 'failed', 'interrupted']);
export type RunStatus = z.infer<typeof RunStatus>;
export const StepStatus = z.enum(['success', 'failed', 'skipped']);
export type StepStatus = z.infer<typeof StepStatus>;

export interface StepRecord {
  position: number;
  stepId: string;
  type: string;
  label: string;
  status: StepStatus;
  startedAt: Date;
  durationMs: number;
  input: unknown;
  output: unknown;
  error: string | null;
  logs: string[];
}

export interface RunStart {
  id: string;
  workflowId: string;
  workflowName: string;
  environment: Environment;
  releaseNumber: number | null;
  trigger: 'api';
  input: unknown;
  startedAt: Date;
}

export interface RunEnd {
  status: Exclude<RunStatus, 'running'>;
  output: unknown;
  error: string | null;
  finishedAt: Date;
  durationMs: number;
  steps: StepRecord[];
}

const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));
const parseJson = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

/** The run exists, as "running", before any step executes: a crash leaves a visible trace. */
export async function recordRunStart(db: Db, run: RunStart): Promise<void> {
  await db.run.create({ data: { ...run, status: 'running', input: JSON.stringify(run.input ?? null) } });
}

/** Writes the outcome and every step together, so a run is never left half-recorded. */
export async function recordRunEnd(db: Db, runId: string, end: RunEnd): Promise<void> {
  await db.$transaction([
    db.run.update({
      where: { id: runId },
      data: {
        status: end.status,
        output: json(end.output),
        error: end.error,
        finishedAt: end.finishedAt,
        durationMs: end.durationMs,
      },
    }),
    db.runStep.createMany({
      data: end.steps.map((step) => ({
        runId,
        position: step.position,
        stepId: step.stepId,
        type: step.type,
        label: step.label,
        status: step.status,
        startedAt: step.startedAt,
        durationMs: step.durationMs,
        input: JSON.stringify(step.input ?? null),
        output: json(step.output),
        error: step.error,
        logs: step.logs.length > 0 ? JSON.stringify(step.logs) : null,
      })),
    }),
  ]);
}

/** Runs still "running" when the server starts were cut off by a crash or kill: say so. */
export async function markInterruptedRuns(db: Db, now: Date): Promise<number> {
  const { count } = await db.run.updateMany({
    where: { status: 'running' },
    data: { status: 'interrupted', error: 'The server stopped while this run was in progress', finishedAt: now },
  });
  return count;
}

export const RunListInput = z.object({
  limit: z.number().int().min(1).max(200).default(50),
  cursor: z.string().optional(),
  workflowId: z.string().optional(),
});

const summarySelect = {
  id: true,
  workflowId: true,
  workflowName: true,
  environment: true,
  releaseNumber: true,
  status: true,
  startedAt: true,
  durationMs: true,
  error: true,
} as const;

export async function listRuns(db: Db, input: z.input<typeof RunListInput>) {
  const { limit, cursor, workflowId } = RunListInput.parse(input);
  const rows = await db.run.findMany({
    where: workflowId ? { workflowId } : {},
    orderBy: [{ startedAt: 'desc' }, { id: 'desc' }],
    take: limit + 1,
    ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
    select: summarySelect,
  });
  const items = rows.slice(0, limit).map((row) => ({
    ...row,
    environment: Environment.parse(row.environment),
    status: RunStatus.parse(row.status),
  }));
  return { items, nextCursor: rows.length > limit ? (items.at(-1)?.id ?? null) : null };
}

export async function getRun(db: Db, id: string) {
  const run = await db.run.findUnique({ where: { id }, include: { steps: { orderBy: { position: 'asc' } } } });
  if (!run) throw notFound('This run does not exist');
  return {
    id: run.id,
    workflowId: run.workflowId,
    workflowName: run.workflowName,
    environment: Environment.parse(run.environment),
    releaseNumber: run.releaseNumber,
    trigger: run.trigger,
    status: RunStatus.parse(run.status),
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    durationMs: run.durationMs,
    error: run.error,
    input: parseJson(run.input),
    output: parseJson(run.output),
    steps: run.steps.map((step) => ({
      position: step.position,
      stepId: step.stepId,
      type: step.type,
      label: step.label,
      status: StepStatus.parse(step.status),
      startedAt: step.startedAt,
      durationMs: step.durationMs,
      input: parseJson(step.input),
      output: parseJson(step.output),
      error: step.error,
      logs: (parseJson(step.logs) as string[] | null) ?? [],
    })),
  };
}
