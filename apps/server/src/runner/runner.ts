import { randomUUID } from 'node:crypto';
import type { Value, WorkflowDefinition } from '@switchyard/workflow';
import type { Logger } from 'pino';
import type { Db } from '../db/index.ts';
import { type Environment, markInterruptedRuns, recordRunEnd, recordRunStart } from '../services/runs.ts';
import { type Execution, executeDefinition } from './execute.ts';

export class RunnerStoppedError extends Error {
  override name = 'RunnerStoppedError';
  constructor() {
    super('The server is shutting down and accepts no new runs');
  }
}

export interface RunRequest {
  workflowId: string;
  definition: WorkflowDefinition;
  environment: Environment;
  releaseNumber: number | null;
  /** The request body as received, kept on the run for debugging. */
  input: unknown;
  /** The parameters after validation and conversion. */
  params: Record<string, Value>;
}

/**
 * Executes runs and records them. Every run is written as "running" before its first step and
 * completed with all its steps in one transaction. `stop()` refuses new runs and waits for the ones
 * in flight, so a clean shutdown never cuts a run in half; after a crash, `start()` marks the runs
 * that were cut off as interrupted.
 */
export class Runner {
  private readonly inFlight = new Set<Promise<unknown>>();
  private accepting = false;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  get isReady(): boolean {
    return this.accepting;
  }

  async start(): Promise<void> {
    const interrupted = await markInterruptedRuns(this.db, this.clock());
    if (interrupted > 0) this.log.warn({ interrupted }, 'marked runs cut off by the previous shutdown as interrupted');
    this.accepting = true;
  }

  async run(request: RunRequest): Promise<{ runId: string; execution: Execution }> {
    if (!this.accepting) throw new RunnerStoppedError();
    const work = this.execute(request);
    this.inFlight.add(work);
    try {
      return await work;
    } finally {
      this.inFlight.delete(work);
    }
  }

  private async execute(request: RunRequest): Promise<{ runId: string; execution: Execution }> {
    const runId = randomUUID();
    const startedAt = this.clock();
    const started = performance.now();
    await recordRunStart(this.db, {
      id: runId,
      workflowId: request.workflowId,
      workflowName: request.definition.name,
      environment: request.environment,
      releaseNumber: request.releaseNumber,
      trigger: 'api',
      input: request.input,
      startedAt,
    });
    const execution = executeDefinition(request.definition, request.params, this.clock);
    await recordRunEnd(this.db, runId, {
      status: execution.status,
      output: execution.status === 'success' ? execution.response : null,
      error: execution.error,
      finishedAt: this.clock(),
      durationMs: performance.now() - started,
      steps: execution.steps,
    });
    return { runId, execution };
  }

  async stop(): Promise<void> {
    this.accepting = false;
    await Promise.allSettled([...this.inFlight]);
  }
}
