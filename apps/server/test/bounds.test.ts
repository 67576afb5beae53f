import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, builder, eventually, graphWith, saveWorkflow, startTestServer } from './helpers.ts';

// Response bodies are checked field by field below, so `any` is the honest type here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = (response: Response): Promise<any> => response.json();

let server: TestServer;
const post = (path: string, body: string, contentType = 'application/json') =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body });

const echo = graphWith([{ id: 'ret', action: { type: 'returnData', entries: [{ id: 'e', key: 'name', value: '{{name}}' }] } }], {
  parameters: [
    { id: 'p_name', key: 'name', type: 'text', list: false, optional: true },
    { id: 'p_data', key: 'data', type: 'object', list: false, optional: true },
  ],
});

beforeAll(async () => {
  server = await startTestServer();
  await saveWorkflow(server, 'echo', echo);
});
afterAll(() => server.stop());

const nested = (depth: number) => `{"data":${'{"a":'.repeat(depth - 1)}1${'}'.repeat(depth - 1)}}`;

describe('bad requests are refused with a clear 4xx, write no run, and are counted', () => {
  it('refuses each kind of bad body', async () => {
    const runsBefore = await server.db.run.count();
    const cases: [string, Response, number, RegExp][] = [
      ['too large', await post('/version-test/api/1.1/wf/echo', JSON.stringify({ name: 'x'.repeat(1024 * 1024) })), 413, /too large: the limit is 1\.0 MiB/],
      ['nested 65 deep', await post('/version-test/api/1.1/wf/echo', nested(65)), 400, /nested more than 64 levels/],
      ['__proto__ deep inside', await post('/version-test/api/1.1/wf/echo', '{"data":{"a":[{"__proto__":{"x":1}}]}}'), 400, /"__proto__"/],
      ['constructor.prototype', await post('/version-test/api/1.1/wf/echo', '{"data":{"constructor":{"prototype":{"x":1}}}}'), 400, /"constructor" holding "prototype"/],
      ['__proto__ in a form', await post('/version-test/api/1.1/wf/echo', '__proto__=x&name=a', 'application/x-www-form-urlencoded'), 400, /"__proto__"/],
      ['malformed JSON', await post('/version-test/api/1.1/wf/echo', '{"name": "a",'), 400, /^Malformed JSON body/],
      ['not JSON or a form', await post('/version-test/api/1.1/wf/echo', 'name=a', 'text/plain'), 415, /application\/json/],
      ['wrong type', await post('/version-test/api/1.1/wf/echo', '{"data": 5}'), 400, /Parameter "data" must be an object, got 5/],
    ];
    for (const [what, response, status, message] of cases) {
      expect(response.status, what).toBe(status);
      const body = await json(response);
      expect(body.status, what).toBe('error');
      expect(body.message, what).toMatch(message);
      expect(response.headers.get('x-switchyard-run-id'), what).toBeNull();
    }
    // One level less deep is fine.
    expect((await post('/version-test/api/1.1/wf/echo', nested(64))).status).toBe(200);
    expect(await server.db.run.count()).toBe(runsBefore + 1);

    const refused = await eventually(async () => {
      const rows = await server.caller(builder).run.refused({ workflowName: 'echo' });
      return rows.reduce((sum, r) => sum + r.count, 0) >= 8 ? rows : undefined;
    });
    expect(Object.fromEntries(refused.map((r) => [r.reason, r.count]))).toEqual({
      too_large: 1,
      too_deep: 1,
      forbidden_key: 3,
      malformed_body: 1,
      unsupported_media_type: 1,
      invalid_parameters: 1,
    });
    expect(refused.every((r) => r.environment === 'draft')).toBe(true);
    // Bodies are never stored: only counts and the last message.
    expect(JSON.stringify(refused)).not.toContain('xxxxxxxx');
  });

  it('counts calls to names no workflow has under one name, so made-up names add no rows', async () => {
    for (const name of ['nope-1', 'nope-2', 'nope-3']) expect((await post(`/api/1.1/wf/${name}`, '{}')).status).toBe(404);
    const rows = await eventually(async () => {
      const found = await server.db.refusedCall.findMany({ where: { reason: 'unknown_workflow' } });
      return found.length > 0 && found[0]!.count >= 3 ? found : undefined;
    });
    expect(rows).toEqual([expect.objectContaining({ workflowName: '(unknown workflow)', environment: 'live', count: 3 })]);
    expect(await server.db.refusedCall.count({ where: { workflowName: { startsWith: 'nope' } } })).toBe(0);
  });
});

describe('records stay bounded and readable', () => {
  it('fails a step whose output is over the cap with a clear error, and the run still opens', async () => {
    await saveWorkflow(
      server,
      'amplify',
      graphWith([{ id: 'ret', action: { type: 'returnData', entries: [{ id: 'e', key: 'big', value: '{{name}}{{name}}' }] } }]),
    );
    // 600,000 characters of text (under the text cap) are 1.2 MB of UTF-8, over the output cap.
    const response = await post('/version-test/api/1.1/wf/amplify', JSON.stringify({ name: 'é'.repeat(300_000) }));
    expect(response.status).toBe(500);
    const body = await json(response);
    expect(body.message).toBe('Step 1 "Return data from API" failed: Output is too large: 1.1 MiB, and the limit is 1.0 MiB');
    const run = await server.caller(builder).run.byId({ id: body.run_id });
    expect(run.status).toBe('failed');
    expect(run.steps[0]).toMatchObject({ status: 'failed', output: null });
  });

  it('stores and shows a run whose output has keys that look like object internals', async () => {
    await saveWorkflow(
      server,
      'odd-output',
      graphWith([{ id: 'ret', action: { type: 'returnData', entries: [{ id: 'a', key: '__proto__', value: '{{data}}' }, { id: 'b', key: 'constructor', value: 'x' }] } }], {
        parameters: [{ id: 'p_data', key: 'data', type: 'object', list: false, optional: true }],
      }),
    );
    const response = await post('/version-test/api/1.1/wf/odd-output', JSON.stringify({ data: { prototype: 1 } }));
    expect(await response.text()).toBe('{"status":"success","response":{"__proto__":{"prototype":1},"constructor":"x"}}');
    const run = await server.caller(builder).run.byId({ id: response.headers.get('x-switchyard-run-id')! });
    expect(run.output).toBe('{"__proto__":{"prototype":1},"constructor":"x"}');
  });

  it('bounds expressions when the workflow compiles, so what compiles also deploys and runs', async () => {
    const terms = Array.from({ length: 2000 }, () => '1').join(' + ');
    const id = await saveWorkflow(server, 'long-sum', graphWith([{ id: 'ret', action: { type: 'returnData', entries: [{ id: 'e', key: 'sum', value: `{{${terms}}}` }] } }]));
    const saved = await server.caller(builder).workflow.byId({ id });
    expect(saved.diagnostics).toEqual([expect.objectContaining({ nodeId: 'ret', field: 'entries.e.value', message: expect.stringMatching(/more than \d+ (parts|levels)/) })]);
    // The draft endpoint refuses it (it has errors) instead of failing at run time, and a deploy
    // names it instead of breaking for everyone.
    const draft = await post('/version-test/api/1.1/wf/long-sum', '{}');
    expect(draft.status).toBe(400);
    await expect(server.caller(builder).release.deploy({ workflowIds: [id] })).rejects.toThrow(/"long-sum"/);
    await server.caller(builder).workflow.delete({ id });
  });
});

describe('internal errors', () => {
  it('never shows engine internals to callers or to the console', async () => {
    const id = await saveWorkflow(server, 'corrupt', echo);
    // A stored graph broken by hand (not something the API can produce).
    await server.db.workflow.update({ where: { id }, data: { graph: '{"schemaVersion": 2, "nodes": "not a list"', revision: { increment: 1 } } });
    const call = await post('/version-test/api/1.1/wf/corrupt', '{}');
    expect(call.status).toBe(500);
    expect(await json(call)).toEqual({ status: 'error', message: 'Internal server error' });

    const cookies = new Map<string, string | null>();
    await server.caller(null, { cookies }).auth.setup({ email: 'owner@example.com', password: 'a long enough password' });
    const input = encodeURIComponent(JSON.stringify({ json: { id } }));
    const console = await fetch(`${server.url}/trpc/workflow.byId?input=${input}`, { headers: { cookie: `switchyard_session=${cookies.get('session')}` } });
    expect(console.status).toBe(500);
    const body = await json(console);
    expect(body.error.json.message).toBe('Internal server error');
    expect(JSON.stringify(body)).not.toMatch(/Stored graph|JSON|stack|at /);
  });
});
