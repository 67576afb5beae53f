import { bindGraph } from '@switchyard/workflow';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FREE_FAILURES } from '../src/services/loginLimiter.ts';
import { type TestServer, admin, builder, sampleGraph, startTestServer, viewer } from './helpers.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

const code = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return error instanceof TRPCError ? error.code : `not a TRPCError: ${String(error)}`;
  }
  return 'resolved';
};

describe('accounts', () => {
  it('asks for the first admin, creates it once, then refuses a second setup', async () => {
    const cookies = new Map<string, string | null>();
    const anonymous = server.caller(null, { cookies });
    expect(await anonymous.auth.status()).toEqual({ needsSetup: true, user: null });
    expect(await code(anonymous.auth.setup({ email: 'first@example.com', password: 'short' }))).toBe('BAD_REQUEST');
    const user = await anonymous.auth.setup({ email: 'First@Example.com', password: 'correct horse battery' });
    expect(user).toMatchObject({ email: 'first@example.com', role: 'admin' });
    expect(cookies.get('session')).toMatch(/^[\w-]{40,}$/);
    expect(await code(server.caller(null).auth.setup({ email: 'second@example.com', password: 'correct horse battery' }))).toBe('CONFLICT');
    expect((await server.caller(null).auth.status()).needsSetup).toBe(false);
  });

  it('stores an argon2id hash, never the password', async () => {
    const row = await server.db.user.findUniqueOrThrow({ where: { email: 'first@example.com' } });
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    expect(row.passwordHash).not.toContain('correct horse');
  });

  it('gives one generic message for a wrong password and an unknown email, then rate limits', async () => {
    const messages = new Set<string>();
    for (const email of ['first@example.com', 'nobody@example.com']) {
      try {
        await server.caller(null, { ip: '10.0.0.9' }).auth.login({ email, password: 'wrong password!' });
      } catch (error) {
        messages.add((error as TRPCError).message);
      }
    }
    expect([...messages]).toEqual(['Invalid email or password']);
    // Guesses sent all at once cannot outrun the limit while the password hash is being checked.
    const caller = server.caller(null, { ip: '10.0.0.7' });
    const guesses = await Promise.all(
      Array.from({ length: 25 }, () => code(caller.auth.login({ email: 'first@example.com', password: 'wrong password!' }))),
    );
    expect(guesses.filter((c) => c === 'UNAUTHORIZED')).toHaveLength(FREE_FAILURES);
    expect(guesses.filter((c) => c === 'TOO_MANY_REQUESTS')).toHaveLength(25 - FREE_FAILURES);
    // Spelling the email differently is the same account.
    expect(await code(caller.auth.login({ email: ' First@Example.com ', password: 'correct horse battery' }))).toBe('TOO_MANY_REQUESTS');
    // Another address is not blocked by this one's failures.
    const other = server.caller(null, { ip: '10.0.0.8' });
    expect(await other.auth.login({ email: 'first@example.com', password: 'correct horse battery' })).toMatchObject({ role: 'admin' });
  });

  it('refuses every procedure but status, setup and login without a session', async () => {
    const anonymous = server.caller(null);
    expect(await code(anonymous.workflow.list())).toBe('UNAUTHORIZED');
    expect(await code(anonymous.workflow.create({ name: 'x', label: '' }))).toBe('UNAUTHORIZED');
    expect(await code(anonymous.run.list({}))).toBe('UNAUTHORIZED');
    expect(await code(anonymous.release.deploy())).toBe('UNAUTHORIZED');
    expect(await code(anonymous.auth.logout())).toBe('UNAUTHORIZED');
  });
});

describe('workflows', () => {
  it('lets a viewer read but refuses its changes in the server', async () => {
    expect(await server.caller(viewer).workflow.list()).toEqual(expect.any(Array));
    expect(await code(server.caller(viewer).workflow.create({ name: 'nope', label: '' }))).toBe('FORBIDDEN');
    expect(await code(server.caller(viewer).release.deploy())).toBe('FORBIDDEN');
    expect(await server.db.workflow.count({ where: { name: 'nope' } })).toBe(0);
  });

  it('creates, renames, saves, lists and deletes', async () => {
    const caller = server.caller(builder);
    const created = await caller.workflow.create({ name: 'charge-card', label: 'Charge a card' });
    const full = await caller.workflow.byId({ id: created.id });
    expect(full.graph.nodes.map((n) => n.type)).toEqual(['apiEvent']);
    expect(full.liveRelease).toBeNull();

    const saved = await caller.workflow.save({ id: created.id, graph: sampleGraph() });
    expect(saved.diagnostics).toEqual([]);
    expect((await caller.workflow.byId({ id: created.id })).graph).toEqual(bindGraph(sampleGraph()));

    await caller.workflow.rename({ id: created.id, name: 'charge', label: 'Charge' });
    expect((await caller.workflow.list()).map((w) => [w.name, w.errorCount])).toContainEqual(['charge', 0]);
    expect(await caller.workflow.rename({ id: created.id, name: 'charge-it' })).toMatchObject({ label: 'Charge' });

    await caller.workflow.delete({ id: created.id });
    expect(await code(caller.workflow.byId({ id: created.id }))).toBe('NOT_FOUND');
  });

  it('refuses bad names and duplicates with a clear message, writing nothing', async () => {
    const caller = server.caller(builder);
    await caller.workflow.create({ name: 'taken', label: '' });
    for (const name of ['Has Spaces', 'UPPER', '-edge', '', 'a'.repeat(65)]) {
      expect(await code(caller.workflow.create({ name, label: '' })), name).toBe('BAD_REQUEST');
    }
    await expect(caller.workflow.create({ name: 'taken', label: '' })).rejects.toThrow('A workflow called "taken" already exists');
    // Racing creates of one name: one wins, the others get the same clear conflict.
    const race = await Promise.all(Array.from({ length: 5 }, () => code(caller.workflow.create({ name: 'raced', label: '' }))));
    expect(race.sort()).toEqual(['CONFLICT', 'CONFLICT', 'CONFLICT', 'CONFLICT', 'resolved']);
    expect(await server.db.workflow.count()).toBe(2);
  });

  it('refuses a save based on an old revision, so two editors cannot overwrite each other', async () => {
    const caller = server.caller(builder);
    const { id } = await caller.workflow.create({ name: 'two-tabs', label: '' });
    const opened = await caller.workflow.byId({ id });
    const first = await caller.workflow.save({ id, graph: sampleGraph(), baseRevision: opened.revision });
    expect(first.revision).toBe(opened.revision + 1);
    await expect(caller.workflow.save({ id, graph: opened.graph, baseRevision: opened.revision })).rejects.toThrow(
      /changed elsewhere .* Reload the page/,
    );
    expect((await caller.workflow.byId({ id })).graph).toEqual(bindGraph(sampleGraph()));
    expect(await caller.workflow.save({ id, graph: opened.graph, baseRevision: first.revision })).toMatchObject({ revision: first.revision + 1 });
  });

  it('refuses a malformed graph, naming where, and keeps the saved one', async () => {
    const caller = server.caller(builder);
    const { id } = await caller.workflow.create({ name: 'keep-me', label: '' });
    await caller.workflow.save({ id, graph: sampleGraph() });
    const broken = { ...sampleGraph(), edges: [{ id: 'x', source: 'event', target: 'ghost' }] };
    await expect(caller.workflow.save({ id, graph: broken })).rejects.toThrow(/edges\.0\.target/);
    expect((await caller.workflow.byId({ id })).graph).toEqual(bindGraph(sampleGraph()));
  });

  it('reports compile errors on save and refuses to deploy them', async () => {
    const caller = server.caller(builder);
    const { id } = await caller.workflow.create({ name: 'broken', label: '' });
    const graph = sampleGraph();
    const log = graph.nodes[1];
    if (log?.type === 'action' && log.data.action.type === 'log') log.data.action.message = '{{ nope }}';
    const saved = await caller.workflow.save({ id, graph });
    expect(saved.diagnostics).toEqual([{ nodeId: 'log', field: 'message', message: 'Unknown name "nope"', severity: 'error' }]);
    // Deployed alone, it is refused and nothing is written (deploying all names it and deploys the
    // others: releases.test.ts).
    await expect(caller.release.deploy({ workflowIds: [id] })).rejects.toThrow(/"broken": Unknown name "nope"/);
    expect(await server.db.release.count()).toBe(0);
    await caller.workflow.delete({ id });
  });

  it('deploys numbered releases', async () => {
    const caller = server.caller(admin);
    expect(await caller.release.deploy()).toMatchObject({ number: 1 });
    expect(await caller.release.deploy()).toMatchObject({ number: 2 });
    expect(await caller.release.latest()).toMatchObject({ number: 2 });
  });
});
