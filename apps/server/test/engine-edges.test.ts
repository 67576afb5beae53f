import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { isOwnerGone, newOwnerId } from '../src/runner/identity.ts';
import { type TestServer, builder, eventually, graphWith, saveWorkflow, startTestServer } from './helpers.ts';

// Response bodies are checked field by field below, so `any` is the honest type here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = (response: Response): Promise<any> => response.json();
const post = (server: TestServer, path: string, body: unknown = {}) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

const waiting = (seconds: string, settings = {}) =>
  graphWith(
    [
      { id: 'pause', action: { type: 'wait', seconds } },
      { id: 'ret', action: { type: 'returnData', entries: [{ id: 'e', key: 'ok', value: '{{true}}' }] } },
    ],
    { settings },
  );

let server: TestServer | null = null;
afterEach(async () => {
  await server?.stop();
  server = null;
});

describe('the synchronous wait limit', () => {
  it('answers a run that ends just as the wait limit passes with its result or 202, and records it once', async () => {
    server = await startTestServer({ SYNC_WAIT_SECONDS: '0.2' });
    await saveWorkflow(server, 'edge', waiting('0.2'));
    const responses = await Promise.all(Array.from({ length: 12 }, () => post(server!, '/version-test/api/1.1/wf/edge')));
    for (const response of responses) expect([200, 202]).toContain(response.status);
    const ids = responses.map((r) => r.headers.get('x-switchyard-run-id'));
    expect(new Set(ids).size).toBe(12);
    await eventually(async () => ((await server!.db.run.count({ where: { status: 'succeeded' } })) === 12 ? true : undefined));
    expect(await server.db.runAttempt.count()).toBe(12);
  });
});

describe('a database that stays locked', () => {
  it('answers 503 once the wait limit passes, and writes nothing (a retry cannot make a duplicate)', async () => {
    server = await startTestServer({ SYNC_WAIT_SECONDS: '0.3' });
    await saveWorkflow(server, 'quick', waiting('0'));
    const other = new Database(path.join(server.dataDir, 'switchyard.db'));
    other.exec('BEGIN EXCLUSIVE');
    const refused = await post(server, '/version-test/api/1.1/wf/quick');
    expect(refused.status).toBe(503);
    expect(await json(refused)).toEqual({
      status: 'error',
      message: 'The database is busy: the run could not be recorded and has had no effect. Try again.',
    });
    other.exec('ROLLBACK');
    other.close();
    const accepted = await post(server, '/version-test/api/1.1/wf/quick');
    expect(accepted.status).toBe(200);
    await server.engineDb.commits.drain();
    expect(await server.db.run.count()).toBe(1);
  });
});

describe('a final write that fails', () => {
  it('records the run as failed with a second write, so it is never left running, and /healthz recovers', async () => {
    server = await startTestServer({ SYNC_WAIT_SECONDS: '0.1' });
    await saveWorkflow(server, 'fragile', waiting('0.3'));
    // A real database refusal, once: a trigger that aborts the first write marking a run succeeded.
    const other = new Database(path.join(server.dataDir, 'switchyard.db'));
    other.exec(`CREATE TABLE fail_once (n INTEGER);
      INSERT INTO fail_once VALUES (1);
      CREATE TRIGGER refuse_success BEFORE UPDATE OF status ON Run WHEN NEW.status = 'succeeded' AND (SELECT COUNT(*) FROM fail_once) > 0
      BEGIN SELECT RAISE(ABORT, 'injected failure'); END;
      CREATE TRIGGER once AFTER UPDATE OF status ON Run WHEN NEW.status = 'failed' BEGIN DELETE FROM fail_once; END;`);
    other.close();
    const accepted = await post(server, '/version-test/api/1.1/wf/fragile');
    expect(accepted.status).toBe(202);
    const runId = (await json(accepted)).response.run_id;
    const run = await eventually(async () => {
      const r = await server!.caller(builder).run.byId({ id: runId });
      return r.status === 'running' ? undefined : r;
    });
    expect(run).toMatchObject({ status: 'failed', error: 'The result of this run could not be recorded (the details are in the server log)' });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});

describe('concurrency limits', () => {
  it('runs a limited workflow one at a time in order, without holding up other workflows', async () => {
    server = await startTestServer();
    await saveWorkflow(server, 'one-at-a-time', waiting('0.15', { mode: 'async', concurrency: 1 }));
    await saveWorkflow(server, 'free', waiting('0', { mode: 'async' }));
    const limited: string[] = [];
    for (let i = 0; i < 4; i++) limited.push((await json(await post(server, '/version-test/api/1.1/wf/one-at-a-time'))).response.run_id);
    const freeId = (await json(await post(server, '/version-test/api/1.1/wf/free'))).response.run_id;
    const free = await eventually(async () => {
      const r = await server!.db.run.findUniqueOrThrow({ where: { id: freeId } });
      return r.status === 'succeeded' ? r : undefined;
    });
    const runs = await eventually(async () => {
      const rows = await server!.db.run.findMany({ where: { id: { in: limited } }, orderBy: { id: 'asc' } });
      return rows.every((r) => r.status === 'succeeded') ? rows : undefined;
    });
    // In order, and never two at once.
    for (let i = 1; i < runs.length; i++) expect(runs[i]!.startedAt!.getTime()).toBeGreaterThanOrEqual(runs[i - 1]!.finishedAt!.getTime());
    // The other workflow did not wait for the limited one's queue.
    expect(free.finishedAt!.getTime()).toBeLessThan(runs.at(-1)!.startedAt!.getTime());
  });

  it('sends synchronous calls of a limited workflow through the queue, so the limit holds for them too', async () => {
    server = await startTestServer();
    await saveWorkflow(server, 'limited-sync', waiting('0.1', { concurrency: 1 }));
    const responses = await Promise.all(Array.from({ length: 3 }, () => post(server!, '/version-test/api/1.1/wf/limited-sync')));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    const runs = await server.db.run.findMany({ orderBy: { startedAt: 'asc' } });
    for (let i = 1; i < runs.length; i++) expect(runs[i]!.startedAt!.getTime()).toBeGreaterThanOrEqual(runs[i - 1]!.finishedAt!.getTime());
  });
});

describe('shutdown with callers waiting for queued runs', () => {
  it('answers them 202 at once (their runs are durable and run after a restart)', async () => {
    server = await startTestServer({ RUNNER_CAPACITY: '1' });
    await saveWorkflow(server, 'busy', waiting('0.3'));
    const calls = Array.from({ length: 3 }, () => post(server!, '/version-test/api/1.1/wf/busy'));
    await eventually(async () => ((await server!.db.run.count({ where: { status: 'queued' } })) === 2 ? true : undefined));
    const closing = server.close();
    const statuses = (await Promise.all(calls)).map((r) => r.status).sort();
    expect(statuses).toEqual([200, 202, 202]);
    await closing;
    const dataDir = server.dataDir;
    const again = await startTestServer({ DATA_DIR: dataDir });
    try {
      await eventually(async () => ((await again.db.run.count({ where: { status: 'succeeded' } })) === 3 ? true : undefined));
    } finally {
      await again.close();
    }
  });
});

describe('bodies', () => {
  it('takes a JSON body that starts with a byte-order mark, also for runs that go through the queue', async () => {
    server = await startTestServer();
    await saveWorkflow(server, 'bom', waiting('0', { mode: 'async' }));
    const response = await fetch(`${server.url}/version-test/api/1.1/wf/bom`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '\ufeff{"name":"Ada"}',
    });
    expect(response.status).toBe(202);
    const runId = (await json(response)).response.run_id;
    const run = await eventually(async () => {
      const r = await server!.caller(builder).run.byId({ id: runId });
      return r.status === 'queued' || r.status === 'running' ? undefined : r;
    });
    expect(run).toMatchObject({ status: 'succeeded', input: '{"name":"Ada"}' });
  });

  it('counts refused bodies sent to names no workflow has in one bucket, not a row per name', async () => {
    server = await startTestServer();
    for (const name of ['made-up-1', 'made-up-2', 'made-up-3']) {
      const response = await fetch(`${server.url}/api/1.1/wf/${name}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":' });
      expect(response.status).toBe(400);
    }
    const rows = await eventually(async () => {
      const found = await server!.caller(builder).run.refused({ workflowName: '(unknown workflow)' });
      return found.reduce((sum, r) => sum + r.count, 0) >= 3 ? found : undefined;
    });
    expect(rows).toEqual([expect.objectContaining({ reason: 'malformed_body', count: 3 })]);
    expect(await server.db.refusedCall.count({ where: { workflowName: { startsWith: 'made-up' } } })).toBe(0);
  });
});

describe('lease owners', () => {
  it('calls an owner gone only when its pid namespace is ours and its process is not alive', () => {
    const self = newOwnerId();
    const [host, namespace] = self.split(':');
    expect(isOwnerGone(self, self)).toBe(false);
    // An earlier process in our slot: same pid, another nonce (a restart in a container).
    expect(isOwnerGone(`${host}:${namespace}:${process.pid}:00000000`, self)).toBe(namespace !== '');
    // A live process of ours (the parent of this test) is not gone.
    expect(isOwnerGone(`${host}:${namespace}:${process.ppid}:00000000`, self)).toBe(false);
    // Another pid namespace (another container) or host: never judged by pid.
    expect(isOwnerGone(`${host}:999999999:${process.pid}:00000000`, self)).toBe(false);
    expect(isOwnerGone(`elsewhere:${namespace}:1:00000000`, self)).toBe(false);
  });
});
