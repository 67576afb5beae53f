import path from 'node:path';
import Database from 'better-sqlite3';
import { type EndpointSettings, OPEN_ENDPOINT, type WorkflowGraph } from '@switchyard/workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../src/services/accounts.ts';
import { requestHash } from '../src/services/idempotency.ts';
import { sign } from '../src/services/signatures.ts';
import { type TestServer, admin, builder, eventually, sampleGraph, startTestServer, viewer } from './helpers.ts';

// Bodies are checked field by field, so `any` is the honest type here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = (response: Response): Promise<any> => response.json();

function withEndpoint(graph: WorkflowGraph, endpoint: Partial<EndpointSettings>): WorkflowGraph {
  const event = graph.nodes[0]!;
  if (event.type !== 'apiEvent') throw new Error('not an API event');
  event.data.endpoint = { ...OPEN_ENDPOINT, ...endpoint };
  return graph;
}

let server: TestServer;
const ids: Record<string, string> = {};

async function save(name: string, graph: WorkflowGraph): Promise<string> {
  const caller = server.caller(builder);
  ids[name] ??= (await caller.workflow.create({ name, label: '' })).id;
  await caller.workflow.save({ id: ids[name]!, graph });
  return ids[name]!;
}

const call = (path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) =>
  fetch(`${server.url}${path}`, {
    method: init.method ?? 'POST',
    headers: { ...(init.body !== undefined && { 'content-type': 'application/json' }), ...init.headers },
    ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
  });

beforeAll(async () => {
  server = await startTestServer();
  await save('guarded', withEndpoint(sampleGraph(), { auth: 'admin_token' }));
  await save('other', withEndpoint(sampleGraph(), { auth: 'admin_token' }));
  await save('open', sampleGraph());
  await server.caller(admin).release.deploy();
});
afterAll(() => server.stop());

describe('API tokens', () => {
  it('refuses a call without a valid token (401), a token scoped elsewhere (403), and runs with one (200), live and draft alike', async () => {
    const everything = await server.caller(admin).token.create({ label: 'CI', workflowIds: null });
    expect(everything.token).toMatch(/^sy_[A-Za-z0-9_-]{43}$/);
    const onlyOther = await server.caller(admin).token.create({ label: 'other only', workflowIds: [ids.other!] });

    for (const prefix of ['/api/1.1', '/version-test/api/1.1']) {
      const missing = await call(`${prefix}/wf/guarded`, { body: { amount: 2 } });
      expect(missing.status).toBe(401);
      expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect((await json(missing)).message).toMatch(/requires an API token/);

      const unknown = await call(`${prefix}/wf/guarded`, { body: { amount: 2 }, headers: { authorization: 'Bearer sy_nope' } });
      expect(unknown.status).toBe(401);

      const scoped = await call(`${prefix}/wf/guarded`, { body: { amount: 2 }, headers: { authorization: `Bearer ${onlyOther.token}` } });
      expect(scoped.status).toBe(403);
      expect((await call(`${prefix}/wf/other`, { body: { amount: 2 }, headers: { authorization: `Bearer ${onlyOther.token}` } })).status).toBe(200);

      const ok = await call(`${prefix}/wf/guarded`, { body: { amount: 2 }, headers: { authorization: `Bearer ${everything.token}` } });
      expect(ok.status).toBe(200);
      expect((await json(ok)).response.doubled).toBe(4);
      const inQuery = await call(`${prefix}/wf/guarded?api_token=${everything.token}`, { body: { amount: 3 } });
      expect(inQuery.status).toBe(200);
    }
    // An open workflow needs nothing.
    expect((await call('/api/1.1/wf/open', { body: { amount: 1 } })).status).toBe(200);
  });

  it('a revoked token is refused at the next call, and lists show its last use but never its value', async () => {
    const { token, summary } = await server.caller(admin).token.create({ label: 'to revoke', workflowIds: null });
    expect((await call('/api/1.1/wf/guarded', { body: { amount: 1 }, headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    server.gate.flush();
    const listed = await eventually(async () => {
      const list = await server.caller(builder).token.list();
      const row = list.find((t) => t.id === summary.id);
      return row?.lastUsedAt ? list : undefined;
    });
    expect(JSON.stringify(listed)).not.toContain(token);
    expect(listed.find((t) => t.id === summary.id)).toMatchObject({ label: 'to revoke', prefix: token.slice(0, 10), allWorkflows: true, revokedAt: null });

    await server.caller(admin).token.revoke({ id: summary.id });
    const after = await call('/api/1.1/wf/guarded', { body: { amount: 1 }, headers: { authorization: `Bearer ${token}` } });
    expect(after.status).toBe(401);
    expect((await json(after)).message).toMatch(/revoked/);
  });

  it('a token revoked by another process (the CLI) is refused at the next call, though this one keeps tokens it has read', async () => {
    const { token, summary } = await server.caller(admin).token.create({ label: 'revoked elsewhere', workflowIds: null });
    expect((await call('/api/1.1/wf/guarded', { body: { amount: 1 }, headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    const other = new Database(path.join(server.dataDir, 'switchyard.db'));
    try {
      other.prepare(`UPDATE ApiToken SET revokedAt = ? WHERE id = ?`).run(new Date().toISOString(), summary.id);
    } finally {
      other.close();
    }
    expect((await call('/api/1.1/wf/guarded', { body: { amount: 1 }, headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
  });

  it('only admins create and revoke tokens; viewers cannot list them', async () => {
    await expect(server.caller(builder).token.create({ label: 'x', workflowIds: null })).rejects.toThrow(/role/);
    await expect(server.caller(viewer).token.list()).rejects.toThrow(/role/);
    await expect(server.caller(admin).token.create({ label: ' ', workflowIds: null })).rejects.toThrow(/label/i);
    await expect(server.caller(admin).token.create({ label: 'x', workflowIds: ['no-such-id'] })).rejects.toThrow(/No workflow/);
  });

  it("the editor's test panel runs a guarded draft with a builder's session and its header; viewers, other headers and live get nothing", async () => {
    const signIn = async (path: string, input: object) => {
      const response = await fetch(`${server.url}/trpc/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ json: input }) });
      expect(response.status).toBe(200);
      return response.headers.get('set-cookie')!.split(';')[0]!;
    };
    const adminCookie = await signIn('auth.setup', { email: 'owner@example.com', password: 'a very long password' });
    await createUser(server.db, { email: 'watcher@example.com', password: 'a very long password', role: 'viewer' });
    const viewerCookie = await signIn('auth.login', { email: 'watcher@example.com', password: 'a very long password' });
    const panel = (cookie: string, path = '/version-test/api/1.1/wf/guarded', trigger = 'test') =>
      call(path, { body: { amount: 2 }, headers: { cookie, 'x-switchyard-trigger': trigger } });

    const ok = await panel(adminCookie);
    expect(ok.status).toBe(200);
    expect((await server.caller(builder).run.byId({ id: ok.headers.get('x-switchyard-run-id')! })).trigger).toBe('test');
    expect((await panel(adminCookie, '/version-test/api/1.1/wf/guarded', 'api')).status).toBe(401);
    expect((await panel(adminCookie, '/api/1.1/wf/guarded')).status).toBe(401);
    expect((await panel(viewerCookie)).status).toBe(401);
  });
});

describe('endpoint settings', () => {
  it('take effect on save, for live too: locking an endpoint down does not wait for a deploy', async () => {
    expect((await call('/api/1.1/wf/open', { body: { amount: 1 } })).status).toBe(200);
    await save('open', withEndpoint(sampleGraph(), { auth: 'admin_token' }));
    expect((await call('/api/1.1/wf/open', { body: { amount: 1 } })).status).toBe(401);
    await save('open', sampleGraph());
    expect((await call('/api/1.1/wf/open', { body: { amount: 1 } })).status).toBe(200);
  });

  it('a workflow that is not exposed answers 404 to outside calls, scheduling and cancelling included; schedules still run it', async () => {
    const id = await save('hidden', withEndpoint(sampleGraph(), { exposed: false }));
    const refused = await call('/version-test/api/1.1/wf/hidden', { body: { amount: 1 } });
    expect(refused.status).toBe(404);
    expect((await json(refused)).message).toBe('No workflow called "hidden"');
    expect((await call('/version-test/api/1.1/wf/hidden/schedule', { body: { scheduled_date: Date.now() + 60_000, parameters: { amount: 1 } } })).status).toBe(404);

    const { runId } = await server.caller(builder).scheduler.schedule({ environment: 'draft', workflowId: id, runAt: new Date(), parameters: { amount: 5 } });
    const run = await eventually(async () => {
      const r = await server.caller(builder).run.byId({ id: runId });
      return r.status === 'succeeded' ? r : undefined;
    });
    expect(JSON.parse(run.output!)).toMatchObject({ doubled: 10 });
    const later = await server.caller(builder).scheduler.schedule({ environment: 'draft', workflowId: id, runAt: new Date(Date.now() + 3_600_000), parameters: { amount: 5 } });
    expect((await call(`/version-test/api/1.1/scheduled/${later.runId}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('GET reads the parameters from the query string; a POST parameter may be marked "from the query string"; the wrong method gets 405', async () => {
    await save('by-get', withEndpoint(sampleGraph(), { method: 'GET' }));
    const ok = await call('/version-test/api/1.1/wf/by-get?amount=21&note=Ada', { method: 'GET' });
    expect(ok.status).toBe(200);
    expect((await json(ok)).response).toEqual({ doubled: 42, message: 'Thanks, Ada' });
    const wrong = await call('/version-test/api/1.1/wf/by-get', { body: { amount: 1 } });
    expect(wrong.status).toBe(405);
    expect((await call('/version-test/api/1.1/wf/guarded?amount=1', { method: 'GET' })).status).toBe(405);
    // HEAD never runs a workflow.
    expect((await call('/version-test/api/1.1/wf/by-get?amount=1', { method: 'HEAD' })).status).not.toBe(200);

    const graph = sampleGraph();
    const event = graph.nodes[0]!;
    if (event.type === 'apiEvent') event.data.parameters[0]!.fromQuery = true;
    await save('mixed', graph);
    const mixed = await call('/version-test/api/1.1/wf/mixed?amount=4', { body: { note: 'Bo' } });
    expect(mixed.status).toBe(200);
    expect((await json(mixed)).response).toEqual({ doubled: 8, message: 'Thanks, Bo' });
  });

  it('"Return 200 if the condition is not met" answers 200 for a skipped run', async () => {
    const graph = withEndpoint(sampleGraph(), { okWhenSkipped: true });
    const event = graph.nodes[0]!;
    if (event.type === 'apiEvent') event.data.onlyWhen = 'amount > 10';
    await save('lenient-skip', graph);
    const skipped = await call('/version-test/api/1.1/wf/lenient-skip', { body: { amount: 1 } });
    expect(skipped.status).toBe(200);
    const body = await json(skipped);
    expect(body.run_id).toBe(skipped.headers.get('x-switchyard-run-id'));
    expect((await server.caller(builder).run.byId({ id: body.run_id })).status).toBe('skipped');
  });
});

describe('instance settings', () => {
  it('switching the Workflow API off answers 404 with a message to every endpoint, while scheduled runs go on', async () => {
    const api = server.caller(admin).settings;
    const id = ids.open!;
    const { runId } = await server.caller(builder).scheduler.schedule({ environment: 'draft', workflowId: id, runAt: new Date(Date.now() + 300), parameters: { amount: 7 } });
    await api.updateApi({ ...(await api.api()), apiEnabled: false });
    try {
      for (const [path, method] of [
        ['/api/1.1/wf/open', 'POST'],
        ['/version-test/api/1.1/wf/open', 'POST'],
        ['/version-test/api/1.1/wf/open/schedule', 'POST'],
        [`/version-test/api/1.1/scheduled/${runId}`, 'DELETE'],
      ] as const) {
        const response = await call(path, { method, body: method === 'POST' ? { amount: 1 } : undefined });
        expect(response.status, path).toBe(404);
        expect((await json(response)).message).toMatch(/Workflow API is disabled/);
      }
      await eventually(async () => ((await server.caller(builder).run.byId({ id: runId })).status === 'succeeded' ? true : undefined));
    } finally {
      await api.updateApi({ ...(await api.api()), apiEnabled: true });
    }
    expect((await call('/api/1.1/wf/open', { body: { amount: 1 } })).status).toBe(200);
  });

  it('only admins change settings; bad values are refused with what is wrong', async () => {
    const current = await server.caller(viewer).settings.api();
    await expect(server.caller(builder).settings.updateApi(current)).rejects.toThrow(/role/);
    await expect(server.caller(admin).settings.updateApi({ ...current, corsOrigins: ['https://shop.example.com/path'] })).rejects.toThrow(/origin/);
    await expect(server.caller(admin).settings.updateApi({ ...current, rateLimitPerAddress: 0 })).rejects.toThrow(/at least 1/);
  });

  it('rate limits per address and per token answer 429 with Retry-After', async () => {
    const api = server.caller(admin).settings;
    const { token } = await server.caller(admin).token.create({ label: 'limited', workflowIds: null });
    await api.updateApi({ ...(await api.api()), rateLimitPerToken: 2 });
    try {
      const auth = { authorization: `Bearer ${token}` };
      expect((await call('/api/1.1/wf/guarded', { body: { amount: 1 }, headers: auth })).status).toBe(200);
      expect((await call('/api/1.1/wf/guarded', { body: { amount: 1 }, headers: auth })).status).toBe(200);
      const limited = await call('/api/1.1/wf/guarded', { body: { amount: 1 }, headers: auth });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      // Calls without that token are not held back by it.
      expect((await call('/api/1.1/wf/open', { body: { amount: 1 } })).status).toBe(200);

      await api.updateApi({ ...(await api.api()), rateLimitPerToken: null, rateLimitPerAddress: 3 });
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await call('/api/1.1/wf/open', { body: { amount: 1 } })).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
    } finally {
      await api.updateApi({ ...(await api.api()), rateLimitPerToken: null, rateLimitPerAddress: null });
    }
  });

  it('CORS: allowed origins get the headers and a preflight answer, others none', async () => {
    const api = server.caller(admin).settings;
    await api.updateApi({ ...(await api.api()), corsOrigins: ['https://shop.example.com'] });
    try {
      const allowed = await call('/api/1.1/wf/open', { body: { amount: 1 }, headers: { origin: 'https://shop.example.com' } });
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://shop.example.com');
      const other = await call('/api/1.1/wf/open', { body: { amount: 1 }, headers: { origin: 'https://evil.example' } });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
      const preflight = await call('/api/1.1/wf/open', {
        method: 'OPTIONS',
        headers: { origin: 'https://shop.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
      // The editor's own API never answers other origins.
      const trpc = await fetch(`${server.url}/trpc/auth.status`, { headers: { origin: 'https://shop.example.com' } });
      expect(trpc.status).toBe(403);
    } finally {
      await api.updateApi({ ...(await api.api()), corsOrigins: [] });
    }
  });
});

describe('idempotency keys', () => {
  const runsOf = (workflowId: string) => server.db.run.count({ where: { workflowId } });
  const keyed = (name: string, key: string, body: unknown) => call(`/version-test/api/1.1/wf/${name}`, { body, headers: { 'idempotency-key': key } });

  it('a repeat gets the first answer back (status, body, run id) without a second run; another body gets 422', async () => {
    const id = await save('idem-basic', sampleGraph());
    const first = await keyed('idem-basic', 'order-1', { amount: 2 });
    expect(first.status).toBe(200);
    const firstBody = await first.text();
    const again = await keyed('idem-basic', 'order-1', { amount: 2 });
    expect(again.status).toBe(200);
    expect(await again.text()).toBe(firstBody);
    expect(again.headers.get('x-switchyard-run-id')).toBe(first.headers.get('x-switchyard-run-id'));
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(await runsOf(id)).toBe(1);

    const different = await keyed('idem-basic', 'order-1', { amount: 3 });
    expect(different.status).toBe(422);
    expect((await json(different)).message).toMatch(/different request body/);
    // Keys are per workflow: the same key elsewhere is a new call.
    expect((await call('/version-test/api/1.1/wf/open', { body: { amount: 3 }, headers: { 'idempotency-key': 'order-1' } })).status).toBe(200);
    expect(await runsOf(id)).toBe(1);
  });

  it('50 concurrent duplicates make exactly one run', async () => {
    const id = await save('idem-burst', sampleGraph());
    const responses = await Promise.all(Array.from({ length: 50 }, () => keyed('idem-burst', 'burst', { amount: 5 })));
    const statuses = new Set(responses.map((r) => r.status));
    expect([...statuses].every((s) => s === 200 || s === 409)).toBe(true);
    expect(await runsOf(id)).toBe(1);
    const runIds = new Set(responses.filter((r) => r.status === 200).map((r) => r.headers.get('x-switchyard-run-id')));
    expect(runIds.size).toBe(1);
  });

  it('a call refused before its run (bad parameters) frees the key; an answered 202 is replayed as 202', async () => {
    await save('idem-refused', sampleGraph());
    expect((await keyed('idem-refused', 'k', { amount: 'many' })).status).toBe(400);
    expect((await keyed('idem-refused', 'k', { amount: 1 })).status).toBe(200);

    const graph = sampleGraph();
    const event = graph.nodes[0]!;
    if (event.type === 'apiEvent') event.data.settings = { ...event.data.settings, mode: 'async' };
    const id = await save('idem-async', graph);
    const first = await keyed('idem-async', 'a', { amount: 1 });
    expect(first.status).toBe(202);
    const again = await keyed('idem-async', 'a', { amount: 1 });
    expect(again.status).toBe(202);
    expect(again.headers.get('x-switchyard-run-id')).toBe(first.headers.get('x-switchyard-run-id'));
    expect(await runsOf(id)).toBe(1);
    expect((await keyed('idem-async', 'x'.repeat(256), { amount: 1 })).status).toBe(400);
  });

  it('a key being answered gets 409; a key left by a process that died is taken over, or answered from the run it made', async () => {
    const id = await save('idem-crash', sampleGraph());
    const access = server.engineDb.apiAccess;
    const now = new Date();
    // Keys are stored per endpoint and caller: `call|anyone|<key>` for an open workflow's calls.
    const row = (key: string, owner: string, runId: string, bodyHash: string) => ({
      workflowId: id, environment: 'draft', key: `call|anyone|${key}`, bodyHash, runId, owner, now, expiresAt: new Date(now.getTime() + 60_000),
    });
    const hash = requestHash('POST', '', Buffer.from(JSON.stringify({ amount: 2 })));
    // Held by this very process: still in flight.
    access.claimKey(row('busy', server.engine.owner, '00000000-0000-7000-8000-000000000001', hash));
    const busy = await keyed('idem-crash', 'busy', { amount: 2 });
    expect(busy.status).toBe(409);
    expect((await json(busy)).message).toMatch(/still being processed/);
    // Held by another process that is alive (its heartbeat is fresh): in flight too.
    server.engineDb.queue.heartbeat({ id: 'other-process', hostname: 'elsewhere', pid: 1, startedAt: now }, now);
    access.claimKey(row('elsewhere', 'other-process', '00000000-0000-7000-8000-000000000003', hash));
    expect((await keyed('idem-crash', 'elsewhere', { amount: 2 })).status).toBe(409);

    // Held by a process that is gone, whose run was never committed: this call runs it.
    access.claimKey(row('orphan', 'gone-process', '00000000-0000-7000-8000-000000000002', hash));
    const orphan = await keyed('idem-crash', 'orphan', { amount: 2 });
    expect(orphan.status).toBe(200);
    expect(await runsOf(id)).toBe(1);

    // Held by a process that is gone after its run was committed: that run's outcome is the answer.
    const made = await call('/version-test/api/1.1/wf/idem-crash', { body: { amount: 2 } });
    const madeId = made.headers.get('x-switchyard-run-id')!;
    access.claimKey(row('committed', 'gone-process', madeId, hash));
    const replay = await keyed('idem-crash', 'committed', { amount: 2 });
    expect(replay.status).toBe(200);
    expect(replay.headers.get('x-switchyard-run-id')).toBe(madeId);
    expect((await json(replay)).response.doubled).toBe(4);
    expect(await runsOf(id)).toBe(2);

    // Expired: the key is free again, whatever body it had.
    access.claimKey({ ...row('old', 'gone-process', madeId, 'another hash'), expiresAt: new Date(now.getTime() - 1) });
    expect((await keyed('idem-crash', 'old', { amount: 2 })).status).toBe(200);
    expect(await runsOf(id)).toBe(3);
  });
});

describe('idempotency keys when scheduling', () => {
  it('a repeated schedule call gets the same run; a key left by a dead process is answered with the run it made', async () => {
    const id = await save('idem-schedule', sampleGraph());
    const request = { scheduled_date: Date.now() + 3_600_000, parameters: { amount: 1 } };
    const schedule = (key: string) => call('/version-test/api/1.1/wf/idem-schedule/schedule', { body: request, headers: { 'idempotency-key': key } });
    const first = await schedule('s1');
    expect(first.status).toBe(200);
    const runId = (await json(first)).response.run_id;
    const again = await schedule('s1');
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((await json(again)).response.run_id).toBe(runId);
    expect(await server.db.run.count({ where: { workflowId: id } })).toBe(1);
    // The same key calling the workflow (not scheduling it) is another request.
    expect((await call('/version-test/api/1.1/wf/idem-schedule', { body: { amount: 1 }, headers: { 'idempotency-key': 's1' } })).status).toBe(200);

    // The process that scheduled it died after committing the run, before storing its answer.
    const now = new Date();
    const hash = requestHash('POST', '', Buffer.from(JSON.stringify(request)));
    server.engineDb.apiAccess.claimKey({ workflowId: id, environment: 'draft', key: 'schedule|anyone|s2', bodyHash: hash, runId, owner: 'gone', now, expiresAt: new Date(now.getTime() + 60_000) });
    const recovered = await schedule('s2');
    expect(recovered.status).toBe(200);
    expect((await json(recovered)).response.run_id).toBe(runId);
    expect(await server.db.run.count({ where: { workflowId: id } })).toBe(2);
  });
});

describe('idempotency key expiry', () => {
  it('expired keys are deleted by the retention sweep', async () => {
    const swept = await startTestServer({ RETENTION_SWEEP_SECONDS: '1' });
    try {
      const now = new Date();
      const key = { workflowId: 'w', environment: 'live', bodyHash: 'h', runId: 'r', owner: 'o', now };
      swept.engineDb.apiAccess.claimKey({ ...key, key: 'old', expiresAt: new Date(now.getTime() - 1000) });
      swept.engineDb.apiAccess.claimKey({ ...key, key: 'fresh', expiresAt: new Date(now.getTime() + 3_600_000) });
      await eventually(async () => ((await swept.db.idempotencyKey.count({ where: { key: 'old' } })) === 0 ? true : undefined), 100);
      expect(await swept.db.idempotencyKey.count({ where: { key: 'fresh' } })).toBe(1);
    } finally {
      await swept.stop();
    }
  });
});

describe('hostile callers (review findings)', () => {
  const recurringGraph = (): WorkflowGraph => ({
    schemaVersion: 2,
    nodes: [
      { id: 'event', type: 'recurringEvent', position: { x: 0, y: 0 }, data: { schedule: { kind: 'every', every: 1, unit: 'days' } } } as never,
      { id: 'ret', type: 'action', position: { x: 0, y: 150 }, data: { action: { type: 'returnData', entries: [{ id: 'e', key: 'ran', value: 'yes' }] } } },
    ],
    edges: [{ id: 'e1', source: 'event', target: 'ret' }],
  });

  it('a live endpoint keeps its protection while its draft has no API event; a recurring draft needs a token', async () => {
    await save('locked-live', withEndpoint(sampleGraph(), { auth: 'admin_token' }));
    await server.caller(admin).release.deploy();
    expect((await call('/api/1.1/wf/locked-live', { body: { amount: 1 } })).status).toBe(401);
    // The draft loses its event, then becomes a recurring job: live still asks for a token.
    const eventless = sampleGraph();
    eventless.nodes.shift();
    eventless.edges = eventless.edges.filter((e) => e.source !== 'event');
    await save('locked-live', eventless);
    expect((await call('/api/1.1/wf/locked-live', { body: { amount: 1 } })).status).toBe(401);
    await save('locked-live', recurringGraph());
    expect((await call('/api/1.1/wf/locked-live', { body: { amount: 1 } })).status).toBe(401);
    const draft = await call('/version-test/api/1.1/wf/locked-live', { body: {} });
    expect(draft.status).toBe(401);
    const { token } = await server.caller(admin).token.create({ label: 'recurring draft', workflowIds: [ids['locked-live']!] });
    expect((await call('/version-test/api/1.1/wf/locked-live', { body: {}, headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  });

  it('a workflow locked down and then deleted stays locked down while it is still live', async () => {
    const id = await save('legacy-open', sampleGraph());
    await server.caller(admin).release.deploy({ workflowIds: [id] });
    expect((await call('/api/1.1/wf/legacy-open', { body: { amount: 1 } })).status).toBe(200);
    await save('legacy-open', withEndpoint(sampleGraph(), { auth: 'admin_token' }));
    expect((await call('/api/1.1/wf/legacy-open', { body: { amount: 1 } })).status).toBe(401);
    const { stillLive } = await server.caller(builder).workflow.delete({ id, takeOffLive: false });
    expect(stillLive).toBe(true);
    expect((await call('/api/1.1/wf/legacy-open', { body: { amount: 1 } })).status).toBe(401);
    const { token } = await server.caller(admin).token.create({ label: 'deleted but live', workflowIds: null });
    expect((await call('/api/1.1/wf/legacy-open', { body: { amount: 1 }, headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  });

  it("cancelling a scheduled run asks for its workflow's credentials even after a rename", async () => {
    const id = await save('cancel-me', withEndpoint(sampleGraph(), { auth: 'admin_token' }));
    const { runId } = await server.caller(builder).scheduler.schedule({ environment: 'draft', workflowId: id, runAt: new Date(Date.now() + 3_600_000), parameters: { amount: 1 } });
    expect((await call(`/version-test/api/1.1/scheduled/${runId}`, { method: 'DELETE' })).status).toBe(401);
    await server.caller(builder).workflow.rename({ id, name: 'cancel-me-renamed' });
    expect((await call(`/version-test/api/1.1/scheduled/${runId}`, { method: 'DELETE' })).status).toBe(401);
    const { token } = await server.caller(admin).token.create({ label: 'canceller', workflowIds: [id] });
    expect((await call(`/version-test/api/1.1/scheduled/${runId}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  });

  it('idempotency keys are per caller, and a token in the query string or the header is the same request', async () => {
    const id = await save('per-caller', withEndpoint(sampleGraph(), { auth: 'admin_token' }));
    const a = (await server.caller(admin).token.create({ label: 'a', workflowIds: null })).token;
    const b = (await server.caller(admin).token.create({ label: 'b', workflowIds: null })).token;
    const keyed = (token: string, body: unknown, inQuery = false) =>
      call(`/version-test/api/1.1/wf/per-caller${inQuery ? `?api_token=${token}` : ''}`, {
        body,
        headers: { 'idempotency-key': 'K', ...(!inQuery && { authorization: `Bearer ${token}` }) },
      });
    const first = await keyed(a, { amount: 1, note: 'secret of a' });
    expect(first.status).toBe(200);
    // b cannot read a's answer with a's key, nor block it.
    const other = await keyed(b, { amount: 1, note: 'secret of a' });
    expect(other.headers.get('idempotent-replayed')).toBeNull();
    expect(other.headers.get('x-switchyard-run-id')).not.toBe(first.headers.get('x-switchyard-run-id'));
    expect((await keyed(b, { amount: 2 })).status).toBe(422);
    // a's own retry, with its token moved to the query string, is a replay.
    const retry = await keyed(a, { amount: 1, note: 'secret of a' }, true);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await server.db.run.count({ where: { workflowId: id } })).toBe(2);
    // A key is counted in characters as sent (UTF-8).
    const wide = await call('/version-test/api/1.1/wf/per-caller', { body: { amount: 1 }, headers: { authorization: `Bearer ${a}`, 'idempotency-key': 'é'.repeat(255) } });
    expect(wide.status).toBe(200);
  });

  it('a workflow called "schedule" keeps its method rule; __proto__ in a query string is refused like in a body', async () => {
    await save('schedule', withEndpoint(sampleGraph(), { method: 'GET' }));
    expect((await call('/version-test/api/1.1/wf/schedule', { body: { amount: 1 } })).status).toBe(405);
    expect((await call('/version-test/api/1.1/wf/schedule?amount=1', { method: 'GET' })).status).toBe(200);
    const proto = await call('/version-test/api/1.1/wf/schedule?amount=1&__proto__=1', { method: 'GET' });
    expect(proto.status).toBe(400);
  });

  it('the guard answers before the body is read; an anonymous "test" header records an api run', async () => {
    const api = server.caller(admin).settings;
    await api.updateApi({ ...(await api.api()), apiEnabled: false });
    try {
      const malformed = await fetch(`${server.url}/api/1.1/wf/open`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{bad' });
      expect(malformed.status).toBe(404);
      const plain = await fetch(`${server.url}/api/1.1/wf/open`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
      expect(plain.status).toBe(404);
    } finally {
      await api.updateApi({ ...(await api.api()), apiEnabled: true });
    }
    const unauthenticated = await fetch(`${server.url}/api/1.1/wf/guarded`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'sk_live_SECRET trailing' });
    expect(unauthenticated.status).toBe(401);
    // A malformed body is refused without quoting it.
    const quoted = await fetch(`${server.url}/api/1.1/wf/open`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'sk_live_SECRET trailing' });
    expect(quoted.status).toBe(400);
    expect(await quoted.text()).not.toContain('sk_live');

    const anonymousTest = await call('/version-test/api/1.1/wf/open', { body: { amount: 1 }, headers: { 'x-switchyard-trigger': 'test' } });
    expect((await server.caller(builder).run.byId({ id: anonymousTest.headers.get('x-switchyard-run-id')! })).trigger).toBe('api');
  });

  it('cancelling counts against the address rate limit', async () => {
    const api = server.caller(admin).settings;
    await api.updateApi({ ...(await api.api()), rateLimitPerAddress: 2 });
    try {
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await call('/version-test/api/1.1/scheduled/00000000-0000-7000-8000-000000000009', { method: 'DELETE' })).status);
      expect(statuses).toEqual([404, 404, 429]);
    } finally {
      await api.updateApi({ ...(await api.api()), rateLimitPerAddress: null });
    }
  });
});

describe('signed endpoints', () => {
  it('refuse unsigned, tampered and stale calls with 401 before any run; accept any configured secret; webhook-id is the key', async () => {
    const first = await server.caller(builder).secrets.create({ name: `old-${Date.now()}` });
    const second = await server.caller(builder).secrets.create({ name: `new-${Date.now()}` });
    const id = await save(
      'signed',
      withEndpoint(sampleGraph(), { signature: { scheme: 'standard_webhooks', secretIds: [first.secret.id, second.secret.id] } }),
    );
    const body = JSON.stringify({ amount: 3 });
    const post = (headers: Record<string, string>, text = body) =>
      fetch(`${server.url}/version-test/api/1.1/wf/signed`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: text });

    const unsigned = await post({});
    expect(unsigned.status).toBe(401);
    expect((await json(unsigned)).message).toMatch(/^Invalid webhook signature: .*webhook-/);
    const headers = sign('standard_webhooks', second.value, body, { now: new Date(), id: 'msg_1' });
    expect((await post(headers, body.replace('3', '4'))).status).toBe(401);
    const stale = sign('standard_webhooks', first.value, body, { now: new Date(Date.now() - 6 * 60_000), id: 'msg_0' });
    expect((await post(stale)).status).toBe(401);
    expect(await server.db.run.count({ where: { workflowId: id } })).toBe(0);

    // Either secret of a rotation works; a repeat delivery (same webhook-id) gets the first answer.
    const ok = await post(headers);
    expect(ok.status).toBe(200);
    const old = sign('standard_webhooks', first.value, body, { now: new Date(), id: 'msg_2' });
    expect((await post(old)).status).toBe(200);
    const again = await post(headers);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('x-switchyard-run-id')).toBe(ok.headers.get('x-switchyard-run-id'));
    expect(await server.db.run.count({ where: { workflowId: id } })).toBe(2);

    // The test panel asks the server to sign (the browser never sees the secret).
    const signedForTest = await server.caller(builder).workflow.signTest({ id, body });
    expect((await post(signedForTest.headers)).status).toBe(200);
  });

  it('a signature naming a secret that does not exist is refused on save, and nothing is saved', async () => {
    const id = await save('unsigned-yet', sampleGraph());
    const before = await server.caller(builder).workflow.byId({ id });
    await expect(
      server.caller(builder).workflow.save({ id, graph: withEndpoint(sampleGraph(), { signature: { scheme: 'github', secretIds: ['no_such_secret'] } }) }),
    ).rejects.toThrow(/signing secret that does not exist/);
    expect((await server.caller(builder).workflow.byId({ id })).revision).toBe(before.revision);
  });
});

describe('OpenAPI documents', () => {
  it('describe the exposed workflows of each environment, with their security; 404 while the API is off', async () => {
    const live = await fetch(`${server.url}/api/1.1/openapi.json`);
    expect(live.status).toBe(200);
    const doc = (await live.json()) as { openapi: string; servers: { url: string }[]; paths: Record<string, Record<string, { security?: unknown[] }>> };
    expect(doc.openapi).toMatch(/^3\.1/);
    expect(doc.servers[0]!.url).toBe(server.url);
    expect(doc.paths['/api/1.1/wf/guarded']?.post?.security).toBeTruthy();
    expect(doc.paths['/api/1.1/wf/open']?.post).toBeTruthy();
    const draft = (await (await fetch(`${server.url}/version-test/api/1.1/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(draft.paths)).toContain('/version-test/api/1.1/wf/guarded');
    expect(Object.keys(draft.paths)).not.toContain('/version-test/api/1.1/wf/hidden');

    const api = server.caller(admin).settings;
    await api.updateApi({ ...(await api.api()), apiEnabled: false });
    try {
      expect((await fetch(`${server.url}/api/1.1/openapi.json`)).status).toBe(404);
      expect((await fetch(`${server.url}/version-test/api/1.1/wf/open/initialize`, { method: 'POST' })).status).toBe(404);
    } finally {
      await api.updateApi({ ...(await api.api()), apiEnabled: true });
    }
  });
});

describe('OpenAPI documents and deleted workflows', () => {
  it('leave out a workflow hidden and then deleted while it is still live', async () => {
    const id = await save('hidden-then-deleted', sampleGraph());
    await server.caller(admin).release.deploy({ workflowIds: [id] });
    await save('hidden-then-deleted', withEndpoint(sampleGraph(), { exposed: false }));
    await server.caller(builder).workflow.delete({ id, takeOffLive: false });
    expect((await call('/api/1.1/wf/hidden-then-deleted', { body: { amount: 1 } })).status).toBe(404);
    const doc = (await (await fetch(`${server.url}/api/1.1/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).not.toContain('/api/1.1/wf/hidden-then-deleted');
  });
});

describe('the audit log', () => {
  it('records token, settings, secret and release changes with who made them', async () => {
    const actions = async () => new Set((await server.db.auditEvent.findMany({ select: { action: true, actorName: true } })).map((e) => `${e.action} by ${e.actorName}`));
    const { summary } = await server.caller(admin).token.create({ label: 'audited', workflowIds: null });
    await server.caller(admin).token.revoke({ id: summary.id });
    const api = server.caller(admin).settings;
    await api.updateApi({ ...(await api.api()), rateLimitPerToken: 1000 });
    await api.updateApi({ ...(await api.api()), rateLimitPerToken: null });
    const { secret } = await server.caller(builder).secrets.create({ name: `audited-${Date.now()}` });
    await server.caller(builder).secrets.rotate({ id: secret.id });
    await server.caller(admin).secrets.delete({ id: secret.id });
    await server.caller(admin).release.deploy();
    const seen = await actions();
    for (const expected of [
      `token.created by ${admin.email}`,
      `token.revoked by ${admin.email}`,
      `settings.changed by ${admin.email}`,
      `secret.created by ${builder.email}`,
      `secret.rotated by ${builder.email}`,
      `secret.deleted by ${admin.email}`,
      `release.deployed by ${admin.email}`,
    ]) {
      expect(seen.has(expected), expected).toBe(true);
    }
  });
});

describe('hostile callers, second review', () => {
  it('a signed endpoint takes nothing from the query string, and its scheduled runs are cancelled with a token only', async () => {
    const { secret, value } = await server.caller(builder).secrets.create({ name: `q-${Date.now()}` });
    const signedGraph = withEndpoint(sampleGraph(), { signature: { scheme: 'github', secretIds: [secret.id] } });
    // Reading a parameter from the query string of a signed endpoint is a compile error (saved, not run).
    const tampered = structuredClone(signedGraph);
    const event = tampered.nodes[0]!;
    if (event.type === 'apiEvent') event.data.parameters[1]!.fromQuery = true;
    const id = await save('signed-query', tampered);
    expect((await server.caller(builder).workflow.byId({ id })).diagnostics.some((d) => /query string of a signed endpoint/.test(d.message))).toBe(true);
    await save('signed-query', signedGraph);
    const body = JSON.stringify({ amount: 2 });
    const headers = { 'content-type': 'application/json', ...sign('github', value, body, { now: new Date() }) };
    const response = await fetch(`${server.url}/version-test/api/1.1/wf/signed-query?note=TAMPERED`, { method: 'POST', headers, body });
    expect(response.status).toBe(200);
    expect((await json(response)).response.message).toBe('Thanks, ');

    const { runId } = await server.caller(builder).scheduler.schedule({ environment: 'draft', workflowId: id, runAt: new Date(Date.now() + 3_600_000), parameters: { amount: 1 } });
    expect((await call(`/version-test/api/1.1/scheduled/${runId}`, { method: 'DELETE' })).status).toBe(401);
  });

  it("a signed Standard Webhooks delivery is keyed by its webhook-id: an added Idempotency-Key does not run it again", async () => {
    const { secret, value } = await server.caller(builder).secrets.create({ name: `sw-${Date.now()}` });
    const id = await save('signed-replay', withEndpoint(sampleGraph(), { signature: { scheme: 'standard_webhooks', secretIds: [secret.id] } }));
    const body = JSON.stringify({ amount: 2 });
    const headers = { 'content-type': 'application/json', ...sign('standard_webhooks', value, body, { now: new Date(), id: 'msg_replayed' }) };
    const post = (extra: Record<string, string> = {}) => fetch(`${server.url}/version-test/api/1.1/wf/signed-replay`, { method: 'POST', headers: { ...headers, ...extra }, body });
    expect((await post()).status).toBe(200);
    const again = await post({ 'idempotency-key': 'x1' });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await server.db.run.count({ where: { workflowId: id } })).toBe(1);
  });

  it('restoring a release does not reopen a workflow that was locked down and deleted', async () => {
    const id = await save('lock-restore', sampleGraph());
    const { number } = await server.caller(admin).release.deploy({ workflowIds: [id] });
    await save('lock-restore', withEndpoint(sampleGraph(), { auth: 'admin_token' }));
    await server.caller(builder).workflow.delete({ id, takeOffLive: true });
    expect((await call('/api/1.1/wf/lock-restore', { body: { amount: 1 } })).status).toBe(404);
    await server.caller(admin).release.restore({ number });
    expect((await call('/api/1.1/wf/lock-restore', { body: { amount: 1 } })).status).toBe(401);
  });

  it("Detect data takes a sample only with the endpoint's credentials, and never for a workflow that is not exposed", async () => {
    const hidden = await save('detect-hidden', withEndpoint(sampleGraph(), { exposed: false }));
    const guardedId = await save('detect-guarded', withEndpoint(sampleGraph(), { auth: 'admin_token' }));
    await server.caller(builder).workflow.detect.start({ workflowId: hidden, includeHeaders: false });
    await server.caller(builder).workflow.detect.start({ workflowId: guardedId, includeHeaders: false });
    expect((await call('/version-test/api/1.1/wf/detect-hidden/initialize', { body: { injected: true } })).status).toBe(404);
    expect((await call('/version-test/api/1.1/wf/detect-guarded/initialize', { body: { injected: true } })).status).toBe(401);
    const { token } = await server.caller(admin).token.create({ label: 'sampler', workflowIds: null });
    expect((await call('/version-test/api/1.1/wf/detect-guarded/initialize', { body: { real: 1 }, headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  });
});
