import { type WorkflowDefinition, compile, readInputs } from '@switchyard/workflow';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Db } from '../db/index.ts';
import { RunnerStoppedError, type Runner } from '../runner/runner.ts';
import { liveDefinition } from '../services/releases.ts';
import type { Environment } from '../services/runs.ts';
import { findWorkflowByName } from '../services/workflows.ts';

/** The body every failed workflow call gets: a status, a sentence, and details where they help. */
export function sendError(reply: FastifyReply, statusCode: number, message: string, extra: Record<string, unknown> = {}) {
  return reply.code(statusCode).send({ status: 'error', message, ...extra });
}

interface Resolved {
  workflowId: string;
  definition: WorkflowDefinition;
  releaseNumber: number | null;
}

type Resolution = { ok: true; resolved: Resolved } | { ok: false; statusCode: number; message: string; extra?: Record<string, unknown> };

async function resolveDraft(db: Db, name: string): Promise<Resolution> {
  const workflow = await findWorkflowByName(db, name);
  if (!workflow) return { ok: false, statusCode: 404, message: `No workflow called "${name}"` };
  const { definition, diagnostics } = compile(workflow.name, workflow.graph);
  if (!definition) {
    return {
      ok: false,
      statusCode: 400,
      message: `The draft of "${name}" has errors; fix them in the editor`,
      extra: { diagnostics: diagnostics.filter((d) => d.severity === 'error') },
    };
  }
  return { ok: true, resolved: { workflowId: workflow.id, definition, releaseNumber: null } };
}

async function resolveLive(db: Db, name: string): Promise<Resolution> {
  const live = await liveDefinition(db, name);
  if (live) return { ok: true, resolved: live };
  const draft = await findWorkflowByName(db, name);
  const message = draft
    ? `Workflow "${name}" is not deployed yet: deploy it, or call /version-test/api/1.1/wf/${name} to run the draft`
    : `No workflow called "${name}"`;
  return { ok: false, statusCode: 404, message };
}

/**
 * The generated endpoints, as in Bubble: POST /api/1.1/wf/<name> runs the latest release and
 * POST /version-test/api/1.1/wf/<name> runs the saved draft. The JSON body carries the parameters.
 */
export function registerWorkflowEndpoints(app: FastifyInstance, deps: { db: Db; runner: Runner }) {
  const handle = (environment: Environment) => async (request: { params: unknown; body: unknown }, reply: FastifyReply) => {
    const { name } = request.params as { name: string };
    const resolution = environment === 'live' ? await resolveLive(deps.db, name) : await resolveDraft(deps.db, name);
    if (!resolution.ok) return sendError(reply, resolution.statusCode, resolution.message, resolution.extra);
    const { workflowId, definition, releaseNumber } = resolution.resolved;

    const inputs = readInputs(definition.trigger.parameters, request.body);
    if (!inputs.ok) {
      const message = inputs.errors.map((e) => e.message).join('; ');
      return sendError(reply, 400, message, { errors: inputs.errors });
    }

    try {
      const { runId, execution } = await deps.runner.run({
        workflowId,
        definition,
        environment,
        releaseNumber,
        input: request.body ?? {},
        params: inputs.values,
      });
      reply.header('x-switchyard-run-id', runId);
      if (execution.status === 'failed') return sendError(reply, 500, execution.error ?? 'The workflow failed', { runId });
      return reply.send({ status: 'success', response: execution.response });
    } catch (error) {
      if (error instanceof RunnerStoppedError) return sendError(reply, 503, error.message);
      throw error;
    }
  };

  app.post('/api/1.1/wf/:name', handle('live'));
  app.post('/version-test/api/1.1/wf/:name', handle('draft'));
}
