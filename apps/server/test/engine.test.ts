import path from 'node:path';
import type { WorkflowSettings } from '@switchyard/workflow';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, builder, eventually, graphWith, saveWorkflow, startTestServer, builderCookie } from './helpers.ts';

// Response bodies are checked field by field below, so `any` is the honest type here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = (response: Response): Promise<any> => response.json();

const call = (server: TestServer, path: string, body: unknown = {}, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

const greetGraph = (settings: Partial<WorkflowSettings> = {}) =>
  graphWith(
    [
      { id: 'log', action: { type: 'log', message: 'Hello {{name}}' } },
      { id: 'ret', action: { type: 'returnData', entries: [{ id: 'e1', key: 'greeting', value: '{{steps.log_a_value.message}}' }] } },
    ],
    { settings },
  );
const greet = greetGraph();

describe('the run engine', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  it('answers a respond-at-once workflow with 202 and the run id, then runs it from the queue', async () => {
    await saveWorkflow(server, 'later', greetGraph({ mode: 'async' }));
    const response = await call(server, '/version-test/api/1.1/wf/later', { name: 'Ada' });
    expect(response.status).toBe(202);
    const body = await json(response);
    expect(body).toEqual({ status: 'accepted', response: { run_id: expect.stringMatching(/^[0-9a-f-]{36}$/) } });
    expect(response.headers.get('x-switchyard-run-id')).toBe(body.response.run_id);
    const run = await eventually(async () => {
      const r = await server.caller(builder).run.byId({ id: body.response.run_id });
      return r.status === 'succeeded' ? r : undefined;
    });
    expect(run).toMatchObject({ mode: 'async', attempts: 1, trigger: 'api', recovered: false });
    expect(JSON.parse(run.output!)).toEqual({ greeting: 'Hello Ada' });
    expect(run.attemptList).toEqual([expect.objectContaining({ number: 1, reason: 'first', status: 'succeeded' })]);
    expect(run.startedAt!.getTime()).toBeGreaterThanOrEqual(run.createdAt.getTime());
    // The console gets no lease or runner internals.
    expect(Object.keys(run)).not.toEqual(expect.arrayContaining(['leaseOwner']));
    expect(JSON.stringify(run)).not.toMatch(/leaseOwner|leaseExpiresAt|attemptRows|runner|nextAttemptReason/);
  });

  it('records a run whose event condition is false as skipped, and answers 400 saying so', async () => {
    await saveWorkflow(server, 'only-vips', graphWith([{ id: 'ret', action: { type: 'returnData', entries: [] } }], { onlyWhen: 'name == "vip"' }));
    const refused = await call(server, '/version-test/api/1.1/wf/only-vips', { name: 'someone' });
    expect(refused.status).toBe(400);
    const body = await json(refused);
    expect(body).toEqual({ status: 'error', message: 'The workflow\'s "Only when" condition was not met', run_id: expect.any(String) });
    const run = await server.caller(builder).run.byId({ id: body.run_id });
    expect(run).toMatchObject({ status: 'skipped', steps: [] });

    const allowed = await call(server, '/version-test/api/1.1/wf/only-vips', { name: 'vip' });
    expect(allowed.status).toBe(200);
  });

  it('pages through runs newest first without gaps or repeats, and filters them', async () => {
    await saveWorkflow(server, 'many', greet);
    // A third are test runs from the editor's test panel (a builder's session and its header).
    const cookie = await builderCookie(server);
    const ids: string[] = [];
    for (let i = 0; i < 120; i++) {
      const response = await call(server, '/version-test/api/1.1/wf/many', { name: `n${i}` }, i % 3 === 0 ? { 'x-switchyard-trigger': 'test', cookie } : {});
      ids.push(response.headers.get('x-switchyard-run-id')!);
    }
    const caller = server.caller(builder);
    const workflowId = (await caller.workflow.list()).find((w) => w.name === 'many')!.id;
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const result = await caller.run.list({ workflowId, limit: 50, ...(cursor && { cursor }) });
      seen.push(...result.items.map((r) => r.id));
      if (!result.nextCursor) break;
      cursor = result.nextCursor;
    }
    expect(seen).toEqual([...ids].reverse());

    const tests = await caller.run.list({ workflowId, trigger: 'test', limit: 200 });
    expect(tests.items).toHaveLength(40);
    expect(tests.items.every((r) => r.trigger === 'test')).toBe(true);
    expect((await caller.run.list({ workflowId, status: ['failed'] })).items).toEqual([]);
    expect((await caller.run.list({ workflowId, environment: 'live' })).items).toEqual([]);
    const middle = await caller.run.byId({ id: ids[60]! });
    const since = await caller.run.list({ workflowId, since: middle.createdAt, limit: 200 });
    expect(since.items.at(-1)!.createdAt.getTime()).toBeGreaterThanOrEqual(middle.createdAt.getTime());
    expect(since.items.map((r) => r.id)).toContain(ids[119]);
  });

  it('runs releases made before definitions named parameters by id (version 1), unchanged', async () => {
    const workflow = await server.db.workflow.create({ data: { id: 'wf_v1', name: 'legacy', label: '', graph: JSON.stringify(greet) } });
    const v1Definition = {
      schemaVersion: 1,
      name: 'legacy',
      trigger: { type: 'api', parameters: [{ key: 'amount', type: 'number', optional: false }] },
      steps: [
        { id: 'log', type: 'log', label: 'Log a value', message: { parts: [{ text: 'Charging ' }, { expr: { kind: 'param', key: 'amount' } }] } },
        {
          id: 'ret',
          type: 'returnData',
          label: 'Return data from API',
          onlyWhen: { kind: 'binary', op: '>', left: { kind: 'param', key: 'amount' }, right: { kind: 'literal', value: 0 } },
          entries: [{ key: 'doubled', value: { parts: [{ expr: { kind: 'binary', op: '*', left: { kind: 'param', key: 'amount' }, right: { kind: 'literal', value: 2 } } }] } }],
        },
      ],
    };
    const latest = await server.db.release.findFirst({ orderBy: { number: 'desc' } });
    await server.db.release.create({
      data: {
        id: 'rel_v1',
        number: (latest?.number ?? 0) + 1,
        createdBy: 'before version 2',
        workflows: { create: [{ workflowId: workflow.id, name: 'legacy', definition: JSON.stringify(v1Definition) }] },
      },
    });
    const response = await call(server, '/api/1.1/wf/legacy', { amount: 21 });
    expect(await json(response)).toEqual({ status: 'success', response: { doubled: 42 } });
    const skipped = await call(server, '/api/1.1/wf/legacy', { amount: -1 });
    expect(await json(skipped)).toEqual({ status: 'success', response: {} });
    const run = await server.caller(builder).run.byId({ id: response.headers.get('x-switchyard-run-id')! });
    expect(run.steps.map((s) => [s.stepId, s.status, s.logs])).toEqual([
      ['log', 'succeeded', ['Charging 21']],
      ['ret', 'succeeded', []],
    ]);
  });
});

describe('health and shutdown', () => {
  it('answers 503 on /healthz while the database cannot be written, and 200 again after', async () => {
    const server = await startTestServer();
    try {
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      // Another process holding the write lock (a stuck CLI, a backup tool) makes writes impossible.
      const other = new Database(path.join(server.dataDir, 'switchyard.db'));
      other.exec('BEGIN EXCLUSIVE');
      const blocked = await fetch(`${server.url}/healthz`);
      expect(blocked.status).toBe(503);
      expect(await json(blocked)).toEqual({ status: 'unavailable', message: 'The database cannot be written' });
      other.exec('ROLLBACK');
      other.close();
      await eventually(async () => ((await fetch(`${server.url}/healthz`)).status === 200 ? true : undefined));
    } finally {
      await server.stop();
    }
  });

  it('answers a call whose commit is held up by the database before it stops, and refuses new calls meanwhile', async () => {
    const server = await startTestServer();
    await saveWorkflow(server, 'greet', greet);
    const other = new Database(path.join(server.dataDir, 'switchyard.db'));
    other.exec('BEGIN EXCLUSIVE');
    // The run executes at once but cannot be committed while the lock is held.
    const inFlight = call(server, '/version-test/api/1.1/wf/greet', { name: 'Ada' });
    await eventually(() => (server.engineDb.commits.pending > 0 ? true : undefined));
    let stopped = false;
    const stopping = server.close().then(() => {
      stopped = true;
    });
    await eventually(() => (server.engine.isReady ? undefined : true));
    // Nothing can finish while the lock is held: the stop must still be waiting for the run.
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    other.exec('ROLLBACK');
    const response = await inFlight;
    expect(response.status).toBe(200);
    await stopping;
    const runId = response.headers.get('x-switchyard-run-id')!;
    expect(other.prepare('SELECT status FROM Run WHERE id = ?').get(runId)).toEqual({ status: 'succeeded' });
    other.close();
    await server.stop();
  });
});

describe('shutdown', () => {
  it('waits for a run in the middle of a step to end and be recorded before it stops', async () => {
    const server = await startTestServer();
    await saveWorkflow(
      server,
      'busy',
      graphWith(
        [
          { id: 'pause', action: { type: 'wait', seconds: '0.3' } },
          { id: 'ret', action: { type: 'returnData', entries: [{ id: 'e', key: 'ok', value: '{{true}}' }] } },
        ],
        { settings: { mode: 'async' } },
      ),
    );
    const accepted = await call(server, '/version-test/api/1.1/wf/busy');
    const runId = (await json(accepted)).response.run_id as string;
    await eventually(async () => ((await server.db.run.findUniqueOrThrow({ where: { id: runId } })).status === 'running' ? true : undefined));
    await server.close();
    const file = new Database(path.join(server.dataDir, 'switchyard.db'), { readonly: true });
    expect(file.prepare('SELECT status, output FROM Run WHERE id = ?').get(runId)).toEqual({ status: 'succeeded', output: '{"ok":true}' });
    file.close();
    await server.stop();
  });
});

describe('retention', () => {
  it('deletes runs and their steps once they are older than their environment keeps them', async () => {
    let now = new Date('2026-03-01T10:00:00Z');
    const server = await startTestServer({ RETENTION_DAYS_DRAFT: '14', RETENTION_DAYS_LIVE: '30', RETENTION_SWEEP_SECONDS: '1' }, { clock: () => now });
    try {
      await saveWorkflow(server, 'greet', greet);
      const old = await call(server, '/version-test/api/1.1/wf/greet', { name: 'old' });
      const oldId = old.headers.get('x-switchyard-run-id')!;
      const detail = await server.caller(builder).run.byId({ id: oldId });
      expect(detail.deletesAt).toEqual(new Date('2026-03-15T10:00:00Z'));

      now = new Date('2026-03-16T10:00:00Z');
      const fresh = await call(server, '/version-test/api/1.1/wf/greet', { name: 'new' });
      const freshId = fresh.headers.get('x-switchyard-run-id')!;
      await eventually(async () => ((await server.db.run.count({ where: { id: oldId } })) === 0 ? true : undefined), 100);
      expect(await server.db.runStep.count({ where: { runId: oldId } })).toBe(0);
      expect(await server.db.runAttempt.count({ where: { runId: oldId } })).toBe(0);
      expect(await server.db.run.count({ where: { id: freshId } })).toBe(1);
    } finally {
      await server.stop();
    }
  });
});

describe('retention of scheduled runs', () => {
  it('counts from when a run ended: a run scheduled further ahead than the retention keeps its record after it runs', async () => {
    let now = new Date('2026-03-01T10:00:00Z');
    const server = await startTestServer({ RETENTION_DAYS_DRAFT: '14', RETENTION_SWEEP_SECONDS: '1' }, { clock: () => now });
    try {
      await saveWorkflow(server, 'greet', greet);
      const oldId = (await call(server, '/version-test/api/1.1/wf/greet', { name: 'old' })).headers.get('x-switchyard-run-id')!;
      const later = await json(await call(server, '/version-test/api/1.1/wf/greet/schedule', { scheduled_date: '2026-03-31T10:00:00Z', parameters: { name: 'later' } }));
      now = new Date('2026-03-31T10:00:01Z');
      const ran = await eventually(async () => {
        const run = await server.caller(builder).run.byId({ id: later.response.run_id });
        return run.status === 'succeeded' ? run : undefined;
      });
      expect(ran.deletesAt).toEqual(new Date(ran.finishedAt!.getTime() + 14 * 86_400_000));
      // The sweep has run once the old run is gone; the scheduled one, created 30 days ago, stays.
      await eventually(async () => ((await server.db.run.count({ where: { id: oldId } })) === 0 ? true : undefined), 100);
      expect(await server.db.run.count({ where: { id: later.response.run_id } })).toBe(1);
    } finally {
      await server.stop();
    }
  });
});

describe('retention of scheduling records', () => {
  it('deletes ended batches with their lists, and recurring-job history, past their environment retention; running batches stay', async () => {
    let now = new Date('2026-03-01T10:00:00Z');
    const server = await startTestServer({ RETENTION_DAYS_DRAFT: '14', RETENTION_DAYS_LIVE: '30', RETENTION_SWEEP_SECONDS: '1' }, { clock: () => now });
    try {
      const batch = (id: string, environment: string, status: string) => ({
        id,
        environment,
        workflowId: 'w',
        workflowName: 'w',
        maxAttempts: 1,
        scheduledBy: 'api',
        itemKey: 'n',
        baseInput: '{}',
        total: 1,
        startAt: now,
        intervalMs: 0,
        ordered: false,
        status,
        createdAt: now,
        finishedAt: status === 'running' ? null : now,
        list: { create: { items: '[1]' } },
      });
      await server.db.batch.create({ data: batch('b-draft-done', 'draft', 'finished') });
      await server.db.batch.create({ data: batch('b-live-done', 'live', 'cancelled') });
      await server.db.batch.create({ data: batch('b-draft-running', 'draft', 'running') });
      await server.db.recurringEvent.create({ data: { id: 'e1', workflowId: 'w', environment: 'draft', at: now, kind: 'enabled', message: 'on' } });

      now = new Date('2026-03-16T10:00:00Z');
      await eventually(async () => ((await server.db.batch.count({ where: { id: 'b-draft-done' } })) === 0 ? true : undefined), 100);
      expect(await server.db.batchList.count({ where: { batchId: 'b-draft-done' } })).toBe(0);
      expect(await server.db.recurringEvent.count()).toBe(0);
      expect((await server.db.batch.findMany({ select: { id: true }, orderBy: { id: 'asc' } })).map((b) => b.id)).toEqual(['b-draft-running', 'b-live-done']);
    } finally {
      await server.stop();
    }
  });
});

describe('time limits', () => {
  it('fails a run that outlasts its time limit, and its step says it timed out', async () => {
    const server = await startTestServer();
    try {
      await saveWorkflow(
        server,
        'slow',
        graphWith([{ id: 'pause', action: { type: 'wait', seconds: '30' } }, { id: 'ret', action: { type: 'returnData', entries: [] } }], {
          settings: { timeoutSeconds: 1 },
        }),
      );
      const response = await call(server, '/version-test/api/1.1/wf/slow');
      expect(response.status).toBe(500);
      const body = await json(response);
      expect(body.message).toBe('Step 1 "Wait" failed: Timed out: the run took longer than its time limit');
      const run = await server.caller(builder).run.byId({ id: body.run_id });
      expect(run).toMatchObject({ status: 'failed', attempts: 1 });
      expect(run.steps).toEqual([expect.objectContaining({ stepId: 'pause', status: 'failed', error: 'Timed out: the run took longer than its time limit' })]);
    } finally {
      await server.stop();
    }
  });

  it('answers 202 when a run outlasts the synchronous wait limit, once the run is durable, and the run goes on', async () => {
    const server = await startTestServer({ SYNC_WAIT_SECONDS: '0.2' });
    try {
      await saveWorkflow(
        server,
        'patient',
        graphWith([
          { id: 'log', action: { type: 'log', message: 'before {{name}}' } },
          { id: 'pause', action: { type: 'wait', seconds: '1' } },
          { id: 'ret', action: { type: 'returnData', entries: [{ id: 'e', key: 'said', value: '{{steps.log_a_value.message}}' }] } },
        ]),
      );
      const response = await call(server, '/version-test/api/1.1/wf/patient', { name: 'Ada' });
      expect(response.status).toBe(202);
      const runId = (await json(response)).response.run_id;
      // Already in the database, with the step done so far, before the caller was answered.
      const stored = await server.db.run.findUniqueOrThrow({ where: { id: runId }, include: { steps: true } });
      expect(stored).toMatchObject({ status: 'running', leaseOwner: server.engine.owner, mode: 'sync' });
      expect(stored.steps.map((s) => [s.stepId, s.status])).toEqual([['log', 'succeeded']]);
      const done = await eventually(async () => {
        const run = await server.caller(builder).run.byId({ id: runId });
        return run.status === 'succeeded' ? run : undefined;
      });
      expect(JSON.parse(done.output!)).toEqual({ said: 'before Ada' });
      expect(done.steps.map((s) => [s.stepId, s.status])).toEqual([
        ['log', 'succeeded'],
        ['pause', 'succeeded'],
        ['ret', 'succeeded'],
      ]);
    } finally {
      await server.stop();
    }
  });
});
