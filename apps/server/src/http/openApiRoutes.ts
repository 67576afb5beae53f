import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import type { ApiGate } from '../services/apiGate.ts';
import { instanceInfo } from '../services/instance.ts';
import { type OpenApiEnvironment, buildOpenApi, openApiWorkflows } from '../services/openapi.ts';
import { API_DISABLED, applyCors } from './endpointGuard.ts';

export interface OpenApiDeps {
  db: Db;
  config: Pick<Config, 'publicUrl' | 'port'>;
  gate: ApiGate;
}

/**
 * `GET /api/1.1/openapi.json` (live) and `/version-test/api/1.1/openapi.json` (draft): OpenAPI 3.1
 * documents of the exposed workflows, with the servers at PUBLIC_URL (or the address the request
 * was sent to). 404 while the Workflow API is disabled, like every workflow endpoint.
 */
export function registerOpenApi(app: FastifyInstance, deps: OpenApiDeps) {
  const serve = (environment: OpenApiEnvironment) => async (request: FastifyRequest, reply: FastifyReply) => {
    const settings = deps.gate.settings();
    if (!settings.apiEnabled) return reply.code(404).send({ status: 'error', message: API_DISABLED });
    applyCors(request, reply, settings);
    const limited = await deps.gate.limitAddress(request.ip);
    if (limited) return reply.code(429).header('retry-after', String(limited.retryAfter)).send({ status: 'error', message: limited.message });
    const { publicUrl } = instanceInfo(deps.config, { host: request.headers.host ?? null, protocol: request.protocol === 'https' ? 'https' : 'http' });
    const { workflows, version } = await openApiWorkflows(deps.db, environment);
    return reply.type('application/json').send(buildOpenApi({ environment, baseUrl: publicUrl, title: 'Switchyard workflows', version, workflows }));
  };
  app.get('/api/1.1/openapi.json', serve('live'));
  app.get('/version-test/api/1.1/openapi.json', serve('draft'));
}
