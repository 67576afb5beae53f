import { createHash } from 'node:crypto';
import { DEFAULT_SETTINGS } from '@switchyard/workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, builder, sampleGraph, startTestServer } from './helpers.ts';

let server: TestServer;
let workflowId: string;

beforeAll(async () => {
  server = await startTestServer();
  const caller = server.caller(builder);
  ({ id: workflowId } = await caller.workflow.create({ name: 'charge', label: 'Charge' }));
  await caller.workflow.save({ id: workflowId, graph: sampleGraph() });
});
afterAll(() => server.stop());

// Response bodies are checked field by field below, so `any` is the honest type here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = (response: Response): Promise<any> => response.json();

const post = (path: string, body: string | undefined, contentType = 'application/json') =>
  fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: body === undefined ? {} : { 'content-type': contentType },
    body,
  });

describe('health', () => {
  it('answers ok once migrations ran and the runner is up', async () => {
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({ status: 'ok' });
  });
});

describe('workflow endpoints', () => {
  it('runs the draft on /version-test and records the run with its steps before answering', async () => {
    const response = await post('/version-test/api/1.1/wf/charge', JSON.stringify({ amount: 21, note: 'Ada' }));
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({ status: 'success', response: { doubled: 42, message: 'Thanks, Ada' } });
    const runId = response.headers.get('x-switchyard-run-id');
    const run = await server.caller(builder).run.byId({ id: runId! });
    expect(run).toMatchObject({ environment: 'draft', status: 'succeeded', workflowName: 'charge', attempts: 1 });
    expect(JSON.parse(run.input)).toEqual({ amount: 21, note: 'Ada' });
    expect(run.steps.map((s) => [s.label, s.status, s.logs])).toEqual([
      ['Log a value', 'succeeded', ['Charging 21 (Ada)']],
      ['Return data from API', 'succeeded', []],
    ]);
  });

  it('serves the live endpoint only after a deploy, from the release', async () => {
    const before = await post('/api/1.1/wf/charge', JSON.stringify({ amount: 1 }));
    expect(before.status).toBe(404);
    expect((await json(before)).message).toMatch(/not deployed yet/);

    const { number } = await server.caller(builder).release.deploy();
    // A later draft change does not reach live until the next deploy.
    const changed = sampleGraph();
    const ret = changed.nodes[2];
    if (ret?.type === 'action' && ret.data.action.type === 'returnData') ret.data.action.entries[0]!.value = '{{amount * 3}}';
    await server.caller(builder).workflow.save({ id: workflowId, graph: changed });

    const live = await post('/api/1.1/wf/charge', JSON.stringify({ amount: 5 }));
    expect(await json(live)).toEqual({ status: 'success', response: { doubled: 10, message: 'Thanks, ' } });
    const draft = await post('/version-test/api/1.1/wf/charge', JSON.stringify({ amount: 5 }));
    expect((await json(draft)).response.doubled).toBe(15);

    const runs = await server.caller(builder).run.list({ workflowId });
    expect(runs.items[1]).toMatchObject({ environment: 'live', releaseNumber: number, status: 'succeeded' });
    expect(runs.items[0]).toMatchObject({ environment: 'draft', releaseNumber: null });
  });

  it('answers 400 naming a missing or wrongly typed parameter, and records no run', async () => {
    const runsBefore = await server.db.run.count();
    const missing = await post('/api/1.1/wf/charge', JSON.stringify({ note: 'x' }));
    expect(missing.status).toBe(400);
    expect(await json(missing)).toEqual({
      status: 'error',
      message: 'Missing required parameter "amount"',
      errors: [{ parameter: 'amount', message: 'Missing required parameter "amount"' }],
    });
    const wrong = await post('/api/1.1/wf/charge', JSON.stringify({ amount: 'lots' }));
    expect(wrong.status).toBe(400);
    expect((await json(wrong)).errors).toEqual([{ parameter: 'amount', message: 'Parameter "amount" must be a number, got "lots"' }]);
    expect(await server.db.run.count()).toBe(runsBefore);
  });

  it('answers 400 to a malformed JSON body and 404 to an unknown workflow, recording nothing', async () => {
    const runsBefore = await server.db.run.count();
    const malformed = await post('/api/1.1/wf/charge', '{"amount": 1,');
    expect(malformed.status).toBe(400);
    expect(await json(malformed)).toMatchObject({ status: 'error', message: expect.stringMatching(/^Malformed JSON body/) });
    const prototypePollution = await post('/api/1.1/wf/charge', '{"amount": 1, "__proto__": {"x": 1}}');
    expect(prototypePollution.status).toBe(400);
    const unknown = await post('/api/1.1/wf/nope', JSON.stringify({}));
    expect(unknown.status).toBe(404);
    expect(await json(unknown)).toEqual({ status: 'error', message: 'No workflow called "nope"' });
    expect(await server.db.run.count()).toBe(runsBefore);
  });

  it('records a failed step and answers 500 with the run id when a step fails at run time', async () => {
    const graph = sampleGraph();
    const log = graph.nodes[1];
    if (log?.type === 'action' && log.data.action.type === 'log') log.data.action.message = '{{ 100 / amount }}';
    const { id } = await server.caller(builder).workflow.create({ name: 'divide', label: '' });
    await server.caller(builder).workflow.save({ id, graph });
    const response = await post('/version-test/api/1.1/wf/divide', JSON.stringify({ amount: 0 }));
    expect(response.status).toBe(500);
    const body = await json(response);
    expect(body.message).toBe('Step 1 "Log a value" failed: Message: Division by zero');
    expect(response.headers.get('x-switchyard-run-id')).toBe(body.run_id);
    const run = await server.caller(builder).run.byId({ id: body.run_id });
    expect(run.status).toBe('failed');
    expect(run.steps).toEqual([expect.objectContaining({ status: 'failed', error: 'Message: Division by zero' })]);
  });

  it('accepts an empty body for a workflow whose parameters are all optional', async () => {
    const { id } = await server.caller(builder).workflow.create({ name: 'ping', label: '' });
    const graph = sampleGraph();
    graph.nodes[0] = { id: 'event', type: 'apiEvent', position: { x: 0, y: 0 }, data: { parameters: [], settings: DEFAULT_SETTINGS } };
    graph.nodes.splice(1, 2, { id: 'ret', type: 'action', position: { x: 0, y: 100 }, data: { action: { type: 'returnData', entries: [{ id: 'k', key: 'pong', value: '{{true}}' }] } } });
    graph.edges = [{ id: 'e', source: 'event', target: 'ret' }];
    await server.caller(builder).workflow.save({ id, graph });
    const response = await post('/version-test/api/1.1/wf/ping', undefined);
    expect(await json(response)).toEqual({ status: 'success', response: { pong: true } });
  });
});

describe('sessions over HTTP', () => {
  it('refuses an unauthenticated tRPC call with 401, and a login sets an httpOnly SameSite cookie', async () => {
    const anonymous = await fetch(`${server.url}/trpc/workflow.list`);
    expect(anonymous.status).toBe(401);
    const body = await json(anonymous);
    expect(body.error.json.message).toBe('Sign in to continue');
    expect(JSON.stringify(body)).not.toContain('stack');

    const setup = await fetch(`${server.url}/trpc/auth.setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ json: { email: 'owner@example.com', password: 'a very long password' } }),
    });
    expect(setup.status).toBe(200);
    const cookie = setup.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);

    const authed = await fetch(`${server.url}/trpc/workflow.list`, { headers: { cookie: cookie.split(';')[0]! } });
    expect(authed.status).toBe(200);

    const logout = await fetch(`${server.url}/trpc/auth.logout`, { method: 'POST', headers: { cookie: cookie.split(';')[0]!, 'content-type': 'application/json' }, body: '{}' });
    expect(logout.status).toBe(200);
    const after = await fetch(`${server.url}/trpc/workflow.list`, { headers: { cookie: cookie.split(';')[0]! } });
    expect(after.status).toBe(401);
  });
});

describe('session expiry', () => {
  it('refuses a session past its expiry and deletes it, while a current one works', async () => {
    const user = await server.db.user.findFirstOrThrow();
    const { createSession } = await import('../src/services/accounts.ts');
    const current = await createSession(server.db, user.id, 14);
    const stale = await createSession(server.db, user.id, 14);
    const staleHash = createHash('sha256').update(stale.token).digest('hex');
    await server.db.session.update({ where: { tokenHash: staleHash }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const list = (token: string) => fetch(`${server.url}/trpc/workflow.list`, { headers: { cookie: `switchyard_session=${token}` } });
    expect((await list(current.token)).status).toBe(200);
    const refused = await list(stale.token);
    expect(refused.status).toBe(401);
    expect((await json(refused)).error.json.message).toBe('Sign in to continue');
    expect(await server.db.session.count({ where: { tokenHash: staleHash } })).toBe(0);
  });
});

describe('cross-site protection of the API', () => {
  it('refuses form posts and cross-origin calls to tRPC, before any procedure runs', async () => {
    const releasesBefore = await server.db.release.count();
    const form = await fetch(`${server.url}/trpc/release.deploy`, { method: 'POST', body: new URLSearchParams({ x: '1' }) });
    expect(form.status).toBe(415);
    const crossOrigin = await fetch(`${server.url}/trpc/release.deploy`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://evil.example' },
      body: '{}',
    });
    expect(crossOrigin.status).toBe(403);
    const sameOrigin = await fetch(`${server.url}/trpc/auth.status`, { headers: { origin: server.url } });
    expect(sameOrigin.status).toBe(200);
    expect(await server.db.release.count()).toBe(releasesBefore);
  });

  it('hides the text of unexpected errors from callers', async () => {
    const response = await fetch(`${server.url}/trpc/auth.login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'null' });
    const body = JSON.stringify(await json(response));
    expect(body).not.toMatch(/destructure|payload/);
  });
});

describe('returned data', () => {
  it('returns any key as written, including ones that look like object internals', async () => {
    const { id } = await server.caller(builder).workflow.create({ name: 'odd-keys', label: '' });
    await server.caller(builder).workflow.save({
      id,
      graph: {
        schemaVersion: 2,
        nodes: [
          { id: 'event', type: 'apiEvent', position: { x: 0, y: 0 }, data: { parameters: [], settings: DEFAULT_SETTINGS } },
          {
            id: 'ret',
            type: 'action',
            position: { x: 0, y: 100 },
            data: { action: { type: 'returnData', entries: [{ id: 'a', key: '__proto__', value: 'x' }, { id: 'b', key: 'has space', value: 'y' }] } },
          },
        ],
        edges: [{ id: 'e', source: 'event', target: 'ret' }],
      },
    });
    const response = await post('/version-test/api/1.1/wf/odd-keys', '{}');
    expect(await response.text()).toBe('{"status":"success","response":{"__proto__":"x","has space":"y"}}');
  });
});

describe('form-encoded calls', () => {
  it('accepts form-encoded parameters and converts them by type', async () => {
    const response = await post('/version-test/api/1.1/wf/charge', 'amount=4&note=form', 'application/x-www-form-urlencoded');
    expect(await json(response)).toMatchObject({ status: 'success', response: { doubled: expect.any(Number), message: 'Thanks, form' } });
  });
});
