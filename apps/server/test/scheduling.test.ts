import type { WorkflowGraph } from '@switchyard/workflow';
import Database from 'better-sqlite3';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, admin, builder, eventually, graphWith, saveWorkflow, startTestServer, viewer } from './helpers.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = (response: Response): Promise<any> => response.json();

const post = (server: TestServer, url: string, body: unknown) =>
  fetch(`${server.url}${url}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const del = (server: TestServer, url: string) => fetch(`${server.url}${url}`, { method: 'DELETE' });

const T0 = new Date('2026-12-01T09:00:00.000Z');

/** Says hello to `name` and returns the greeting. */
const greet = (message = 'Hello {{name}}') =>
  graphWith([
    { id: 'log', action: { type: 'log', message } },
    { id: 'ret', action: { type: 'returnData', entries: [{ id: 'e1', key: 'greeting', value: '{{steps.log_a_value.message}}' }] } },
  ]);

describe('scheduling', () => {
  let server: TestServer;
  let now = T0;
  const runs = () => new Database(path.join(server.dataDir, 'switchyard.db'), { readonly: true });
  const runCount = () => {
    const db = runs();
    try {
      return (db.prepare('SELECT COUNT(*) AS n FROM Run').get() as { n: number }).n;
    } finally {
      db.close();
    }
  };
  const runById = (id: string) => server.caller(builder).run.byId({ id });
  const finished = (id: string) =>
    eventually(async () => {
      const run = await runById(id);
      return run.status === 'queued' || run.status === 'running' ? undefined : run;
    });

  beforeAll(async () => {
    server = await startTestServer({}, { clock: () => now });
  });
  afterAll(() => server.stop());

  it('schedules a run over HTTP for later; it starts once its date has come, not before', async () => {
    const workflowId = await saveWorkflow(server, 'greet', greet());
    const at = new Date(T0.getTime() + 7 * 86_400_000);
    const response = await post(server, '/version-test/api/1.1/wf/greet/schedule', { scheduled_date: at.toISOString(), parameters: { name: 'Ada' } });
    expect(response.status).toBe(200);
    const body = await json(response);
    expect(body).toEqual({ status: 'success', response: { run_id: expect.stringMatching(/^[0-9a-f-]{36}$/) } });
    const runId = body.response.run_id as string;

    // A run due now, made after it, runs first: the claim loop has looked at the queue since.
    const nowRun = await json(await post(server, '/version-test/api/1.1/wf/greet/schedule', { scheduled_date: T0.getTime(), parameters: { name: 'Bo' } }));
    expect((await finished(nowRun.response.run_id)).status).toBe('succeeded');
    const pending = await runById(runId);
    expect(pending).toMatchObject({ status: 'queued', trigger: 'schedule', mode: 'async', environment: 'draft', attempts: 0 });
    expect(pending.runAt).toEqual(at);
    const list = await server.caller(viewer).scheduler.pending({ environment: 'draft' });
    expect(list.runs).toEqual([expect.objectContaining({ id: runId, workflowId, scheduledBy: 'api', runAt: at, chainDepth: 0, parameters: '{"name":"Ada"}' })]);

    now = new Date(at.getTime() + 1);
    const run = await finished(runId);
    expect(run.status).toBe('succeeded');
    expect(JSON.parse(run.output!)).toEqual({ greeting: 'Hello Ada' });
    expect(run.startedAt!.getTime()).toBeGreaterThanOrEqual(at.getTime());
  });

  it('refuses bad scheduling calls with a 400 or 404 that says what is wrong, and records nothing', async () => {
    await saveWorkflow(server, 'needs-amount', graphWith([{ id: 'log', action: { type: 'log', message: '{{amount}}' } }], {
      parameters: [{ id: 'p_amount', key: 'amount', type: 'number', list: false, optional: false }],
    }));
    const before = runCount();
    const cases: [string, unknown, number, RegExp][] = [
      ['/version-test/api/1.1/wf/needs-amount/schedule', { parameters: { amount: 1 } }, 400, /"scheduled_date" is required/],
      ['/version-test/api/1.1/wf/needs-amount/schedule', { scheduled_date: '2026-02-31', parameters: { amount: 1 } }, 400, /not a date/],
      ['/version-test/api/1.1/wf/needs-amount/schedule', { scheduled_date: 'tomorrow', parameters: { amount: 1 } }, 400, /not a date/],
      // Year 10000 and later would sort before every date as text, and run at once.
      ['/version-test/api/1.1/wf/needs-amount/schedule', { scheduled_date: 253402300800000, parameters: { amount: 1 } }, 400, /after 9999-12-31T23:59:59.999Z/],
      ['/version-test/api/1.1/wf/needs-amount/schedule', { scheduled_date: 8.64e15, parameters: { amount: 1 } }, 400, /latest date a run may be due/],
      ['/version-test/api/1.1/wf/needs-amount/schedule', { scheduled_date: T0.toISOString(), parameters: { amount: 'one' } }, 400, /amount/],
      ['/version-test/api/1.1/wf/needs-amount/schedule', { scheduled_date: T0.toISOString(), parameters: {} }, 400, /amount/],
      ['/version-test/api/1.1/wf/needs-amount/schedule', { scheduled_date: T0.toISOString(), params: {} }, 400, /Unknown key "params"/],
      ['/version-test/api/1.1/wf/needs-amount/schedule', { scheduled_date: T0.toISOString(), parameters: [1] }, 400, /"parameters" must be a JSON object/],
      ['/version-test/api/1.1/wf/needs-amount/schedule', [], 400, /must be a JSON object/],
      ['/version-test/api/1.1/wf/nobody/schedule', { scheduled_date: T0.toISOString() }, 404, /No workflow called "nobody"/],
      ['/api/1.1/wf/needs-amount/schedule', { scheduled_date: T0.toISOString(), parameters: { amount: 1 } }, 404, /not deployed/],
    ];
    const form = await fetch(`${server.url}/version-test/api/1.1/wf/needs-amount/schedule`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'scheduled_date=1796115600000&amount=1',
    });
    expect(form.status).toBe(415);
    expect((await json(form)).message).toMatch(/JSON body/);
    for (const [url, body, status, message] of cases) {
      const response = await post(server, url, body);
      expect(response.status, JSON.stringify(body)).toBe(status);
      expect((await json(response)).message).toMatch(message);
    }
    expect(runCount()).toBe(before);
  });

  it('cancels a pending run over HTTP: 200, then 409 once it has ended, 404 when unknown or in the other environment', async () => {
    const at = new Date(now.getTime() + 3_600_000);
    const { response } = await json(await post(server, '/version-test/api/1.1/wf/greet/schedule', { scheduled_date: at.toISOString(), parameters: { name: 'Cy' } }));
    expect((await del(server, `/api/1.1/scheduled/${response.run_id}`)).status).toBe(404);
    const cancelled = await del(server, `/version-test/api/1.1/scheduled/${response.run_id}`);
    expect(cancelled.status).toBe(200);
    expect(await json(cancelled)).toEqual({ status: 'success', response: { run_id: response.run_id } });
    expect(await runById(response.run_id)).toMatchObject({ status: 'cancelled', error: 'Cancelled by api' });
    const again = await del(server, `/version-test/api/1.1/scheduled/${response.run_id}`);
    expect(again.status).toBe(409);
    expect((await json(again)).message).toMatch(/already ended/);
    expect((await del(server, '/version-test/api/1.1/scheduled/0190a6c0-0000-7000-8000-000000000000')).status).toBe(404);
    expect((await del(server, '/version-test/api/1.1/scheduled/not-an-id')).status).toBe(404);
  });

  it('a step schedules another workflow: its result is the run id; the run is one deeper in the chain and pinned to the draft of then', async () => {
    const targetId = await saveWorkflow(server, 'remind', greet('Reminder for {{name}}'));
    const scheduler = graphWith([
      {
        id: 'sched',
        title: 'Schedule reminder',
        action: { type: 'scheduleWorkflow', workflowId: targetId, parameters: { p_name: 'name' }, scheduledDate: 'addDays(now, 7)' },
      },
      { id: 'ret', action: { type: 'returnData', entries: [{ id: 'e1', key: 'reminder', value: '{{steps.schedule_reminder}}' }] } },
    ]);
    await saveWorkflow(server, 'order-placed', scheduler);
    const call = await post(server, '/version-test/api/1.1/wf/order-placed', { name: 'Dee' });
    expect(call.status).toBe(200);
    const { response } = await json(call);
    const child = await runById(response.reminder);
    expect(child).toMatchObject({ status: 'queued', workflowId: targetId, trigger: 'schedule', chainDepth: 1 });
    expect(child.runAt).toEqual(new Date(now.getTime() + 7 * 86_400_000));
    expect(child.parentRunId).toMatch(/^[0-9a-f-]{36}$/);
    const pendingRow = (await server.caller(viewer).scheduler.pending({ environment: 'draft', workflowId: targetId })).runs[0]!;
    expect(pendingRow).toMatchObject({ scheduledBy: `run:${child.parentRunId}`, draftRevision: 1 });

    // A later save of the target does not change what the scheduled run does.
    const caller = server.caller(builder);
    const { revision } = await caller.workflow.byId({ id: targetId });
    await caller.workflow.save({ id: targetId, graph: greet('Changed for {{name}}'), baseRevision: revision });
    now = new Date(now.getTime() + 8 * 86_400_000);
    const ran = await finished(response.reminder);
    expect(JSON.parse(ran.output!)).toEqual({ greeting: 'Reminder for Dee' });
  });

  it('a step that schedules again with the same idempotency key (a resumed attempt) gets the run the first made', async () => {
    const { id: targetId } = (await server.caller(viewer).workflow.list()).find((w) => w.name === 'greet')!;
    const port = server.engine.scheduling.portFor({ id: 'parent-run', environment: 'draft', chainDepth: 0 });
    const request = { workflowId: targetId, params: new Map([['p_name', 'Zed']]), runAt: new Date(now.getTime() + 3_600_000), idempotencyKey: 'parent-run:step_a' };
    const first = await port.schedule(request);
    const again = await port.schedule(request);
    expect(again).toEqual(first);
    const other = await port.schedule({ ...request, idempotencyKey: 'parent-run:step_b' });
    expect(other.runId).not.toBe(first.runId);
    const pending = await server.caller(viewer).scheduler.pending({ environment: 'draft', workflowId: targetId });
    expect(pending.runs.filter((r) => r.parentRunId === 'parent-run').map((r) => r.id).sort()).toEqual([first.runId, other.runId].sort());
    await server.engine.scheduling.cancel('draft', [first.runId, other.runId], 'test');
  });

  it('a long queue of a workflow at its concurrency limit does not hold up other due runs', async () => {
    await saveWorkflow(server, 'one-at-a-time', graphWith([{ id: 'pause', action: { type: 'wait', seconds: '2' } }], { settings: { concurrency: 1 } }));
    const scheduling = server.engine.scheduling;
    const queued: string[] = [];
    for (let i = 0; i < 1100; i++) {
      queued.push((await scheduling.schedule({ environment: 'draft', target: { name: 'one-at-a-time' }, body: {}, runAt: now, trigger: 'schedule', scheduledBy: 'test' })).runId);
    }
    await saveWorkflow(server, 'quick', greet());
    // Due after all of them.
    const other = await json(await post(server, '/version-test/api/1.1/wf/quick/schedule', { scheduled_date: now.getTime(), parameters: { name: 'Hal' } }));
    expect((await finished(other.response.run_id)).status).toBe('succeeded');
    await scheduling.cancel('draft', queued, 'test');
  });

  it('stops a workflow that keeps scheduling itself at the chain depth limit, and says why on the run', async () => {
    await server.caller(admin).scheduler.setChainDepthLimit({ environment: 'draft', limit: 3 });
    const caller = server.caller(builder);
    const { id } = await caller.workflow.create({ name: 'loop', label: '' });
    const loop = (selfId: string): WorkflowGraph =>
      graphWith([{ id: 'again', action: { type: 'scheduleWorkflow', workflowId: selfId, parameters: {}, scheduledDate: 'now' } }], { parameters: [] });
    const saved = await caller.workflow.save({ id, graph: loop(id) });
    expect(saved.diagnostics).toEqual([expect.objectContaining({ severity: 'warning', nodeId: 'again', message: expect.stringMatching(/schedules itself/) })]);
    const first = await post(server, '/version-test/api/1.1/wf/loop', {});
    expect(first.status).toBe(200);
    const failedRun = await eventually(async () => {
      const list = await caller.run.list({ workflowId: id, status: ['failed'] });
      return list.items[0];
    });
    const detail = await runById(failedRun.id);
    expect(detail.chainDepth).toBe(3);
    expect(detail.error).toMatch(/past the limit of 3 in draft/);
    const all = await caller.run.list({ workflowId: id });
    expect(all.items.map((r) => r.status).sort()).toEqual(['failed', 'succeeded', 'succeeded', 'succeeded']);
    await server.caller(admin).scheduler.setChainDepthLimit({ environment: 'draft', limit: 100 });
  });

  it('while an environment is paused nothing queued in it starts (synchronous calls still run); resuming starts them', async () => {
    const admins = server.caller(admin);
    await expect(server.caller(builder).scheduler.setPaused({ environment: 'draft', paused: true })).rejects.toThrow(/admin/i);
    await admins.scheduler.setPaused({ environment: 'draft', paused: true });
    const held = await json(await post(server, '/version-test/api/1.1/wf/greet/schedule', { scheduled_date: now.toISOString(), parameters: { name: 'Eve' } }));
    // A synchronous call still runs while paused.
    const sync = await post(server, '/version-test/api/1.1/wf/greet', { name: 'Fay' });
    expect(sync.status).toBe(200);
    // A live run due after the held one starts; claiming takes due runs oldest first, so had the
    // draft run been claimable it would have started before this one.
    await server.caller(builder).release.deploy();
    const live = await json(await post(server, '/api/1.1/wf/greet/schedule', { scheduled_date: now.toISOString(), parameters: { name: 'Gus' } }));
    expect((await finished(live.response.run_id)).status).toBe('succeeded');
    expect((await runById(held.response.run_id)).status).toBe('queued');
    expect((await admins.scheduler.state()).environments).toEqual(
      expect.arrayContaining([expect.objectContaining({ environment: 'draft', paused: true, changedBy: admin.email })]),
    );

    await admins.scheduler.setPaused({ environment: 'draft', paused: false });
    expect((await finished(held.response.run_id)).status).toBe('succeeded');
  });

  it('cancel all cancels every pending run of one environment after the admin types its name', async () => {
    const pendingBefore = (await server.caller(admin).scheduler.state()).depth.find((d) => d.environment === 'draft')!.pending;
    const later = new Date(now.getTime() + 86_400_000).toISOString();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await json(await post(server, '/version-test/api/1.1/wf/greet/schedule', { scheduled_date: later, parameters: { name: `n${i}` } }))).response.run_id);
    }
    const live = (await json(await post(server, '/api/1.1/wf/greet/schedule', { scheduled_date: later, parameters: { name: 'stays' } }))).response.run_id;
    const admins = server.caller(admin);
    await expect(admins.scheduler.cancelAll({ environment: 'draft', confirm: 'live' })).rejects.toThrow(/Type "draft" to confirm/);
    expect((await runById(ids[0]!)).status).toBe('queued');
    expect(await admins.scheduler.cancelAll({ environment: 'draft', confirm: 'draft' })).toEqual({ cancelled: pendingBefore + 5 });
    for (const id of ids) expect((await runById(id)).status).toBe('cancelled');
    expect((await runById(live)).status).toBe('queued');
    expect((await admins.scheduler.state()).depth).toEqual(
      expect.arrayContaining([
        { environment: 'draft', pending: 0, due: 0 },
        { environment: 'live', pending: 1, due: 0 },
      ]),
    );
  });
});
