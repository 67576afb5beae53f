import { OPEN_ENDPOINT, type WorkflowGraph } from '@switchyard/workflow';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, admin, sampleGraph, saveWorkflow, startTestServer } from './helpers.ts';

/**
 * Property: whatever a caller sends (method, path, body bytes, content type, credentials, keys,
 * signature headers), a workflow endpoint never answers 500, and a refused call stores nothing:
 * every run in the database was announced to its caller in x-switchyard-run-id.
 */

let server: TestServer;
let token: string;

function guarded(graph: WorkflowGraph): WorkflowGraph {
  const event = graph.nodes[0]!;
  if (event.type === 'apiEvent') event.data.endpoint = { ...OPEN_ENDPOINT, auth: 'admin_token' };
  return graph;
}

beforeAll(async () => {
  server = await startTestServer();
  await saveWorkflow(server, 'open', sampleGraph());
  await saveWorkflow(server, 'guarded', guarded(sampleGraph()));
  await server.caller(admin).release.deploy();
  ({ token } = await server.caller(admin).token.create({ label: 'fuzz', workflowIds: null }));
});
afterAll(() => server.stop());

const jsonValue = fc.jsonValue({ maxDepth: 4 });
const body = fc.oneof(
  jsonValue.map((v) => JSON.stringify(v)),
  fc.record({ amount: fc.oneof(fc.integer(), fc.string(), fc.constant(null)), note: fc.oneof(fc.string(), jsonValue) }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
  fc.constantFrom('', '{', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}', 'amount=1&note=x', '\uFEFF{"amount":1}', '[1,2]'),
);
const contentType = fc.option(
  fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain', 'application/json; charset=utf-8', 'multipart/form-data; boundary=x', 'application/xml', '*/*', ''),
  { nil: undefined },
);
const headerText = fc.string({ maxLength: 80 }).filter((s) => /^[\x20-\x7e]*$/.test(s));
const path = fc.constantFrom(
  '/api/1.1/wf/open',
  '/api/1.1/wf/guarded',
  '/version-test/api/1.1/wf/open',
  '/version-test/api/1.1/wf/guarded',
  '/version-test/api/1.1/wf/open/schedule',
  '/api/1.1/wf/missing',
  '/api/1.1/wf/open?amount=2&api_token=x',
);
const call = fc.record({
  method: fc.constantFrom('POST', 'GET', 'PUT', 'DELETE', 'PATCH'),
  path,
  body,
  contentType,
  authorization: fc.option(fc.oneof(headerText, fc.constant('valid'), fc.constant('valid')), { nil: undefined }),
  idempotencyKey: fc.option(headerText, { nil: undefined }),
  signature: fc.option(headerText, { nil: undefined }),
});

describe('workflow endpoints under fuzzing', () => {
  it('never answer 500, and every stored run was announced to its caller', async () => {
    const announced = new Set<string>();
    const before = await server.db.run.count();
    await fc.assert(
      fc.asyncProperty(call, async (c) => {
        const headers: Record<string, string> = {};
        if (c.contentType !== undefined) headers['content-type'] = c.contentType;
        if (c.authorization !== undefined) headers.authorization = c.authorization === 'valid' ? `Bearer ${token}` : c.authorization;
        if (c.idempotencyKey !== undefined) headers['idempotency-key'] = c.idempotencyKey;
        if (c.signature !== undefined) headers['webhook-signature'] = c.signature;
        const hasBody = c.method !== 'GET' && c.method !== 'DELETE';
        const response = await fetch(`${server.url}${c.path}`, { method: c.method, headers, ...(hasBody && { body: c.body }) });
        await response.arrayBuffer();
        expect(response.status, `${c.method} ${c.path}`).toBeLessThan(500);
        const runId = response.headers.get('x-switchyard-run-id');
        if (runId) announced.add(runId);
      }),
      { numRuns: 300 },
    );
    // Scheduling answers carry the run id too; every run made is one a caller was told about.
    const runs = await server.db.run.findMany({ select: { id: true } });
    expect(runs.length - before).toBeLessThanOrEqual(announced.size);
    for (const run of runs) expect(announced.has(run.id)).toBe(true);
    // An idempotency key is kept only for a call that made its run.
    const keys = await server.db.idempotencyKey.findMany();
    for (const key of keys) expect(announced.has(key.runId), `key ${JSON.stringify(key.key)}`).toBe(true);
  });
});
