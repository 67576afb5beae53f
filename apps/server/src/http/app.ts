import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import { type FastifyTRPCPluginOptions, fastifyTRPCPlugin } from '@trpc/server/adapters/fastify';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import secureJson from 'secure-json-parse';
import type { Runner } from '../runner/runner.ts';
import { userForSession } from '../services/accounts.ts';
import type { Context, Services } from '../trpc/context.ts';
import { type AppRouter, appRouter } from '../trpc/router.ts';
import { registerWorkflowEndpoints, sendError } from './workflowEndpoints.ts';

export const SESSION_COOKIE = 'switchyard_session';

export interface AppDeps extends Services {
  runner: Runner;
}

const isWorkflowEndpoint = (url: string) => url.startsWith('/api/') || url.startsWith('/version-test/');

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    bodyLimit: 5 * 1024 * 1024,
    trustProxy: false,
  });

  // An empty JSON body means "no parameters", and a malformed one gets a message saying where it broke.
  // secure-json-parse refuses __proto__ and constructor keys, as Fastify's own parser does.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }));
    } catch (error) {
      done(Object.assign(new Error(`Malformed JSON body: ${(error as Error).message}`), { statusCode: 400 }), undefined);
    }
  });

  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const statusCode = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    if (statusCode >= 500) request.log.error({ err: error }, 'request failed');
    const message = statusCode >= 500 ? 'Internal server error' : error.message;
    if (isWorkflowEndpoint(request.url)) return sendError(reply, statusCode, message);
    return reply.code(statusCode).send({ error: message });
  });

  await app.register(fastifyCookie);
  // Many webhook senders post HTML-form encoding; values arrive as text and are converted by type.
  await app.register(fastifyFormbody);

  // The session cookie is SameSite=Strict, which does not cover same-site pages (another port or a
  // sibling subdomain). tRPC also accepts form posts, which browsers send cross-origin without a
  // preflight; so calls must be JSON, and a browser's cross-origin call is refused outright.
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/trpc')) return;
    if (isCrossOrigin(request)) return reply.code(403).send({ error: 'Cross-origin requests to the API are not allowed' });
    if (request.method === 'POST' && !request.headers['content-type']?.startsWith('application/json')) {
      return reply.code(415).send({ error: 'API calls must be sent as application/json' });
    }
  });

  app.get('/healthz', async (_request, reply) =>
    deps.runner.isReady ? { status: 'ok' } : reply.code(503).send({ status: 'starting' }),
  );

  await app.register(fastifyTRPCPlugin, {
    prefix: '/trpc',
    trpcOptions: {
      router: appRouter,
      createContext: ({ req, res }) => createContext(deps, req, res),
      onError({ error, path }) {
        if (error.code === 'INTERNAL_SERVER_ERROR') deps.log.error({ err: error, path }, 'tRPC procedure failed');
      },
    } satisfies FastifyTRPCPluginOptions<AppRouter>['trpcOptions'],
  });

  registerWorkflowEndpoints(app, deps);
  await serveWebApp(app, deps.config.webDist);
  return app;
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
    if (isWorkflowEndpoint(request.url)) return sendError(reply, 404, `Nothing at ${request.method} ${request.url.split('?')[0]}`);
    if (request.method !== 'GET' || request.url.startsWith('/trpc')) return reply.code(404).send({ error: 'Not found' });
    if (!existsSync(index)) {
      return reply.code(503).type('text/plain').send('The web app is not built yet: run `npm run build` (npm start does it for you).');
    }
    return reply.type('text/html').sendFile('index.html');
  });
}
