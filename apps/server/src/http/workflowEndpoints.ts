import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/index.ts';
import { RunnerStoppedError, type Runner } from '../runner/runner.ts';
import { AppError, HTTP_STATUS } from '../services/errors.ts';
import { prepareInvocation } from '../services/invocations.ts';
import type { Environment } from '../services/runs.ts';

/** The body every failed workflow call gets: a status, a sentence, and details where they help. */
export function sendError(reply: FastifyReply, statusCode: number, message: string, extra: Record<string, unknown> = {}) {
  return reply.code(statusCode).send({ status: 'error', message, ...extra });
}

/**
 * The generated endpoints, as in Bubble: POST /api/1.1/wf/<name> runs the latest release and
 * POST /version-test/api/1.1/wf/<name> runs the saved draft. The JSON body carries the parameters.
 */
export function registerWorkflowEndpoints(app: FastifyInstance, deps: { db: Db; runner: Runner }) {
  const handle = (environment: Environment) => async (request: FastifyRequest, reply: FastifyReply) => {
    const { name } = request.params as { name: string };
    try {
      const runRequest = await prepareInvocation(deps.db, environment, name, request.body);
      const { runId, execution } = await deps.runner.run(runRequest);
      reply.header('x-switchyard-run-id', runId);
      if (execution.status === 'failed') return sendError(reply, 500, execution.error ?? 'The workflow failed', { runId });
      return reply.send({ status: 'success', response: execution.response });
    } catch (error) {
      if (error instanceof AppError) return sendError(reply, HTTP_STATUS[error.code], error.message, error.details);
      if (error instanceof RunnerStoppedError) return sendError(reply, 503, error.message);
      throw error;
    }
  };

  app.post('/api/1.1/wf/:name', handle('live'));
  app.post('/version-test/api/1.1/wf/:name', handle('draft'));
}
