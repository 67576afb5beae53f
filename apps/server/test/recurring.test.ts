import { DEFAULT_SETTINGS, type RecurrenceSpec, type WorkflowGraph } from '@switchyard/workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, admin, builder, eventually, saveWorkflow, startTestServer, viewer } from './helpers.ts';

const T0 = new Date('2026-12-01T09:00:00.000Z');
const MINUTE = 60_000;

/** A recurring workflow with one log step. */
function recurring(schedule: Partial<RecurrenceSpec> & Pick<RecurrenceSpec, 'kind'>): WorkflowGraph {
  return {
    schemaVersion: 2,
    nodes: [
      {
        id: 'event',
        type: 'recurringEvent',
        position: { x: 0, y: 0 },
        data: { schedule: { startAt: null, timeZone: null, missed: 'once', ...schedule } as RecurrenceSpec, settings: DEFAULT_SETTINGS },
      },
      { id: 'log', type: 'action', position: { x: 0, y: 150 }, data: { action: { type: 'log', message: 'tick at {{formatDate(now, "HH:mm")}}' } } },
    ],
    edges: [{ id: 'e1', source: 'event', target: 'log' }],
  };
}

describe('recurring jobs', () => {
  let server: TestServer;
  let now = T0;
  const clock = () => now;
  let everyMinute: string;
  let skipper: string;

  beforeAll(async () => {
    server = await startTestServer({}, { clock });
    everyMinute = await saveWorkflow(server, 'every-minute', recurring({ kind: 'every', every: 1, unit: 'minutes', missed: 'once' }));
    skipper = await saveWorkflow(server, 'every-minute-skip', recurring({ kind: 'cron', cron: '0 * * * * *', missed: 'skip' }));
  });
  afterAll(() => server?.stop());

  const runsOf = async (workflowId: string) => (await server.caller(viewer).run.list({ workflowId, limit: 100 })).items;
  const job = async (workflowId: string, environment: 'draft' | 'live') => {
    const { jobs } = await server.caller(viewer).recurring.list();
    return jobs.find((j) => j.workflowId === workflowId)!.environments.find((e) => e.environment === environment)!;
  };

  it('lists recurring workflows with their schedule in words and next fire times; only admins switch them', async () => {
    const draft = await job(everyMinute, 'draft');
    expect(draft).toMatchObject({ available: true, enabled: false, schedule: 'every minute, UTC' });
    expect(draft.nextFires.map((d) => d.toISOString())).toEqual(
      [1, 2, 3, 4, 5].map((k) => new Date(T0.getTime() + k * MINUTE).toISOString()),
    );
    expect(await job(everyMinute, 'live')).toMatchObject({ available: false, enabled: false });
    await expect(server.caller(builder).recurring.setEnabled({ workflowId: everyMinute, environment: 'draft', enabled: true })).rejects.toThrow(/admin/i);
    await expect(server.caller(viewer).recurring.setEnabled({ workflowId: everyMinute, environment: 'draft', enabled: true })).rejects.toThrow(/admin/i);
    await expect(server.caller(admin).recurring.setEnabled({ workflowId: everyMinute, environment: 'live', enabled: true })).rejects.toThrow(/not deployed/);
    expect(await runsOf(everyMinute)).toEqual([]);
  });

  it('fires each fire time once, due exactly at it, while switched on', async () => {
    const admins = server.caller(admin);
    await admins.recurring.setEnabled({ workflowId: everyMinute, environment: 'draft', enabled: true });
    await admins.recurring.setEnabled({ workflowId: skipper, environment: 'draft', enabled: true });
    now = new Date(T0.getTime() + MINUTE + 10);
    const [run] = await eventually(async () => {
      const runs = await runsOf(everyMinute);
      return runs.length === 1 && runs[0]!.status === 'succeeded' ? runs : undefined;
    });
    const detail = await server.caller(viewer).run.byId({ id: run!.id });
    expect(detail).toMatchObject({ trigger: 'recurring', scheduledBy: 'recurring', environment: 'draft' });
    expect(detail.runAt).toEqual(new Date(T0.getTime() + MINUTE));
    expect(JSON.parse(detail.steps[0]!.output!)).toEqual({ message: 'tick at 09:01' });
    const state = await job(everyMinute, 'draft');
    expect(state).toMatchObject({ enabled: true, changedBy: admin.email, lastRun: { id: run!.id, status: 'succeeded' } });
    expect(state.history[0]).toMatchObject({ kind: 'enabled', message: `Switched on by ${admin.email}` });
    await eventually(async () => ((await runsOf(skipper)).length === 1 ? true : undefined));
  });

  it('after downtime across several fire times follows each job policy and records it: once runs one run for all, skip runs none', async () => {
    const dataDir = server.dataDir;
    await server.close();
    now = new Date(T0.getTime() + 5 * MINUTE + 30_000);
    server = await startTestServer({}, { clock, dataDir });

    const missed = await eventually(async () => {
      const history = (await job(everyMinute, 'draft')).history;
      return history[0]?.kind === 'missed_once' ? history[0] : undefined;
    });
    expect(missed.message).toBe('4 fire times missed from 2026-12-01T09:02:00.000Z to 2026-12-01T09:05:00.000Z: ran once for all (the job\'s policy)');
    const runs = await eventually(async () => {
      const list = await runsOf(everyMinute);
      return list.length === 2 && list.every((r) => r.status === 'succeeded') ? list : undefined;
    });
    expect(missed.runId).toBe(runs[0]!.id);

    const skipped = await eventually(async () => {
      const history = (await job(skipper, 'draft')).history;
      return history[0]?.kind === 'missed_skipped' ? history[0] : undefined;
    });
    expect(skipped.message).toMatch(/^4 fire times missed from .*09:02:00.000Z to .*09:05:00.000Z: skipped/);
    expect(skipped.runId).toBeNull();
    expect(await runsOf(skipper)).toHaveLength(1);

    // Back to normal: the next fire time runs once.
    now = new Date(T0.getTime() + 6 * MINUTE + 5);
    await eventually(async () => ((await runsOf(everyMinute)).length === 3 ? true : undefined));
    await eventually(async () => ((await runsOf(skipper)).length === 2 ? true : undefined));
  });

  it('switching a job off cancels the run already made for its next fire time', async () => {
    const nextFire = new Date(T0.getTime() + 8 * MINUTE);
    now = new Date(nextFire.getTime() - 500);
    const ahead = await eventually(async () => (await runsOf(everyMinute)).find((r) => r.runAt.getTime() === nextFire.getTime() && r.status === 'queued'));
    await server.caller(admin).recurring.setEnabled({ workflowId: everyMinute, environment: 'draft', enabled: false });
    expect(await server.caller(viewer).run.byId({ id: ahead.id })).toMatchObject({ status: 'cancelled', error: `The recurring job was switched off by ${admin.email}` });
    await server.caller(admin).recurring.setEnabled({ workflowId: everyMinute, environment: 'draft', enabled: true });
  });

  it('switched off, it fires no more; switched on again it starts from then, not catching up', async () => {
    const admins = server.caller(admin);
    await admins.recurring.setEnabled({ workflowId: everyMinute, environment: 'draft', enabled: false });
    await admins.recurring.setEnabled({ workflowId: skipper, environment: 'draft', enabled: false });
    const before = (await runsOf(everyMinute)).length;
    now = new Date(T0.getTime() + 20 * MINUTE + 30_000);
    await admins.recurring.setEnabled({ workflowId: everyMinute, environment: 'draft', enabled: true });
    now = new Date(T0.getTime() + 21 * MINUTE + 5);
    const runs = await eventually(async () => {
      const list = await runsOf(everyMinute);
      return list.length === before + 1 && list[0]!.status === 'succeeded' ? list : undefined;
    });
    expect((await server.caller(viewer).run.byId({ id: runs[0]!.id })).runAt).toEqual(new Date(T0.getTime() + 21 * MINUTE));
    const history = (await job(everyMinute, 'draft')).history.map((h) => h.kind);
    expect(history.slice(0, 2)).toEqual(['enabled', 'disabled']);
    expect(history).not.toContain('missed_skipped');
  });

  it('fire times that pass while the environment is paused follow the policy on resume', async () => {
    const admins = server.caller(admin);
    const before = (await runsOf(everyMinute)).length;
    await admins.scheduler.setPaused({ environment: 'draft', paused: true });
    // A fire time comes while paused: it does not fire (had it, its run would be listed, queued).
    // What cannot be observed is waited for: a bit more than the recurring timer's slow poll.
    now = new Date(T0.getTime() + 22 * MINUTE + 10);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await runsOf(everyMinute)).toHaveLength(before);
    now = new Date(T0.getTime() + 24 * MINUTE + 30_000);
    await admins.scheduler.setPaused({ environment: 'draft', paused: false });
    const missed = await eventually(async () => {
      const history = (await job(everyMinute, 'draft')).history;
      return history[0]?.kind === 'missed_once' ? history[0] : undefined;
    });
    // All three were missed: none fired while paused.
    expect(missed.message).toMatch(/^3 fire times missed from .*09:22:00.000Z to .*09:24:00.000Z: ran once for all/);
    await eventually(async () => ((await runsOf(everyMinute)).length === before + 1 ? true : undefined));
  });

  it('a day down with a job due every second makes one catch-up run, not one per thousand missed', async () => {
    const admins = server.caller(admin);
    const secondly = await saveWorkflow(server, 'every-second', recurring({ kind: 'cron', cron: '* * * * * *', missed: 'once' }));
    await admins.recurring.setEnabled({ workflowId: secondly, environment: 'draft', enabled: true });
    await eventually(async () => ((await runsOf(secondly)).length > 0 ? true : undefined));
    const dataDir = server.dataDir;
    await server.close();
    now = new Date(now.getTime() + 86_400_000);
    server = await startTestServer({}, { clock, dataDir });
    const missed = await eventually(async () => {
      const history = (await job(secondly, 'draft')).history;
      return history[0]?.kind === 'missed_once' ? history[0] : undefined;
    });
    expect(missed.message).toMatch(/^more than 1,000 fire times missed from .* to .*: ran once for all/);
    const catchUp = await server.caller(viewer).run.byId({ id: missed.runId! });
    expect(catchUp.trigger).toBe('recurring');
    // The day is handled in one look: no second catch-up follows.
    now = new Date(now.getTime() + 2000);
    await eventually(async () => ((await runsOf(secondly)).some((r) => r.runAt.getTime() > missed.at.getTime()) ? true : undefined));
    expect((await job(secondly, 'draft')).history.filter((h) => h.kind === 'missed_once')).toHaveLength(1);
    await server.caller(admin).recurring.setEnabled({ workflowId: secondly, environment: 'draft', enabled: false });
  });

  it('an edited schedule counts from the edit: the old schedule fire times are not "missed"', async () => {
    const caller = server.caller(builder);
    const { revision } = await caller.workflow.byId({ id: everyMinute });
    await caller.workflow.save({ id: everyMinute, graph: recurring({ kind: 'every', every: 1, unit: 'hours', missed: 'once' }), baseRevision: revision });
    const edited = now;
    now = new Date(now.getTime() + 3 * 3_600_000 + 30_000);
    const changed = await eventually(async () => {
      const [latest] = (await job(everyMinute, 'draft')).history;
      return latest && latest.at > edited ? latest : undefined;
    });
    expect(changed.kind).toBe('rescheduled');
    expect(changed.message).toMatch(/^The schedule changed \(now every hour, UTC\): counting from /);
  });

  it('a recurring job has no live endpoint, and its draft can still be called to test it', async () => {
    await server.caller(builder).release.deploy();
    const live = await fetch(`${server.url}/api/1.1/wf/every-minute`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(live.status).toBe(404);
    expect(((await live.json()) as { message: string }).message).toMatch(/recurring job/);
    // Its draft can be tried, with a token (or from the editor's test panel), never by anyone.
    const anonymous = await fetch(`${server.url}/version-test/api/1.1/wf/every-minute`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(anonymous.status).toBe(401);
    const { token } = await server.caller(admin).token.create({ label: 'try it', workflowIds: null });
    const draft = await fetch(`${server.url}/version-test/api/1.1/wf/every-minute`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: '{}',
    });
    expect(draft.status).toBe(200);
    expect(await job(everyMinute, 'live')).toMatchObject({ available: true, enabled: false });
    // Nor can it be scheduled in live, around the admins' switch.
    const scheduled = await fetch(`${server.url}/api/1.1/wf/every-minute/schedule`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ scheduled_date: now.getTime() }),
    });
    expect(scheduled.status).toBe(404);
    await expect(server.caller(builder).scheduler.schedule({ environment: 'live', workflowId: everyMinute, runAt: now, parameters: {} })).rejects.toThrow(/recurring job/);
  });
});
