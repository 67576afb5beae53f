import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CONDITION_NOT_MET, parseDate } from '@switchyard/workflow';
import { type CallResult, DatabaseBusyError, type Engine, EngineStoppedError } from '../runner/engine.ts';
import { API_ACTOR } from '../services/audit.ts';
import { AppError, HTTP_STATUS } from '../services/errors.ts';
import { type RefusalReason, type RefusedCalls, UNKNOWN_WORKFLOW } from '../services/refusals.ts';
import type { Environment } from '../services/runs.ts';
import { BodyError, checkFormBody } from './bodies.ts';

export const RUN_ID_HEADER = 'x-switchyard-run-id';

/** The body every failed workflow call gets: a status, a sentence, and details where they help. */
export function sendError(reply: FastifyReply, statusCode: number, message: string, extra: Record<string, unknown> = {}) {
  return reply.code(statusCode).send({ status: 'error', message, ...extra });
}

const LIVE_PREFIX = '/api/1.1/wf/';
const DRAFT_PREFIX = '/version-test/api/1.1/wf/';

/** The environment and workflow name a URL of a generated endpoint names, if it is one. */
export function endpointOf(url: string): { environment: Environment; name: string } | null {
  const path = url.split('?')[0]!;
  const prefix = path.startsWith(LIVE_PREFIX) ? LIVE_PREFIX : path.startsWith(DRAFT_PREFIX) ? DRAFT_PREFIX : null;
  if (!prefix) return null;
  // "/schedule" after the name is the scheduling endpoint of the same workflow.
  const name = decodeURIComponent(path.slice(prefix.length)).replace(/\/+$/, '').replace(/\/schedule$/, '');
  return { environment: prefix === LIVE_PREFIX ? 'live' : 'draft', name };
}

export interface EndpointDeps {
  engine: Engine;
  refusals: RefusedCalls;
  bodyLimitBytes: number;
}

/**
 * Counts a refused call (never its body) under the workflow's name; calls to names no workflow has
 * go to one bucket, so made-up names add no rows. A parameter's value is cut from the message.
 */
export function countRefusal(refusals: RefusedCalls, engine: Engine, url: string, reason: RefusalReason, message: string) {
  const endpoint = endpointOf(url);
  if (!endpoint) return;
  const known = reason !== 'unknown_workflow' && /^[a-z0-9-]{1,64}$/.test(endpoint.name) && engine.knowsWorkflow(endpoint.name);
  refusals.count(known ? endpoint.name : UNKNOWN_WORKFLOW, endpoint.environment, reason, message.replace(/, got .*$/s, ''));
}

/**
 * The generated endpoints, as in Bubble: POST /api/1.1/wf/<name> runs the latest release and
 * POST /version-test/api/1.1/wf/<name> runs the saved draft. The body carries the parameters.
 * Answers: 200 with the run's response; 202 with the run id when the workflow responds at once,
 * or when the run has not finished within the synchronous wait limit; 400/404 for what the caller
 * got wrong; 500 when a step failed. Every answer about a run has its id in x-switchyard-run-id.
 */
export function registerWorkflowEndpoints(app: FastifyInstance, deps: EndpointDeps) {
  const handle = (environment: Environment) => async (request: FastifyRequest, reply: FastifyReply) => {
    const { name } = request.params as { name: string };
    try {
      if (request.jsonText === null) checkFormBody(request.body);
      const trigger = environment === 'draft' && request.headers['x-switchyard-trigger'] === 'test' ? 'test' : 'api';
      const result = await deps.engine.call({
        environment,
        name,
        body: request.body,
        inputJson: request.jsonText ?? (request.body === undefined ? '{}' : JSON.stringify(request.body)),
        trigger,
      });
      return sendResult(reply, result);
    } catch (error) {
      if (error instanceof AppError) {
        if (error.reason) countRefusal(deps.refusals, deps.engine, request.url, error.reason as RefusalReason, error.message);
        return sendError(reply, HTTP_STATUS[error.code], error.message, error.details);
      }
      if (error instanceof BodyError) {
        countRefusal(deps.refusals, deps.engine, request.url, error.reason, error.message);
        return sendError(reply, 400, error.message);
      }
      if (error instanceof EngineStoppedError || error instanceof DatabaseBusyError) return sendError(reply, 503, error.message);
      throw error;
    }
  };

  /** Answers a failure of the scheduling endpoints the way the call endpoints do. */
  const refuse = (request: FastifyRequest, reply: FastifyReply, error: unknown) => {
    if (error instanceof AppError) {
      if (error.reason) countRefusal(deps.refusals, deps.engine, request.url, error.reason as RefusalReason, error.message);
      return sendError(reply, HTTP_STATUS[error.code], error.message, error.details);
    }
    if (error instanceof BodyError) {
      countRefusal(deps.refusals, deps.engine, request.url, error.reason, error.message);
      return sendError(reply, 400, error.message);
    }
    if (error instanceof EngineStoppedError || error instanceof DatabaseBusyError) return sendError(reply, 503, error.message);
    throw error;
  };

  // POST .../wf/<name>/schedule {"scheduled_date": ISO 8601 or epoch ms, "parameters": {...}}:
  // records a run due then, its parameters checked as the endpoint checks them.
  const schedule = (environment: Environment) => async (request: FastifyRequest, reply: FastifyReply) => {
    const { name } = request.params as { name: string };
    try {
      // Its body nests the parameters, which a form cannot say: JSON only.
      if (request.jsonText === null) return sendError(reply, 415, 'Scheduling takes a JSON body: {"scheduled_date": ..., "parameters": {...}}');
      const { runAt, parameters } = readScheduleBody(request.body);
      if (!deps.engine.isReady) throw new EngineStoppedError();
      const { runId } = await deps.engine.scheduling.schedule({
        environment,
        target: { name },
        body: parameters,
        runAt,
        trigger: 'schedule',
        scheduledBy: 'api',
      });
      reply.header(RUN_ID_HEADER, runId);
      return reply.type('application/json').send(`{"status":"success","response":{"run_id":"${runId}"}}`);
    } catch (error) {
      return refuse(request, reply, error);
    }
  };

  // DELETE .../scheduled/<run_id>: cancels a run of the environment that has not started.
  const cancel = (environment: Environment) => async (request: FastifyRequest, reply: FastifyReply) => {
    const { runId } = request.params as { runId: string };
    const outcome = RUN_ID.test(runId) ? await deps.engine.scheduling.cancelOne(environment, runId, API_ACTOR) : 'unknown';
    if (outcome === 'unknown') return sendError(reply, 404, `No scheduled run ${JSON.stringify(runId.slice(0, 64))} in ${environment}`);
    reply.header(RUN_ID_HEADER, runId);
    if (outcome === 'started') return sendError(reply, 409, 'This run has already started: it cannot be cancelled', { run_id: runId });
    if (outcome === 'ended') return sendError(reply, 409, 'This run has already ended (or was cancelled)', { run_id: runId });
    return reply.type('application/json').send(`{"status":"success","response":{"run_id":"${runId}"}}`);
  };

  const options = { bodyLimit: deps.bodyLimitBytes };
  app.post('/api/1.1/wf/:name', options, handle('live'));
  app.post('/version-test/api/1.1/wf/:name', options, handle('draft'));
  app.post('/api/1.1/wf/:name/schedule', options, schedule('live'));
  app.post('/version-test/api/1.1/wf/:name/schedule', options, schedule('draft'));
  app.delete('/api/1.1/scheduled/:runId', cancel('live'));
  app.delete('/version-test/api/1.1/scheduled/:runId', cancel('draft'));
}

const RUN_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SCHEDULE_KEYS = new Set(['scheduled_date', 'parameters']);

/** The body of a scheduling call; a BodyError names what is wrong. */
function readScheduleBody(body: unknown): { runAt: Date; parameters: Record<string, unknown> } {
  if (!isRecord(body)) throw new BodyError('The body must be a JSON object: {"scheduled_date": ..., "parameters": {...}}', 'malformed_body');
  const unknown = Object.keys(body).filter((key) => !SCHEDULE_KEYS.has(key));
  if (unknown.length > 0) {
    throw new BodyError(`Unknown key ${JSON.stringify(unknown[0]!.slice(0, 64))}: the body has "scheduled_date" and "parameters"`, 'malformed_body');
  }
  const raw = body.scheduled_date;
  if (raw === undefined || raw === null || raw === '') {
    throw new BodyError('"scheduled_date" is required: an ISO 8601 date (2026-12-01T09:00:00Z) or milliseconds since 1970', 'malformed_body');
  }
  const runAt = parseDate(raw);
  if (!runAt) throw new BodyError('"scheduled_date" is not a date: give ISO 8601 (2026-12-01T09:00:00Z) or milliseconds since 1970', 'malformed_body');
  const parameters = body.parameters ?? {};
  if (!isRecord(parameters)) throw new BodyError('"parameters" must be a JSON object of the workflow\'s parameters', 'malformed_body');
  return { runAt, parameters };
}

function sendResult(reply: FastifyReply, result: CallResult) {
  reply.header(RUN_ID_HEADER, result.runId);
  if (result.kind === 'accepted') {
    return reply.code(202).type('application/json').send(`{"status":"accepted","response":{"run_id":"${result.runId}"}}`);
  }
  switch (result.status) {
    case 'succeeded':
      // The response is JSON text already (as stored): no second serialisation.
      return reply.type('application/json').send(`{"status":"success","response":${result.response ?? '{}'}}`);
    case 'skipped':
      return sendError(reply, 400, CONDITION_NOT_MET, { run_id: result.runId });
    case 'cancelled':
      return sendError(reply, 409, result.error, { run_id: result.runId });
    case 'interrupted':
      return sendError(reply, 503, result.error, { run_id: result.runId });
    case 'failed':
      return sendError(reply, 500, result.error, { run_id: result.runId });
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
