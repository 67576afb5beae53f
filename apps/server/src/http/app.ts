import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import { type FastifyTRPCPluginOptions, fastifyTRPCPlugin } from '@trpc/server/adapters/fastify';
import Fastify, { type FastifyBaseLogger, LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { formatBytes } from '@switchyard/workflow';
import type { Engine } from '../runner/engine.ts';
import { userForSession } from '../services/accounts.ts';
import type { Idempotency } from '../services/idempotency.ts';
import type { RefusedCalls } from '../services/refusals.ts';
import type { Context, Services } from '../trpc/context.ts';
import { type AppRouter, appRouter } from '../trpc/router.ts';
import { BodyError, registerBodyParsers } from './bodies.ts';
import { httpServerOptions, limitConnectionsPerAddress } from './connections.ts';
import { registerSecurityHeaders } from './securityHeaders.ts';
import { registerDetectData } from './detectData.ts';
import { registerOpenApi } from './openApiRoutes.ts';
import { countRefusal, endpointOf, registerWorkflowEndpoints, sendError } from './workflowEndpoints.ts';

export const SESSION_COOKIE = 'switchyard_session';
const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

export interface AppDeps extends Services {
  engine: Engine;
  refusals: RefusedCalls;
  idempotency: Idempotency;
}

/** The editor's API takes whole graphs (up to 5,000 nodes); workflow endpoints have their own, smaller limit. */
const API_BODY_LIMIT = 8 * 1024 * 1024;
/** How long /healthz waits for a test write before saying the database cannot be written. */
const HEALTH_WRITE_TIMEOUT_MS = 1000;

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    bodyLimit: API_BODY_LIMIT,
    // Off unless TRUST_PROXY names the proxies: a forwarded-for header anyone can send must not
    // choose the address that sign-in delays and rate limits count.
    trustProxy: trustProxyOption(deps.config.trustProxy),
    // One info line per request is the largest cost on the webhook path; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    // No child logger per request (another cost per call): request.log is the process's logger.
    childLoggerFactory: (logger) => logger,
    http: httpServerOptions(deps.config.connections),
  });
  limitConnectionsPerAddress(app.server, { maxPerAddress: deps.config.connections.maxPerAddress, log: deps.log });
  // Before any route, so 404s, errors and static files carry them too.
  registerSecurityHeaders(app, { https: deps.config.cookieSecure });

  registerBodyParsers(app);

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const statusCode = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    if (statusCode >= 500) request.log.error({ err: error }, 'request failed');
    const endpoint = endpointOf(request.url);
    const message = statusCode >= 500 ? 'Internal server error' : publicMessage(error, statusCode, endpoint ? deps.config.bodyLimitBytes : API_BODY_LIMIT);
    if (endpoint) {
      if (error instanceof BodyError) countRefusal(deps.refusals, deps.engine, request.url, error.reason, message);
      else if (statusCode === 413) countRefusal(deps.refusals, deps.engine, request.url, 'too_large', message);
      else if (statusCode === 415) countRefusal(deps.refusals, deps.engine, request.url, 'unsupported_media_type', message);
      return sendError(reply, statusCode, message);
    }
    return reply.code(statusCode).send({ error: message });
  });

  // 200 only when the runner is up and a write commits: a load balancer takes a process whose
  // database cannot be written out of rotation.
  // Prometheus' text format. No token exists yet (the Workflow API issue adds them), so it answers
  // loopback only, unless METRICS_PUBLIC opens it.
  app.get('/metrics', async (request, reply) => {
    // A proxy on this machine forwards others' requests from loopback: those say so in a header.
    const forwarded = request.headers['x-forwarded-for'] !== undefined || request.headers.forwarded !== undefined || request.headers['x-real-ip'] !== undefined;
    if (!deps.config.metricsPublic && (!LOOPBACK.has(request.ip) || forwarded)) {
      return reply.code(403).send({ status: 'error', message: 'Metrics are served to this machine only; set METRICS_PUBLIC=true to open them' });
    }
    return reply.type(deps.metrics.contentType).send(await deps.metrics.text());
  });

  app.get('/healthz', async (_request, reply) => {
    if (!deps.engine.isReady) return reply.code(503).send({ status: 'starting' });
    if (!(await deps.engine.writable(HEALTH_WRITE_TIMEOUT_MS))) {
      return reply.code(503).send({ status: 'unavailable', message: 'The database cannot be written' });
    }
    return { status: 'ok' };
  });

  // The editor's API in a context of its own: its cookie parsing and cross-site checks run for its
  // routes only, not for every webhook call.
  await app.register(async (api) => {
    await api.register(fastifyCookie);
    // The session cookie is SameSite=Strict, which does not cover same-site pages (another port or
    // a sibling subdomain). tRPC also accepts form posts, which browsers send cross-origin without
    // a preflight; so calls must be JSON, and a browser's cross-origin call is refused outright.
    api.addHook('onRequest', async (request, reply) => {
      if (isCrossOrigin(request)) return reply.code(403).send({ error: 'Cross-origin requests to the API are not allowed' });
      if (request.method === 'POST' && !request.headers['content-type']?.startsWith('application/json')) {
        return reply.code(415).send({ error: 'API calls must be sent as application/json' });
      }
    });
    await api.register(fastifyTRPCPlugin, {
      prefix: '/trpc',
      trpcOptions: {
        router: appRouter,
        createContext: ({ req, res }) => createContext(deps, req, res),
        onError({ error, path }) {
          if (error.code === 'INTERNAL_SERVER_ERROR') deps.log.error({ err: error, path }, 'tRPC procedure failed');
        },
      } satisfies FastifyTRPCPluginOptions<AppRouter>['trpcOptions'],
    });
  });

  const isBuilderSession = async (token: string) => {
    const user = await userForSession(deps.db, token);
    return user !== null && (user.role === 'admin' || user.role === 'builder');
  };
  registerWorkflowEndpoints(app, {
    engine: deps.engine,
    refusals: deps.refusals,
    bodyLimitBytes: deps.config.bodyLimitBytes,
    gate: deps.gate,
    idempotency: deps.idempotency,
    secrets: deps.secrets,
    clock: deps.clock,
    isBuilderSession,
  });
  registerDetectData(app, { db: deps.db, clock: deps.clock, bodyLimitBytes: deps.config.bodyLimitBytes, gate: deps.gate, isBuilderSession });
  registerOpenApi(app, { db: deps.db, config: deps.config, gate: deps.gate });
  await serveWebApp(app, deps.config.webDist);
  return app;
}

/** A number of proxy hops as the function Fastify's types accept (its runtime takes the number too). */
function trustProxyOption(setting: boolean | number | string): boolean | string | ((address: string, hop: number) => boolean) {
  return typeof setting === 'number' ? (_address, hop) => hop < setting : setting;
}

function isCrossOrigin(request: FastifyRequest): boolean {
  if (request.headers['sec-fetch-site'] === 'cross-site') return true;
  const origin = request.headers.origin;
  if (!origin) return false;
  try {
    return new URL(origin).host !== request.headers.host;
  } catch {
    return true;
  }
}

async function createContext(deps: AppDeps, req: FastifyRequest, res: FastifyReply): Promise<Context> {
  const token = req.cookies[SESSION_COOKIE] ?? null;
  const user = token ? await userForSession(deps.db, token) : null;
  const cookieOptions = { path: '/', httpOnly: true, sameSite: 'strict', secure: deps.config.cookieSecure } as const;
  return {
    ...deps,
    user,
    sessionToken: user ? token : null,
    ip: req.ip,
    request: { host: req.headers.host ?? null, origin: req.headers.origin ?? null, protocol: req.protocol },
    setSessionCookie: (value, expiresAt) => void res.setCookie(SESSION_COOKIE, value, { ...cookieOptions, expires: expiresAt }),
    clearSessionCookie: () => void res.clearCookie(SESSION_COOKIE, cookieOptions),
  };
}

/** Serves the built editor, with every unknown GET falling back to index.html for client-side routes. */
async function serveWebApp(app: FastifyInstance, webDist: string) {
  const index = path.join(webDist, 'index.html');
  if (existsSync(index)) {
    await app.register(fastifyStatic, { root: webDist, wildcard: false, index: false });
  }
  app.setNotFoundHandler((request, reply) => {
    if (endpointOf(request.url) || request.url.startsWith('/api/') || request.url.startsWith('/version-test/')) {
      return sendError(reply, 404, `Nothing at ${request.method} ${request.url.split('?')[0]}`);
    }
    // HEAD is GET without the body (uptime checks send it to /).
    if ((request.method !== 'GET' && request.method !== 'HEAD') || request.url.startsWith('/trpc')) return reply.code(404).send({ error: 'Not found' });
    if (!existsSync(index)) {
      return reply.code(503).type('text/plain').send('The web app is not built yet: run `npm run build` (npm start does it for you).');
    }
    return reply.type('text/html').sendFile('index.html');
  });
}

/** The sentence a caller sees for a 4xx raised by Fastify itself. */
function publicMessage(error: Error & { code?: string }, statusCode: number, bodyLimit: number): string {
  if (statusCode === 413) return `The request body is too large: the limit is ${formatBytes(bodyLimit)}`;
  if (statusCode === 415) return 'Send the body as application/json or application/x-www-form-urlencoded';
  return error.message;
}
