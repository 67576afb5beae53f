import type { inferRouterOutputs } from '@trpc/server';
import type { WorkflowGraph } from '@switchyard/workflow';
import superjson, { type SuperJSONResult } from 'superjson';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createUser } from '../src/services/accounts.ts';
import type { AppRouter } from '../src/trpc/router.ts';
import { type TestServer, graphWith, startTestServer } from './helpers.ts';

// Deploys per workflow, their diff and refusals, restoring releases, deleting live workflows and
// the workflow list's live states: tRPC over real HTTP (a signed-in session cookie), on a fresh
// SQLite file per test, and the live endpoints called as a webhook caller would.

let server: TestServer;
let builderCookie: string;
let viewerCookie: string;

type TrpcError = { message: string; code: string };
type Out = inferRouterOutputs<AppRouter>;
/** "release.deploy" and the like, with what each returns, from the router's type. */
type Path = { [R in keyof Out & string]: `${R}.${keyof Out[R] & string}` }[keyof Out & string];
type OutputOf<P extends Path> = P extends `${infer R extends keyof Out}.${infer N}` ? (N extends keyof Out[R] ? Out[R][N] : never) : never;

/** A tRPC call over HTTP as the signed-in `cookie`: the result, or the error tRPC sent. */
async function trpc<P extends Path>(cookie: string, kind: 'query' | 'mutation', path: P, input?: unknown): Promise<OutputOf<P>> {
  const serialized = input === undefined ? undefined : superjson.serialize(input);
  const url = `${server.url}/trpc/${path}${kind === 'query' && serialized ? `?input=${encodeURIComponent(JSON.stringify(serialized))}` : ''}`;
  const response = await fetch(url, {
    method: kind === 'query' ? 'GET' : 'POST',
    headers: { cookie, 'content-type': 'application/json' },
    ...(kind === 'mutation' && { body: JSON.stringify(serialized ?? {}) }),
  });
  const body = (await response.json()) as { result?: { data: SuperJSONResult }; error?: { json: { message: string; data: { code: string } } } };
  if (body.error) throw Object.assign(new Error(body.error.json.message), { code: body.error.json.data.code }) as Error & TrpcError;
  return superjson.deserialize(body.result!.data);
}

const query = <P extends Path>(path: P, input?: unknown) => trpc(builderCookie, 'query', path, input);
const mutate = <P extends Path>(path: P, input?: unknown) => trpc(builderCookie, 'mutation', path, input);
const refusal = (promise: Promise<unknown>) => promise.then(() => null, (error: Error & TrpcError) => ({ code: error.code, message: error.message }));

async function signIn(email: string, role: 'builder' | 'viewer'): Promise<string> {
  await createUser(server.db, { email, password: 'correct horse battery', role });
  const response = await fetch(`${server.url}/trpc/auth.login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(superjson.serialize({ email, password: 'correct horse battery' })),
  });
  expect(response.status).toBe(200);
  return response.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
}

beforeEach(async () => {
  server = await startTestServer();
  builderCookie = await signIn('builder@example.com', 'builder');
  viewerCookie = await signIn('viewer@example.com', 'viewer');
});
afterEach(() => server.stop());

/** A workflow that returns `{ says: <text> }`. */
const saying = (text: string, extra: { title?: string } = {}) =>
  graphWith([{ id: 'ret', ...extra, action: { type: 'returnData', entries: [{ id: 'e', key: 'says', value: text } ] } }]);

/** A workflow that schedules the workflow `targetId` (and returns nothing). */
const scheduling = (targetId: string) =>
  graphWith([{ id: 'sched', action: { type: 'scheduleWorkflow', workflowId: targetId, parameters: {}, scheduledDate: 'addDays(now, 1)' } }]);

async function create(name: string, graph: WorkflowGraph): Promise<string> {
  const { id } = await mutate('workflow.create', { name, label: '' });
  await mutate('workflow.save', { id, graph });
  return id;
}

const save = (id: string, graph: WorkflowGraph) => mutate('workflow.save', { id, graph });

/** What the live endpoint answers: its status and, on success, what the workflow says. */
async function live(name: string): Promise<number | string> {
  const response = await fetch(`${server.url}/api/1.1/wf/${name}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  if (response.status !== 200) return response.status;
  return ((await response.json()) as { response: { says: string } }).response.says;
}

const states = async () =>
  Object.fromEntries((await query('workflow.list')).map((w) => [w.name, w.live.state]));

describe('deploying one workflow', () => {
  it('makes a complete release: the other live workflows as they were, the chosen one compiled now', async () => {
    const a = await create('alpha', saying('a1'));
    const b = await create('beta', saying('b1'));
    expect(await states()).toEqual({ alpha: 'never', beta: 'never' });

    const first = await mutate('release.deploy', { workflowIds: [a] });
    expect(first).toMatchObject({ number: 1, workflowCount: 1, deployed: [{ workflowId: a, name: 'alpha' }], refused: [] });
    expect([await live('alpha'), await live('beta')]).toEqual(['a1', 404]);
    expect(await states()).toEqual({ alpha: 'deployed', beta: 'never' });

    // alpha changes after its deploy; deploying beta alone leaves alpha's live version as it was.
    await save(a, saying('a2'));
    expect(await states()).toEqual({ alpha: 'changed', beta: 'never' });
    const second = await mutate('release.deploy', { workflowIds: [b], note: 'beta goes live' });
    expect(second).toMatchObject({ number: 2, workflowCount: 2, changes: { added: [{ name: 'beta' }], changed: [], removed: [] } });
    expect([await live('alpha'), await live('beta')]).toEqual(['a1', 'b1']);
    expect(await states()).toEqual({ alpha: 'changed', beta: 'deployed' });

    const entries = await server.db.releaseWorkflow.findMany({ where: { release: { number: 2 } }, orderBy: { name: 'asc' } });
    expect(entries.map((e) => [e.name, e.sourceRevision])).toEqual([
      ['alpha', 1],
      ['beta', 1],
    ]);
    const { items } = await query('release.list');
    expect(items.map((r) => [r.number, r.kind, r.createdBy, r.note, r.live, r.changes?.added.map((w) => w.name)])).toEqual([
      [2, 'workflows', 'builder@example.com', 'beta goes live', true, ['beta']],
      [1, 'workflows', 'builder@example.com', null, false, ['alpha']],
    ]);
    const row = await server.db.release.findUnique({ where: { number: 2 } });
    expect(row?.createdById).toEqual(expect.any(String));
  });

  it('previews what would change per workflow, writing nothing', async () => {
    const a = await create('alpha', saying('a1'));
    await mutate('release.deploy', {});
    await save(a, graphWith(
      [
        { id: 'log', action: { type: 'log', message: 'hello' } },
        { id: 'ret', title: 'Answer', action: { type: 'returnData', entries: [{ id: 'e', key: 'says', value: 'a2' }] } },
      ],
      { parameters: [{ id: 'p_name', key: 'name', type: 'number', list: false, optional: true }], settings: { mode: 'async' } },
    ));
    const b = await create('beta', saying('b1'));

    const one = await query('release.preview', { workflowIds: [a] });
    expect(one).toEqual({
      baseRelease: 1,
      unchanged: 0,
      refused: [],
      workflows: [
        {
          workflowId: a,
          name: 'alpha',
          deleted: false,
          diff: {
            change: 'changed',
            steps: [
              { id: 'log', label: 'Log a value', change: 'added', details: [] },
              { id: 'ret', label: 'Answer', change: 'changed', details: ['title: "Return data from API" → "Answer"', 'Response'] },
            ],
            parameters: [{ id: 'p_name', key: 'name', change: 'changed', details: ['type: text → number'] }],
            settings: [{ what: 'Response', before: 'Wait for the result', after: 'Respond at once' }],
            trigger: [],
          },
        },
      ],
    });
    const all = await query('release.preview', {});
    expect(all.workflows.map((w) => [w.name, w.diff.change])).toEqual([
      ['alpha', 'changed'],
      ['beta', 'added'],
    ]);
    expect(all.workflows[1]?.workflowId).toBe(b);
    expect(await server.db.release.count()).toBe(1);
  });

  it('numbers concurrent deploys one after another, each a complete release', async () => {
    const ids = [await create('alpha', saying('a1')), await create('beta', saying('b1')), await create('gamma', saying('c1'))];
    const results = await Promise.all([...ids, ...ids].map((id) => mutate('release.deploy', { workflowIds: [id] })));
    expect(results.map((r) => r.number).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
    expect([await live('alpha'), await live('beta'), await live('gamma')]).toEqual(['a1', 'b1', 'c1']);
  });

  it('refuses a deploy made on top of a release other than the one previewed', async () => {
    await create('alpha', saying('a1'));
    await mutate('release.deploy', {});
    expect(await refusal(mutate('release.deploy', { baseRelease: null }))).toEqual({
      code: 'CONFLICT',
      message: 'Release #1 was made since you looked: review the changes again before deploying',
    });
    expect(await mutate('release.deploy', { baseRelease: 1 })).toMatchObject({ number: 2 });
  });

  it('lets viewers read releases and previews but not deploy, restore or take off', async () => {
    const a = await create('alpha', saying('a1'));
    await mutate('release.deploy', {});
    expect((await trpc(viewerCookie, 'query', 'release.list')).items).toHaveLength(1);
    expect((await trpc(viewerCookie, 'query', 'release.preview', {})).baseRelease).toBe(1);
    for (const [path, input] of [
      ['release.deploy', {}],
      ['release.restore', { number: 1 }],
      ['release.takeOffLive', { workflowIds: [a] }],
    ] as const) {
      expect((await refusal(trpc(viewerCookie, 'mutation', path, input)))?.code).toBe('FORBIDDEN');
    }
    expect(await server.db.release.count()).toBe(1);
  });

  it('bounds what callers send: ids, notes', async () => {
    expect((await refusal(mutate('release.deploy', { workflowIds: [] })))?.message).toBe('workflowIds: Choose at least one workflow');
    expect((await refusal(mutate('release.deploy', { workflowIds: Array.from({ length: 501 }, (_, i) => `w${i}`) })))?.message).toBe(
      'workflowIds: At most 500 workflows at once',
    );
    expect((await refusal(mutate('release.deploy', { note: 'x'.repeat(501) })))?.message).toBe('note: A note has at most 500 characters');
    expect(await refusal(mutate('release.deploy', { workflowIds: ['nope'] }))).toEqual({
      code: 'NOT_FOUND',
      message: 'No workflow with id "nope" (it may have been deleted)',
    });
    expect(await server.db.release.count()).toBe(0);
  });
});

describe('the releases list', () => {
  it('pages back from the newest release', async () => {
    await create('alpha', saying('a1'));
    for (let i = 0; i < 3; i++) await mutate('release.deploy', {});
    const first = await query('release.list', { limit: 2 });
    expect([first.items.map((r) => r.number), first.nextBefore]).toEqual([[3, 2], 2]);
    const second = await query('release.list', { limit: 2, cursor: first.nextBefore });
    expect([second.items.map((r) => [r.number, r.live]), second.nextBefore]).toEqual([[[1, false]], null]);
  });
});

describe('refusals', () => {
  it('refuses only workflows with errors, each named with its first error; the others deploy', async () => {
    await create('alpha', saying('a1'));
    const broken = await create('broken', saying('{{ nope }}'));
    const result = await mutate('release.deploy', {});
    expect(result).toMatchObject({ number: 1, deployed: [{ name: 'alpha' }], refused: [{ workflowId: broken, name: 'broken', reason: 'Unknown name "nope"' }] });
    expect([await live('alpha'), await live('broken')]).toEqual(['a1', 404]);
    expect(await states()).toEqual({ alpha: 'deployed', broken: 'never' });

    // Alone, it is refused outright and nothing is written.
    expect(await refusal(mutate('release.deploy', { workflowIds: [broken] }))).toEqual({
      code: 'BAD_REQUEST',
      message: 'Cannot deploy: fix these workflows first. "broken": Unknown name "nope"',
    });
    expect(await server.db.release.count()).toBe(1);
  });

  it('keeps the live version of a workflow whose draft has errors since', async () => {
    const a = await create('alpha', saying('a1'));
    await mutate('release.deploy', {});
    await save(a, saying('{{ nope }}'));
    await create('beta', saying('b1'));
    expect((await mutate('release.deploy', {})).refused).toEqual([expect.objectContaining({ name: 'alpha' })]);
    expect([await live('alpha'), await live('beta')]).toEqual(['a1', 'b1']);
    expect(await states()).toEqual({ alpha: 'changed', beta: 'deployed' });
  });

  it('refuses a workflow that schedules another unless that one is live in the new release, naming it', async () => {
    const target = await create('remind', saying('r1'));
    const caller = await create('orders', scheduling(target));
    expect(await refusal(mutate('release.deploy', { workflowIds: [caller] }))).toEqual({
      code: 'BAD_REQUEST',
      message: 'Cannot deploy: fix these workflows first. "orders": needs "remind" to be deployed too',
    });
    expect(await server.db.release.count()).toBe(0);

    // With it, both go live; later, orders alone deploys, since remind is live already.
    expect((await mutate('release.deploy', { workflowIds: [caller, target] })).deployed.map((w) => w.name)).toEqual(['orders', 'remind']);
    expect((await mutate('release.deploy', { workflowIds: [caller] })).refused).toEqual([]);
  });

  it('refuses, deploying all, a workflow whose target is refused, and so on down the chain', async () => {
    const target = await create('remind', saying('{{ nope }}'));
    const middle = await create('orders', scheduling(target));
    await create('top', scheduling(middle));
    await create('alone', saying('x'));
    const result = await mutate('release.deploy', {});
    expect(result.deployed.map((w) => w.name)).toEqual(['alone']);
    expect(result.refused.map((r) => [r.name, r.reason])).toEqual([
      ['remind', 'Unknown name "nope"'],
      ['orders', 'needs "remind" to be deployed too'],
      ['top', 'needs "orders" to be deployed too'],
    ]);
  });

  it('refuses a workflow whose name is still the live name of another, renamed since', async () => {
    const old = await create('alpha', saying('a1'));
    await mutate('release.deploy', {});
    await mutate('workflow.rename', { id: old, name: 'alpha-old' });
    const fresh = await create('alpha', saying('new'));
    expect(await refusal(mutate('release.deploy', { workflowIds: [fresh] }))).toEqual({
      code: 'BAD_REQUEST',
      message: 'Cannot deploy: fix these workflows first. "alpha": "alpha" is still the live name of "alpha-old" (renamed since): deploy "alpha-old" too',
    });
    expect((await mutate('release.deploy', { workflowIds: [fresh, old] })).refused).toEqual([]);
    expect([await live('alpha'), await live('alpha-old')]).toEqual(['new', 'a1']);
  });
});

describe('restoring a release', () => {
  it('makes a new release with the entries of the earlier one, as they were', async () => {
    const a = await create('alpha', saying('a1'));
    await mutate('release.deploy', {});
    await save(a, saying('a2'));
    await create('beta', saying('b1'));
    await mutate('release.deploy', {});
    expect([await live('alpha'), await live('beta')]).toEqual(['a2', 'b1']);

    const preview = await query('release.previewRestore', { number: 1 });
    expect(preview.workflows.map((w) => [w.name, w.diff.change])).toEqual([
      ['alpha', 'changed'],
      ['beta', 'removed'],
    ]);
    expect(await server.db.release.count()).toBe(2);

    expect(await mutate('release.restore', { number: 1 })).toMatchObject({ number: 3, restoredFrom: 1 });
    expect([await live('alpha'), await live('beta')]).toEqual(['a1', 404]);
    expect(await states()).toEqual({ alpha: 'changed', beta: 'never' });
    const { items } = await query('release.list');
    expect(items[0]).toMatchObject({ number: 3, kind: 'restore', restoredFrom: 1, changes: { changed: [{ name: 'alpha' }], removed: [{ name: 'beta' }] } });

    expect(await refusal(mutate('release.restore', { number: 3 }))).toEqual({ code: 'BAD_REQUEST', message: 'Release #3 is what is live now: there is nothing to restore' });
    expect(await refusal(mutate('release.restore', { number: 9 }))).toEqual({ code: 'NOT_FOUND', message: 'There is no release #9' });
    expect(await server.db.release.count()).toBe(3);
  });
});

describe('deleting a live workflow', () => {
  it('takes it off live at once when asked: a new release without it', async () => {
    const a = await create('alpha', saying('a1'));
    await create('beta', saying('b1'));
    await mutate('release.deploy', {});
    expect(await mutate('workflow.delete', { id: a, takeOffLive: true })).toEqual({ release: 2, stillLive: false });
    expect([await live('alpha'), await live('beta')]).toEqual([404, 'b1']);
    expect((await query('release.list')).items[0]).toMatchObject({ kind: 'take_off', changes: { removed: [{ name: 'alpha' }] } });
    expect(await query('release.deletedButLive')).toEqual([]);
  });

  it('leaves it live when asked, listed as deleted but still live, until taken off or a deploy of all', async () => {
    const a = await create('alpha', saying('a1'));
    await mutate('release.deploy', {});
    expect(await mutate('workflow.delete', { id: a })).toEqual({ release: null, stillLive: true });
    expect(await live('alpha')).toBe('a1');
    expect(await query('release.deletedButLive')).toEqual([{ workflowId: a, name: 'alpha', releaseNumber: 1 }]);

    // Deploying one workflow keeps it; deploying all takes it off, and says so in the preview.
    const b = await create('beta', saying('b1'));
    await mutate('release.deploy', { workflowIds: [b] });
    expect(await live('alpha')).toBe('a1');
    expect((await query('release.preview', {})).workflows).toEqual([expect.objectContaining({ name: 'alpha', deleted: true, diff: expect.objectContaining({ change: 'removed' }) })]);
    await mutate('release.takeOffLive', { workflowIds: [a] });
    expect(await live('alpha')).toBe(404);
    expect(await query('release.deletedButLive')).toEqual([]);
  });

  it('refuses to take off live a workflow another live workflow schedules, and deletes nothing', async () => {
    const target = await create('remind', saying('r1'));
    await create('orders', scheduling(target));
    await mutate('release.deploy', {});
    expect(await refusal(mutate('workflow.delete', { id: target, takeOffLive: true }))).toEqual({
      code: 'BAD_REQUEST',
      message: '"remind" cannot be taken off live: "orders" is live and schedules it. Deploy "orders" without it first.',
    });
    expect(await server.db.workflow.count({ where: { id: target } })).toBe(1);
    expect(await server.db.release.count()).toBe(1);

    // Deleted but left live, a deploy of all keeps it live for orders' live version (whose draft
    // now has an error), and says why.
    await mutate('workflow.delete', { id: target });
    await create('alone', saying('x'));
    const result = await mutate('release.deploy', {});
    expect(result.refused.map((r) => [r.name, r.reason])).toEqual([
      ['orders', 'The chosen workflow no longer exists: choose another'],
      ['remind', 'deleted, but stays live: "orders" schedules it'],
    ]);
    expect([await live('remind'), await live('alone')]).toEqual(['r1', 'x']);
  });
});
