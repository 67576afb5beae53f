import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CONDITION_NOT_MET, NEW_ENDPOINT, type QueryInput, parseDate } from '@switchyard/workflow';
import { type CallResult, DatabaseBusyError, type Engine, EngineStoppedError } from '../runner/engine.ts';
import type { Endpoint, Refusal } from '../services/apiGate.ts';
import { API_ACTOR } from '../services/audit.ts';
import { AppError, HTTP_STATUS } from '../services/errors.ts';
import type { SecretStore } from '../services/secrets.ts';
import { checkEndpointSignature } from '../services/signatureCheck.ts';
import { type Answer, type Idempotency, type KeyScope, MAX_KEY_LENGTH, requestHash } from '../services/idempotency.ts';
import { type RefusalReason, type RefusedCalls, UNKNOWN_WORKFLOW } from '../services/refusals.ts';
import type { Environment } from '../services/runs.ts';
import { BodyError, checkFormBody } from './bodies.ts';
import { API_DISABLED, type Admitted, type GuardDeps, TOKEN_QUERY_KEY, admit, applyCors, checkCredentials, isTestPanel, preflight } from './endpointGuard.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the guard of a workflow endpoint before its body is read. */
    admitted: Admitted | null;
  }
}

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
  let name: string;
  try {
    name = decodeURIComponent(path.slice(prefix.length)).replace(/\/+$/, '');
  } catch {
    return null;
  }
  name = name.replace(/^(.+)\/schedule$/, '$1');
  return { environment: prefix === LIVE_PREFIX ? 'live' : 'draft', name };
}

export interface EndpointDeps extends GuardDeps {
  engine: Engine;
  refusals: RefusedCalls;
  idempotency: Idempotency;
  /** The signing secrets of endpoints that require signed calls. */
  secrets: Pick<SecretStore, 'revealMany'>;
  clock: () => Date;
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

const IDEMPOTENCY_HEADER = 'idempotency-key';
const REPLAYED_HEADER = 'idempotent-replayed';

/**
 * The generated endpoints, as in Bubble: /api/1.1/wf/<name> runs the latest release and
 * /version-test/api/1.1/wf/<name> runs the saved draft, with POST (the body carries the
 * parameters) or GET (the query string does), as the workflow's endpoint settings say.
 * Answers: 200 with the run's response; 202 with the run id when the workflow responds at once,
 * or when the run has not finished within the synchronous wait limit; 400/401/403/404/405/409/422/429
 * for what the caller got wrong; 500 when a step failed. Every answer about a run has its id in
 * x-switchyard-run-id. The guard (endpointGuard.ts) runs first; an Idempotency-Key makes a repeat
 * get the first answer back.
 */
export function registerWorkflowEndpoints(app: FastifyInstance, deps: EndpointDeps) {
  const sendRefusal = (request: FastifyRequest) => (reply: FastifyReply, refusal: Refusal & { reason?: RefusalReason }) => {
    const reason = refusal.reason ?? REFUSAL_REASONS[refusal.status];
    if (reason) countRefusal(deps.refusals, deps.engine, request.url, reason, refusal.message);
    if (refusal.retryAfter !== undefined) reply.header('retry-after', String(refusal.retryAfter));
    if (refusal.challenge) reply.header('www-authenticate', refusal.challenge);
    return sendError(reply, refusal.status, refusal.message);
  };

  /** Answers a failure the way every workflow endpoint does; rethrows what is a bug. */
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

  /** The guard runs before the body is read: a refused call costs no parsing. */
  const guard = (environment: Environment, scheduling: boolean) => async (request: FastifyRequest, reply: FastifyReply) => {
    const { name } = request.params as { name: string };
    const admitted = await admit(request, reply, environment, name, scheduling, deps, sendRefusal(request));
    if (!admitted) return reply;
    request.admitted = admitted;
  };

  /**
   * The endpoint's signature over the raw bytes, when it requires one: checked after the body is
   * read and before anything is written. Sends 401 with the reason and returns false on failure.
   */
  const signed = async (request: FastifyRequest, reply: FastifyReply): Promise<boolean> => {
    const signature = request.admitted?.endpoint?.endpoint.signature ?? null;
    if (!signature) return true;
    const result = await checkEndpointSignature(deps.secrets, signature, { body: request.rawBody ?? '', headers: request.headers }, deps.clock());
    if (result.ok) return true;
    sendRefusal(request)(reply, { status: 401, message: `Invalid webhook signature: ${result.reason}`, reason: 'bad_signature' });
    return false;
  };

  /**
   * Claims the call's idempotency key, if it has one. Returns the key to finish or release and the
   * run id to use, or null when the reply was sent (a replay, 409, 422 or a bad key).
   */
  const claimKey = async (
    request: FastifyRequest,
    reply: FastifyReply,
    environment: Environment,
    scope: string,
    answerOfRun?: Parameters<Idempotency['begin']>[2],
  ): Promise<{ key: KeyScope | null; runId?: string } | null> => {
    const admitted = request.admitted!;
    const keyText = idempotencyKeyOf(request, admitted.endpoint);
    if (keyText === null || !admitted.endpoint) return { key: null };
    if (keyText.length === 0 || keyText.length > MAX_KEY_LENGTH) {
      sendError(reply, 400, `The Idempotency-Key must be 1 to ${MAX_KEY_LENGTH} characters`);
      return null;
    }
    // Per caller: one caller can neither replay another's answer nor block its key.
    const key = { workflowId: admitted.endpoint.workflowId, environment, key: `${scope}|${admitted.caller}|${keyText}` };
    const outcome = await deps.idempotency.begin(key, requestHash(request.method, queryWithoutToken(request), request.rawBody), answerOfRun);
    if (outcome.kind === 'refused') {
      if (outcome.runId) reply.header(RUN_ID_HEADER, outcome.runId);
      sendError(reply, outcome.status, outcome.message);
      return null;
    }
    if (outcome.kind === 'replay') {
      reply.header(REPLAYED_HEADER, 'true');
      sendAnswer(reply, outcome.answer);
      return null;
    }
    return { key, runId: outcome.runId };
  };

  const handle = (environment: Environment) => async (request: FastifyRequest, reply: FastifyReply) => {
    const { name } = request.params as { name: string };
    const admitted = request.admitted!;
    const okWhenSkipped = admitted.endpoint?.endpoint.okWhenSkipped ?? false;
    let claimed: { key: KeyScope | null; runId?: string } | null = { key: null };
    try {
      if (request.jsonText === null) checkFormBody(request.body);
      // A signature covers the body only: a signed endpoint takes nothing from the query string.
      const call = callInput(request, admitted.endpoint?.endpoint.method ?? 'POST', Boolean(admitted.endpoint?.endpoint.signature));
      if (!(await signed(request, reply))) return reply;
      claimed = await claimKey(request, reply, environment, 'call');
      if (!claimed) return reply;
      const result = await deps.engine.call({
        environment,
        name,
        ...call,
        trigger: admitted.testPanel ? 'test' : 'api',
        // The workflow the guard checked: a deploy in between that made another one answer this name is refused.
        workflowId: admitted.endpoint?.workflowId ?? null,
        release: admitted.endpoint?.release ?? null,
        ...(claimed.runId && { runId: claimed.runId }),
      });
      const answer = answerOf(result, okWhenSkipped);
      if (claimed.key) await deps.idempotency.finish(claimed.key, answer);
      claimed = null;
      return sendAnswer(reply, answer);
    } catch (error) {
      // Refused before a run existed: the key is free again for a corrected retry.
      if (claimed?.key && claimed.runId) await deps.idempotency.release(claimed.key, claimed.runId).catch(() => undefined);
      return refuse(request, reply, error);
    }
  };

  // POST .../wf/<name>/schedule {"scheduled_date": ISO 8601 or epoch ms, "parameters": {...}}:
  // records a run due then, its parameters checked as the endpoint checks them.
  const schedule = (environment: Environment) => async (request: FastifyRequest, reply: FastifyReply) => {
    const { name } = request.params as { name: string };
    let claimed: { key: KeyScope | null; runId?: string } | null = { key: null };
    try {
      // Its body nests the parameters, which a form cannot say: JSON only.
      if (request.jsonText === null) return sendError(reply, 415, 'Scheduling takes a JSON body: {"scheduled_date": ..., "parameters": {...}}');
      const { runAt, parameters } = readScheduleBody(request.body);
      if (!deps.engine.isReady) throw new EngineStoppedError();
      if (!(await signed(request, reply))) return reply;
      claimed = await claimKey(request, reply, environment, 'schedule', scheduledAnswer);
      if (!claimed) return reply;
      const scheduled = await deps.engine.scheduling.schedule({
        environment,
        target: { name },
        body: parameters,
        runAt,
        trigger: 'schedule',
        scheduledBy: 'api',
        ...(claimed.runId && { runId: claimed.runId }),
      });
      const answer = scheduledAnswer(scheduled.runId);
      if (claimed.key) await deps.idempotency.finish(claimed.key, answer);
      claimed = null;
      return sendAnswer(reply, answer);
    } catch (error) {
      if (claimed?.key && claimed.runId) await deps.idempotency.release(claimed.key, claimed.runId).catch(() => undefined);
      return refuse(request, reply, error);
    }
  };

  // DELETE .../scheduled/<run_id>: cancels a run of the environment that has not started. The
  // run's workflow (by id: it may have been renamed since) decides the credentials needed.
  const cancel = (environment: Environment) => async (request: FastifyRequest, reply: FastifyReply) => {
    const settings = deps.gate.settings();
    if (!settings.apiEnabled) return sendError(reply, 404, API_DISABLED);
    applyCors(request, reply, settings);
    const limited = await deps.gate.limitAddress(request.ip);
    if (limited) return sendRefusal(request)(reply, limited);
    const { runId } = request.params as { runId: string };
    const notFound = () => sendError(reply, 404, `No scheduled run ${JSON.stringify(runId.slice(0, 64))} in ${environment}`);
    const run = RUN_ID.test(runId) ? deps.engine.scheduling.runWorkflow(environment, runId) : null;
    if (!run) return notFound();
    // A workflow gone from everywhere: its runs are cancelled with a token, as for a new workflow.
    const found = deps.gate.endpointById(environment, run.workflowId)?.endpoint ?? NEW_ENDPOINT;
    // A signed endpoint's callers prove themselves by signing; a cancel has nothing to sign, so it needs a token.
    const endpoint = found.signature && found.auth === 'none' ? { ...found, auth: 'admin_token' as const } : found;
    if (!endpoint.exposed) return notFound();
    const testPanel = await isTestPanel(request, environment, deps);
    const checked = await checkCredentials(request, run.workflowId, endpoint, testPanel, deps);
    if ('status' in checked) return sendRefusal(request)(reply, checked);
    const outcome = await deps.engine.scheduling.cancelOne(environment, runId, checked.caller.startsWith('token:') ? { kind: 'api', tokenId: checked.caller.slice(6), label: null } : API_ACTOR);
    if (outcome === 'unknown') return notFound();
    reply.header(RUN_ID_HEADER, runId);
    if (outcome === 'started') return sendError(reply, 409, 'This run has already started: it cannot be cancelled', { run_id: runId });
    if (outcome === 'ended') return sendError(reply, 409, 'This run has already ended (or was cancelled)', { run_id: runId });
    return reply.type('application/json').send(`{"status":"success","response":{"run_id":"${runId}"}}`);
  };

  app.decorateRequest('admitted', null);
  const preflightOf = (request: FastifyRequest, reply: FastifyReply) => preflight(request, reply, deps.gate);
  for (const [prefix, environment] of [['/api/1.1', 'live'], ['/version-test/api/1.1', 'draft']] as const) {
    const calls = { bodyLimit: deps.bodyLimitBytes, onRequest: guard(environment, false) };
    app.post(`${prefix}/wf/:name`, calls, handle(environment));
    // HEAD must never run a workflow.
    app.get(`${prefix}/wf/:name`, { ...calls, exposeHeadRoute: false }, handle(environment));
    app.post(`${prefix}/wf/:name/schedule`, { bodyLimit: deps.bodyLimitBytes, onRequest: guard(environment, true) }, schedule(environment));
    app.delete(`${prefix}/scheduled/:runId`, cancel(environment));
    app.options(`${prefix}/wf/:name`, preflightOf);
    app.options(`${prefix}/wf/:name/schedule`, preflightOf);
    app.options(`${prefix}/scheduled/:runId`, preflightOf);
  }
}

/** Refusals counted per workflow (409 and 422 are the caller's retries, not mistakes). */
const REFUSAL_REASONS: Partial<Record<number, RefusalReason>> = {
  401: 'unauthorized',
  403: 'forbidden',
  404: 'unknown_workflow',
  405: 'wrong_method',
  429: 'rate_limited',
};

/** The parameters of a call: the body, or the query string for GET and for parameters read from it. */
function callInput(request: FastifyRequest, method: string, signed: boolean): { body: unknown; query?: QueryInput; inputJson: string } {
  const values = signed ? {} : { ...(request.query as Record<string, unknown>) };
  delete values[TOKEN_QUERY_KEY];
  // The same keys are refused in a query string as in a body.
  checkFormBody(request.query);
  if (method === 'GET' || request.method === 'GET') return { body: {}, query: { values, all: true }, inputJson: JSON.stringify(values) };
  const inputJson = request.jsonText ?? (request.body === undefined ? '{}' : JSON.stringify(request.body));
  return Object.keys(values).length > 0 ? { body: request.body, query: { values, all: false }, inputJson } : { body: request.body, inputJson };
}

/** The caller's key: Idempotency-Key, else the delivery id of a signed Standard Webhooks call. */
function idempotencyKeyOf(request: FastifyRequest, endpoint: Endpoint | null): string | null {
  // A signed Standard Webhooks delivery is keyed by its signed id: an unsigned Idempotency-Key added
  // to a captured delivery must not make it run again.
  if (endpoint?.endpoint.signature?.scheme === 'standard_webhooks') {
    const id = request.headers['webhook-id'];
    if (typeof id === 'string') return id;
  }
  const header = request.headers[IDEMPOTENCY_HEADER];
  // Node reads header bytes as latin1: the key is counted and stored as the UTF-8 text sent.
  if (typeof header === 'string') return Buffer.from(header, 'latin1').toString('utf8');
  return null;
}

/** The query string as hashed for an idempotency key: without the token (the header or the query may carry it). */
function queryWithoutToken(request: FastifyRequest): string {
  const at = request.url.indexOf('?');
  if (at === -1) return '';
  const params = new URLSearchParams(request.url.slice(at + 1));
  params.delete(TOKEN_QUERY_KEY);
  return params.toString();
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

/** The answer to a call's result, as sent (and stored for an idempotency key). */
function answerOf(result: CallResult, okWhenSkipped: boolean): Answer {
  const runId = result.runId;
  const error = (statusCode: number, message: string) => ({ statusCode, body: JSON.stringify({ status: 'error', message, run_id: runId }), runId });
  if (result.kind === 'accepted') return { statusCode: 202, body: `{"status":"accepted","response":{"run_id":"${runId}"}}`, runId };
  switch (result.status) {
    case 'succeeded':
      // The response is JSON text already (as stored): no second serialisation.
      return { statusCode: 200, body: `{"status":"success","response":${result.response ?? '{}'}}`, runId };
    case 'skipped':
      return okWhenSkipped
        ? { statusCode: 200, body: JSON.stringify({ status: 'success', response: {}, message: CONDITION_NOT_MET, run_id: runId }), runId }
        : error(400, CONDITION_NOT_MET);
    case 'cancelled':
      return error(409, result.error);
    case 'interrupted':
      return error(503, result.error);
    case 'failed':
      return error(500, result.error);
  }
}

/** A scheduling call's answer: the run made (whatever has become of it since). */
function scheduledAnswer(runId: string): Answer {
  return { statusCode: 200, body: `{"status":"success","response":{"run_id":"${runId}"}}`, runId };
}

function sendAnswer(reply: FastifyReply, answer: Answer) {
  reply.header(RUN_ID_HEADER, answer.runId);
  return reply.code(answer.statusCode).type('application/json').send(answer.body);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
