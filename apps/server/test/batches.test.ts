import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, builder, eventually, graphWith, saveWorkflow, startTestServer, viewer } from './helpers.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = (response: Response): Promise<any> => response.json();
const post = (server: TestServer, url: string, body: unknown) =>
  fetch(`${server.url}${url}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

const T0 = new Date('2026-12-01T09:00:00.000Z');

describe('schedule on a list (batches)', () => {
  let server: TestServer;
  let now = T0;
  let itemTarget: string;
  let whenDone: string;

  beforeAll(async () => {
    // Every reading of the clock moves it on a millisecond, so events in order have distinct times.
    server = await startTestServer({}, { clock: () => (now = new Date(now.getTime() + 1)) });
    // Fails for an item that is not a number, so a batch can have failures.
    itemTarget = await saveWorkflow(
      server,
      'handle-item',
      graphWith([
        { id: 'log', action: { type: 'log', message: 'Item {{toNumber(name) + 0}} with {{tag ?? "-"}}' } },
        { id: 'ret', action: { type: 'returnData', entries: [{ id: 'e1', key: 'ok', value: '{{name}}' }] } },
      ], {
        parameters: [
          { id: 'p_name', key: 'name', type: 'text', list: false, optional: false },
          { id: 'p_tag', key: 'tag', type: 'text', list: false, optional: true },
        ],
      }),
    );
    whenDone = await saveWorkflow(
      server,
      'batch-done',
      graphWith([{ id: 'log', action: { type: 'log', message: '{{succeeded}} of {{total}} ok, {{failed}} failed, {{cancelled}} cancelled' } }], {
        parameters: ['total', 'succeeded', 'failed', 'cancelled'].map((key) => ({ id: `p_${key}`, key, type: 'number' as const, list: false, optional: false })),
      }),
    );
  });
  afterAll(() => server.stop());

  /** A workflow whose one step schedules `handle-item` for each of its `names` parameter. */
  const fanOut = (name: string, options: { ordered?: boolean; start?: string; interval?: string; tag?: string } = {}) =>
    saveWorkflow(
      server,
      name,
      graphWith(
        [
          {
            id: 'fan',
            title: 'Fan out',
            action: {
              type: 'scheduleOnList',
              workflowId: itemTarget,
              list: 'names',
              itemParameterId: 'p_name',
              parameters: options.tag ? { p_tag: options.tag } : {},
              startDate: options.start ?? 'now',
              intervalSeconds: options.interval ?? '0',
              ordered: options.ordered ?? false,
              onFinishWorkflowId: whenDone,
            },
          },
          { id: 'ret', action: { type: 'returnData', entries: [{ id: 'e1', key: 'batch', value: '{{steps.fan_out}}' }] } },
        ],
        { parameters: [{ id: 'p_names', key: 'names', type: 'text', list: true, optional: false }] },
      ),
    );

  const batch = async (id: string) => {
    const { batches } = await server.caller(viewer).scheduler.batches({ environment: 'draft', limit: 100 });
    return batches.find((b) => b.id === id)!;
  };
  const ended = (id: string) =>
    eventually(async () => {
      const b = await batch(id);
      return b.status === 'running' ? undefined : b;
    });
  const itemRuns = async (batchId: string) => {
    const { items } = await server.caller(viewer).run.list({ workflowId: itemTarget, limit: 200 });
    const details = await Promise.all(items.map((r) => server.caller(viewer).run.byId({ id: r.id })));
    return details.filter((r) => r.input.includes('"name"') && r.trigger === 'batch_item').filter((r) => r.scheduledBy === `batch:${batchId}`);
  };

  it('runs the target once per item with the other parameters, counts outcomes, and runs the end workflow once with the counts', async () => {
    await fanOut('fan-out', { tag: '"news"' });
    const response = await post(server, '/version-test/api/1.1/wf/fan-out', { names: ['1', '2', 'x', '4', '5'] });
    expect(response.status).toBe(200);
    const { response: body } = await json(response);
    const done = await ended(body.batch);
    expect(done).toMatchObject({ status: 'finished', total: 5, pending: 0, running: 0, succeeded: 4, failed: 1, cancelled: 0, workflowName: 'handle-item' });
    expect(done.onFinishWorkflowName).toBe('batch-done');
    const endRun = await eventually(async () => {
      const run = await server.caller(viewer).run.byId({ id: done.onFinishRunId! });
      return run.status === 'succeeded' ? run : undefined;
    });
    expect(JSON.parse(endRun.input)).toEqual({ batch_id: body.batch, total: 5, succeeded: 4, failed: 1, cancelled: 0 });
    expect(JSON.parse(endRun.steps[0]!.output!)).toEqual({ message: '4 of 5 ok, 1 failed, 0 cancelled' });
    const runs = await itemRuns(body.batch);
    expect(runs.map((r) => JSON.parse(r.input)).sort((a, b) => a.name.localeCompare(b.name))).toEqual(
      ['1', '2', '4', '5', 'x'].map((name) => ({ tag: 'news', name })),
    );
  });

  it('one after another: each item starts after the previous one ended, in list order, whatever its outcome', async () => {
    await fanOut('fan-ordered', { ordered: true });
    const { response: body } = await json(await post(server, '/version-test/api/1.1/wf/fan-ordered', { names: ['1', 'x', '3', '4'] }));
    const done = await ended(body.batch);
    expect(done).toMatchObject({ status: 'finished', succeeded: 3, failed: 1, ordered: true });
    const runs = (await itemRuns(body.batch)).sort((a, b) => a.startedAt!.getTime() - b.startedAt!.getTime() || a.id.localeCompare(b.id));
    expect(runs.map((r) => JSON.parse(r.input).name)).toEqual(['1', 'x', '3', '4']);
    for (let i = 1; i < runs.length; i++) expect(runs[i]!.startedAt!.getTime()).toBeGreaterThan(runs[i - 1]!.finishedAt!.getTime());
  });

  it('makes item runs as they come due, the interval apart from the start date; cancelling the batch cancels what has not started', async () => {
    await fanOut('fan-later', { start: 'addHours(now, 1)', interval: '60' });
    const { response: body } = await json(await post(server, '/version-test/api/1.1/wf/fan-later', { names: ['1', '2', '3'] }));
    const start = (await batch(body.batch)).startAt.getTime();
    // Nothing is due for an hour: the batch holds the list, and no item run exists yet.
    expect(await batch(body.batch)).toMatchObject({ status: 'running', total: 3, pending: 3, running: 0 });
    expect(await itemRuns(body.batch)).toEqual([]);

    now = new Date(start + 30_000);
    const first = await eventually(async () => {
      const runs = await itemRuns(body.batch);
      return runs.length > 0 && runs.every((r) => r.status === 'succeeded') ? runs : undefined;
    });
    expect(first.map((r) => [r.batchIndex, r.runAt.getTime() - start])).toEqual([[0, 0]]);
    expect(await batch(body.batch)).toMatchObject({ pending: 2, succeeded: 1 });
    // The second is made shortly before it is due, a minute after the first.
    now = new Date(start + 59_000);
    const second = await eventually(async () => {
      const list = await server.caller(viewer).scheduler.pending({ environment: 'draft', workflowId: itemTarget });
      return list.runs[0];
    });
    expect(second.runAt.getTime() - start).toBe(60_000);

    await server.caller(builder).scheduler.cancelBatch({ environment: 'draft', batchId: body.batch });
    const done = await ended(body.batch);
    expect(done).toMatchObject({ status: 'cancelled', succeeded: 1, cancelled: 2, pending: 0, cancelledBy: builder.email });
    expect((await server.caller(viewer).run.byId({ id: second.id })).status).toBe('cancelled');
    expect((await server.caller(viewer).scheduler.pending({ environment: 'draft', workflowId: itemTarget })).runs).toEqual([]);
    await expect(server.caller(builder).scheduler.cancelBatch({ environment: 'draft', batchId: body.batch })).rejects.toThrow(/already ended/);
    // The end workflow still runs once, with the counts.
    expect(done.onFinishRunId).not.toBeNull();
  });

  it('refuses a batch whose last item would start after year 9999, and makes nothing', async () => {
    await fanOut('fan-too-late', { start: 'addDays(addYears(now, 7973), 25)', interval: '86400', ordered: true });
    const before = (await server.caller(viewer).scheduler.batches({ environment: 'draft', limit: 100 })).batches.length;
    const response = await post(server, '/version-test/api/1.1/wf/fan-too-late', { names: ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'] });
    const answer = await json(response);
    expect(response.status, JSON.stringify(answer)).toBe(500);
    expect(answer.message).toMatch(/The last item's start is after 9999-12-31/);
    expect((await server.caller(viewer).scheduler.batches({ environment: 'draft', limit: 100 })).batches.length).toBe(before);
  });

  it('refuses a list with an item that does not fit the parameter (the target changed since), naming it, and makes no batch', async () => {
    const numbersGraph = (type: 'text' | 'number') =>
      graphWith([{ id: 'log', action: { type: 'log', message: '{{n}}' } }], { parameters: [{ id: 'p_n', key: 'n', type, list: false, optional: false }] });
    const numbersId = await saveWorkflow(server, 'numbers-only', numbersGraph('text'));
    await saveWorkflow(
      server,
      'fan-bad',
      graphWith(
        [{ id: 'fan', action: { type: 'scheduleOnList', workflowId: numbersId, list: 'items', itemParameterId: 'p_n', parameters: {}, startDate: 'now', intervalSeconds: '0', ordered: false, onFinishWorkflowId: '' } }],
        { parameters: [{ id: 'p_items', key: 'items', type: 'text', list: true, optional: false }] },
      ),
    );
    // Compiled while the target took text; then the target's parameter becomes a number.
    expect((await post(server, '/version-test/api/1.1/wf/fan-bad', { items: [] })).status).toBe(200);
    const caller = server.caller(builder);
    await caller.workflow.save({ id: numbersId, graph: numbersGraph('number') });
    const before = (await server.caller(viewer).scheduler.batches({ environment: 'draft', limit: 100 })).batches.length;
    const response = await post(server, '/version-test/api/1.1/wf/fan-bad', { items: ['1', 'two', '3'] });
    const answer = await json(response);
    expect(response.status, JSON.stringify(answer)).toBe(500);
    expect(answer.message).toMatch(/Item 2 of the list: .*"n"/);
    expect((await server.caller(viewer).scheduler.batches({ environment: 'draft', limit: 100 })).batches.length).toBe(before);
  });
});
