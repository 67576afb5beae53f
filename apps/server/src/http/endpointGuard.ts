import type { FastifyReply, FastifyRequest } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import type { EndpointSettings } from '@switchyard/workflow';
import type { ApiGate, Endpoint, InstanceApiSettings, Refusal } from '../services/apiGate.ts';
import type { Environment } from '../services/runs.ts';

export const API_DISABLED = 'The Workflow API is disabled on this instance: an admin can enable it in Settings';
/** A token in the URL ends up in proxies' logs; ours redact it (logger.ts). */
export const TOKEN_QUERY_KEY = 'api_token';
/** The header the editor's test panel sends; a custom header keeps other sites from sending it with our cookie. */
export const TEST_TRIGGER_HEADER = 'x-switchyard-trigger';
const SESSION_COOKIE = 'switchyard_session';

export interface GuardDeps {
  gate: ApiGate;
  /** Whether the session cookie belongs to a signed-in builder or admin (the editor's test panel). */
  isBuilderSession(sessionToken: string): Promise<boolean>;
}

/** What a call that passed the guard may go on with. */
export interface Admitted {
  /** Null when the name has no endpoint: the engine says why (unknown, not deployed). */
  endpoint: Endpoint | null;
  settings: InstanceApiSettings;
  /**
   * Who called, for scoping idempotency keys (one caller cannot replay or block another's):
   * `token:<id>`, `session` (the editor's test panel) or `anyone`.
   */
  caller: string;
  /** The editor's test panel, with a builder's session: the run is recorded as a test run. */
  testPanel: boolean;
}

const ALLOWED_HEADERS = 'content-type, authorization, idempotency-key, webhook-id, webhook-timestamp, webhook-signature, stripe-signature, x-hub-signature-256';

/**
 * CORS for the workflow endpoints only, from the origins allowed in Settings. Hand-written rather
 * than @fastify/cors: the list lives in the database and changes at run time, and the editor's own
 * API must never answer other origins.
 */
export function applyCors(request: FastifyRequest, reply: FastifyReply, settings: InstanceApiSettings): boolean {
  const origin = request.headers.origin;
  if (!origin) return false;
  const allowed = settings.corsOrigins.includes('*') || settings.corsOrigins.includes(origin);
  if (!allowed) return false;
  reply.header('access-control-allow-origin', settings.corsOrigins.includes('*') ? '*' : origin);
  reply.header('vary', 'Origin');
  reply.header('access-control-expose-headers', 'x-switchyard-run-id, idempotent-replayed, retry-after');
  return true;
}

/** Answers a browser's preflight for a workflow endpoint. */
export function preflight(request: FastifyRequest, reply: FastifyReply, gate: ApiGate) {
  const settings = gate.settings();
  if (!settings.apiEnabled || !applyCors(request, reply, settings)) return reply.code(204).send();
  reply.header('access-control-allow-methods', 'GET, POST, DELETE');
  reply.header('access-control-allow-headers', ALLOWED_HEADERS);
  reply.header('access-control-max-age', '600');
  return reply.code(204).send();
}

/**
 * Everything checked before a workflow call reaches the engine, before its body is even read, in
 * order: the API switch, CORS, the address's rate limit, exposure, method, credentials and the
 * token's rate limit. Sends the refusal itself and returns null when the call may not go on.
 * `scheduling`: the scheduling endpoint (POST whatever the workflow's method).
 */
export async function admit(
  request: FastifyRequest,
  reply: FastifyReply,
  environment: Environment,
  name: string,
  scheduling: boolean,
  deps: GuardDeps,
  send: (reply: FastifyReply, refusal: Refusal) => unknown,
): Promise<Admitted | null> {
  const settings = deps.gate.settings();
  if (!settings.apiEnabled) {
    send(reply, { status: 404, message: API_DISABLED });
    return null;
  }
  applyCors(request, reply, settings);
  const limited = await deps.gate.limitAddress(request.ip);
  if (limited) {
    send(reply, limited);
    return null;
  }
  const testPanel = await isTestPanel(request, environment, deps);
  const endpoint = deps.gate.endpointOf(environment, name);
  if (!endpoint) return { endpoint: null, settings, caller: 'anyone', testPanel };
  const checked = await checkAccess(request, name, endpoint, scheduling, testPanel, deps);
  if ('status' in checked) {
    send(reply, checked);
    return null;
  }
  return { endpoint, settings, caller: checked.caller, testPanel };
}

async function checkAccess(
  request: FastifyRequest,
  name: string,
  target: Endpoint,
  scheduling: boolean,
  testPanel: boolean,
  deps: GuardDeps,
): Promise<{ caller: string } | Refusal> {
  const endpoint = target.endpoint;
  // Not exposed: as if it did not exist, so outside callers learn nothing.
  if (!endpoint.exposed) return { status: 404, message: `No workflow called "${name}"` };
  if (!scheduling && request.method !== endpoint.method) {
    return { status: 405, message: `This workflow is called with ${endpoint.method}, not ${request.method}` };
  }
  return checkCredentials(request, target.workflowId, endpoint, testPanel, deps);
}

/** The endpoint's authentication: a token (header or query string), or the test panel's session. */
export async function checkCredentials(
  request: FastifyRequest,
  workflowId: string,
  endpoint: EndpointSettings,
  testPanel: boolean,
  deps: GuardDeps,
): Promise<{ caller: string } | Refusal> {
  if (testPanel) return { caller: 'session' };
  if (endpoint.auth === 'none') return { caller: 'anyone' };
  const checked = deps.gate.checkToken(tokenOf(request), workflowId);
  if ('status' in checked) return checked;
  return (await deps.gate.limitToken(checked.tokenId)) ?? { caller: `token:${checked.tokenId}` };
}

/** "Authorization: Bearer <token>", else `?api_token=`. */
export function tokenOf(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S{1,512})\s*$/i.exec(header);
    return match ? match[1]! : null;
  }
  const query = request.query as Record<string, unknown> | undefined;
  const value = query?.[TOKEN_QUERY_KEY];
  return typeof value === 'string' && value.length <= 512 ? value : null;
}

/** A call of the draft from the editor's test panel: its header, and a builder's or admin's session. */
export async function isTestPanel(request: FastifyRequest, environment: Environment, deps: GuardDeps): Promise<boolean> {
  return environment === 'draft' && request.headers[TEST_TRIGGER_HEADER] === 'test' && (await hasBuilderSession(request, deps));
}

async function hasBuilderSession(request: FastifyRequest, deps: GuardDeps): Promise<boolean> {
  const header = request.headers.cookie;
  if (!header) return false;
  const token = fastifyCookie.parse(header)[SESSION_COOKIE];
  return token ? deps.isBuilderSession(token) : false;
}
