import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/index.ts';
import type { ApiGate } from '../services/apiGate.ts';
import { type DetectSample, captureSample, describeCapture } from '../services/detectData.ts';
import { BodyError, checkFormBody } from './bodies.ts';
import { API_DISABLED, checkCredentials, isTestPanel } from './endpointGuard.ts';

export interface DetectDataDeps {
  db: Db;
  clock: () => Date;
  /** The workflow endpoints' body limit: a sample is bounded as a call is. */
  bodyLimitBytes: number;
  /** The API switch, the address rate limit, exposure and credentials apply as to the workflow's endpoint. */
  gate: ApiGate;
  isBuilderSession(sessionToken: string): Promise<boolean>;
}

const NOT_OPEN =
  'Detect data is not open for this workflow: open the API event\'s "Detect data" in the editor, then send the request within 10 minutes';

/**
 * `POST /version-test/api/1.1/wf/<name>/initialize` (and GET, for workflows called with GET): while a
 * builder has "Detect data" open for the workflow, takes this one request as the sample its
 * parameters are proposed from, and closes the session; otherwise 404. No run is made. Draft only:
 * there is no live counterpart.
 */
export function registerDetectData(app: FastifyInstance, deps: DetectDataDeps) {
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const { name } = request.params as { name: string };
    try {
      if (request.method === 'POST' && request.jsonText === null) checkFormBody(request.body);
    } catch (error) {
      if (error instanceof BodyError) return reply.code(400).send({ status: 'error', message: error.message });
      throw error;
    }
    const contentType: DetectSample['contentType'] = request.jsonText !== null ? 'json' : request.body !== undefined ? 'form' : 'none';
    const sample = await captureSample(
      deps.db,
      name,
      { body: request.body ?? null, contentType, query: (request.query ?? {}) as Record<string, unknown>, headers: request.headers },
      deps.clock(),
    );
    if (!sample) return reply.code(404).send({ status: 'error', message: NOT_OPEN });
    return reply.send({ status: 'success', message: describeCapture(sample) });
  };
  // Before the body is read, as for calls: the API switch, then the address's rate limit.
  const guard = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!deps.gate.settings().apiEnabled) return reply.code(404).send({ status: 'error', message: API_DISABLED });
    const limited = await deps.gate.limitAddress(request.ip);
    if (limited) return reply.code(429).header('retry-after', String(limited.retryAfter)).send({ status: 'error', message: limited.message });
    // A sample comes with the credentials a call needs (a token, or the editor's session), and a
    // workflow that is not exposed takes none: outsiders can neither inject one nor learn it exists.
    const { name } = request.params as { name: string };
    const target = deps.gate.endpointOf('draft', name);
    if (!target) return;
    if (!target.endpoint.exposed) return reply.code(404).send({ status: 'error', message: NOT_OPEN });
    const checked = await checkCredentials(request, target.workflowId, target.endpoint, await isTestPanel(request, 'draft', deps), deps);
    if ('status' in checked) {
      if (checked.challenge) reply.header('www-authenticate', checked.challenge);
      return reply.code(checked.status).send({ status: 'error', message: checked.message });
    }
  };
  const options = { bodyLimit: deps.bodyLimitBytes, onRequest: guard };
  app.post('/version-test/api/1.1/wf/:name/initialize', options, handler);
  app.get('/version-test/api/1.1/wf/:name/initialize', { onRequest: guard, exposeHeadRoute: false }, handler);
}
