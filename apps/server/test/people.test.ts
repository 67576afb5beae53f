import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionUser } from '../src/services/accounts.ts';
import { type TestServer, admin, builder, eventually, graphWith, saveWorkflow, startTestServer, viewer } from './helpers.ts';

// The Users page, one-time links and the audit log, over real HTTP (sessions, cookies) where a
// rule is about sessions, and through tRPC callers elsewhere; on a real SQLite file.

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** A tRPC call over HTTP (superjson envelope), with a session cookie when given. */
async function rpc(path: string, input: unknown, options: { cookie?: string | null; query?: boolean } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.cookie) headers.cookie = options.cookie;
  const response = options.query
    ? await fetch(`${server.url}/trpc/${path}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`, { headers })
    : await fetch(`${server.url}/trpc/${path}`, { method: 'POST', headers, body: JSON.stringify({ json: input }) });
  const body = (await response.json()) as Json;
  const setCookie = response.headers.get('set-cookie');
  return {
    status: response.status,
    data: body.result?.data?.json as Json,
    message: body.error?.json?.message as string | undefined,
    cookie: setCookie ? setCookie.split(';')[0]! : null,
  };
}

const PASSWORD = 'a very long password';
const signIn = (email: string, password = PASSWORD) => rpc('auth.login', { email, password }, { query: false });
const tokenOf = (path: string) => path.split('/').pop()!;
const auditRows = (action: string) => server.db.auditEvent.findMany({ where: { action }, orderBy: { id: 'asc' } });

let owner: SessionUser;
let ownerCookie: string;

describe('the first admin', () => {
  it('is set up over HTTP; setup and sign-in are audited and the sign-in time recorded', async () => {
    const setup = await rpc('auth.setup', { email: 'owner@example.com', password: PASSWORD });
    expect(setup.status).toBe(200);
    owner = setup.data;
    const login = await signIn('owner@example.com');
    expect(login.status).toBe(200);
    ownerCookie = login.cookie!;
    const row = await server.db.user.findUniqueOrThrow({ where: { id: owner.id } });
    expect(row.lastSignInAt).toBeInstanceOf(Date);
    expect(row.status).toBe('active');
    const [signInEvent] = await auditRows('auth.sign_in');
    expect(signInEvent).toMatchObject({ actorKind: 'user', actorId: owner.id, actorName: 'owner@example.com', targetId: owner.id });
    expect(JSON.parse(signInEvent!.details!)).toEqual({ ip: '127.0.0.1' });
    expect(await auditRows('user.created')).toHaveLength(1);
  });

  it('records a failed sign-in against the account, without the password, and unknown emails without the email', async () => {
    expect((await signIn('owner@example.com', 'wrong password!!')).status).toBe(401);
    expect((await signIn('typo-secret-words@example.com', 'wrong password!!')).status).toBe(401);
    const failed = await auditRows('auth.sign_in_failed');
    expect(failed).toHaveLength(2);
    expect(failed[0]).toMatchObject({ actorKind: 'anonymous', actorId: null, targetId: owner.id, targetLabel: 'owner@example.com' });
    expect(JSON.parse(failed[0]!.details!)).toEqual({ ip: '127.0.0.1', reason: 'wrong_password' });
    expect(failed[1]).toMatchObject({ targetId: null, targetLabel: null });
    expect(JSON.parse(failed[1]!.details!)).toEqual({ ip: '127.0.0.1', reason: 'unknown_email' });
    const everything = JSON.stringify(await server.db.auditEvent.findMany());
    expect(everything).not.toContain('wrong password');
    expect(everything).not.toContain('typo-secret-words');
  });
});

describe('roles', () => {
  it('refuses every Users and Audit procedure to builders and viewers, and writes nothing', async () => {
    const before = await server.db.auditEvent.count();
    const users = await server.db.user.count();
    for (const user of [builder, viewer]) {
      const caller = server.caller(user);
      const attempts: Promise<unknown>[] = [
        caller.users.list(),
        caller.users.invite({ email: 'x@example.com', role: 'admin' }),
        caller.users.changeRole({ userId: owner.id, role: 'viewer' }),
        caller.users.disable({ userId: owner.id }),
        caller.users.enable({ userId: owner.id }),
        caller.users.setPassword({ userId: owner.id, password: 'taken over password' }),
        caller.users.createLink({ userId: owner.id }),
        caller.audit.list({}),
      ];
      for (const attempt of attempts) await expect(attempt).rejects.toMatchObject({ code: 'FORBIDDEN' });
    }
    // Over HTTP too, with no session at all.
    expect((await rpc('users.list', undefined, { query: true })).status).toBe(401);
    expect((await rpc('audit.list', {}, { query: true })).status).toBe(401);
    expect(await server.db.auditEvent.count()).toBe(before);
    expect(await server.db.user.count()).toBe(users);
  });
});

describe('invitations', () => {
  let link: string;
  let invitedId: string;

  it('creates an invited account and a link; the account cannot sign in yet', async () => {
    const invited = await rpc('users.invite', { email: ' Bea@Example.com ', role: 'builder' }, { cookie: ownerCookie });
    expect(invited.status).toBe(200);
    expect(invited.data.path).toMatch(/^\/invite\/[\w-]{43}$/);
    link = tokenOf(invited.data.path);
    invitedId = invited.data.userId;
    const row = await server.db.user.findUniqueOrThrow({ where: { id: invitedId } });
    expect(row).toMatchObject({ email: 'bea@example.com', role: 'builder', status: 'invited', passwordHash: '' });
    // Only the hash of the link's token is stored.
    expect(JSON.stringify(await server.db.accountLink.findMany())).not.toContain(link);
    expect((await signIn('bea@example.com', 'anything at all')).status).toBe(401);
    const list = await server.caller(admin).users.list();
    expect(list.find((u) => u.id === invitedId)).toMatchObject({ status: 'invited', lastSignInAt: null, pendingLink: { purpose: 'invite' } });
    expect(await auditRows('user.invited')).toEqual([expect.objectContaining({ actorId: owner.id, targetId: invitedId, targetLabel: 'bea@example.com' })]);
  });

  it('refuses a second account for the same email, saying so', async () => {
    await expect(server.caller(admin).users.invite({ email: 'bea@example.com', role: 'viewer' })).rejects.toThrow('An account for bea@example.com already exists');
    await expect(server.caller(admin).users.invite({ email: 'not an email', role: 'viewer' })).rejects.toThrow(/email: Enter a valid email address/);
  });

  it('says what the link is for; a short password is refused and the link still works', async () => {
    const info = await rpc('users.link', { token: link }, { query: true });
    expect(info.data).toMatchObject({ purpose: 'invite', email: 'bea@example.com' });
    const short = await rpc('users.acceptLink', { token: link, password: 'short' });
    expect(short.status).toBe(400);
    expect(short.message).toBe('password: Password must be at least 12 characters');
    expect((await rpc('users.link', { token: link }, { query: true })).status).toBe(200);
  });

  it('sets the password and signs the invitee in, once', async () => {
    const accepted = await rpc('users.acceptLink', { token: link, password: PASSWORD });
    expect(accepted.status).toBe(200);
    expect(accepted.data).toMatchObject({ id: invitedId, email: 'bea@example.com', role: 'builder' });
    expect(accepted.cookie).toMatch(/^switchyard_session=/);
    expect((await rpc('workflow.list', undefined, { cookie: accepted.cookie, query: true })).status).toBe(200);
    const row = await server.db.user.findUniqueOrThrow({ where: { id: invitedId } });
    expect(row.status).toBe('active');
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    expect(row.lastSignInAt).toBeInstanceOf(Date);

    const again = await rpc('users.acceptLink', { token: link, password: 'another long password' });
    expect(again.status).toBe(404);
    expect(again.message).toMatch(/used already, has expired/);
    expect((await rpc('users.link', { token: link }, { query: true })).status).toBe(404);
    expect((await signIn('bea@example.com')).status).toBe(200);
    expect((await signIn('bea@example.com', 'another long password')).status).toBe(401);
    expect(await auditRows('user.invitation_accepted')).toEqual([expect.objectContaining({ actorId: invitedId, targetId: invitedId })]);
  });

  it('lets only one of two simultaneous uses of a link through', async () => {
    const { path } = await server.caller(admin).users.invite({ email: 'twice@example.com', role: 'viewer' });
    const results = await Promise.all([
      rpc('users.acceptLink', { token: tokenOf(path), password: 'first long password' }),
      rpc('users.acceptLink', { token: tokenOf(path), password: 'second long password' }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 404]);
  });

  it('stops working once expired, and a new link replaces the old one', async () => {
    const { path, userId } = await server.caller(admin).users.invite({ email: 'late@example.com', role: 'viewer' });
    await server.db.accountLink.updateMany({ where: { userId }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await rpc('users.acceptLink', { token: tokenOf(path), password: PASSWORD })).status).toBe(404);
    expect((await server.db.user.findUniqueOrThrow({ where: { id: userId } })).status).toBe('invited');

    const first = await server.caller(admin).users.createLink({ userId });
    expect(first).toMatchObject({ purpose: 'invite' });
    const second = await server.caller(admin).users.createLink({ userId });
    expect((await rpc('users.link', { token: tokenOf(first.path) }, { query: true })).status).toBe(404);
    expect((await rpc('users.acceptLink', { token: tokenOf(second.path), password: PASSWORD })).status).toBe(200);
  });

  it('refuses malformed tokens with a clear error', async () => {
    const bad = await rpc('users.link', { token: '../../etc' }, { query: true });
    expect(bad.status).toBe(400);
    expect(bad.message).toMatch(/token: /);
    expect((await rpc('users.link', { token: 'x'.repeat(500) }, { query: true })).status).toBe(400);
  });
});

describe('disabling', () => {
  it('ends the account\'s sessions at once, refuses its sign-in, and enabling lets it back', async () => {
    const user = await server.caller(admin).users.invite({ email: 'dan@example.com', role: 'builder' });
    const accepted = await rpc('users.acceptLink', { token: tokenOf(user.path), password: PASSWORD });
    const otherSession = (await signIn('dan@example.com')).cookie;
    for (const cookie of [accepted.cookie, otherSession]) expect((await rpc('workflow.list', undefined, { cookie, query: true })).status).toBe(200);

    expect((await rpc('users.disable', { userId: user.userId }, { cookie: ownerCookie })).status).toBe(200);
    for (const cookie of [accepted.cookie, otherSession]) expect((await rpc('workflow.list', undefined, { cookie, query: true })).status).toBe(401);
    expect(await server.db.session.count({ where: { userId: user.userId } })).toBe(0);
    const refused = await signIn('dan@example.com');
    expect(refused.status).toBe(401);
    expect(refused.message).toBe('Invalid email or password');
    const failed = (await auditRows('auth.sign_in_failed')).at(-1)!;
    expect(JSON.parse(failed.details!)).toMatchObject({ reason: 'account_disabled' });
    expect((await auditRows('user.disabled')).at(-1)).toMatchObject({ actorId: owner.id, targetId: user.userId });
    // A reset link cannot be made for a disabled account.
    await expect(server.caller(admin).users.createLink({ userId: user.userId })).rejects.toThrow(/disabled: enable the account first/);

    expect(await server.caller(admin).users.enable({ userId: user.userId })).toEqual({ changed: true, status: 'active' });
    expect((await signIn('dan@example.com')).status).toBe(200);
    expect((await auditRows('user.enabled')).at(-1)).toMatchObject({ targetId: user.userId });
  });

  it('takes an invited account\'s link away; enabled again, it is invited and needs a new link', async () => {
    const user = await server.caller(admin).users.invite({ email: 'eve@example.com', role: 'viewer' });
    await server.caller(admin).users.disable({ userId: user.userId });
    expect((await rpc('users.acceptLink', { token: tokenOf(user.path), password: PASSWORD })).status).toBe(404);
    expect(await server.caller(admin).users.enable({ userId: user.userId })).toEqual({ changed: true, status: 'invited' });
    expect((await rpc('users.link', { token: tokenOf(user.path) }, { query: true })).status).toBe(404);
  });
});

describe('the last active admin', () => {
  it('cannot be demoted or disabled, and the refusal writes nothing', async () => {
    const others = await server.db.user.count({ where: { role: 'admin', status: 'active', id: { not: owner.id } } });
    expect(others).toBe(0);
    const before = await server.db.auditEvent.count();
    const demote = await rpc('users.changeRole', { userId: owner.id, role: 'builder' }, { cookie: ownerCookie });
    expect(demote.status).toBe(409);
    expect(demote.message).toBe('owner@example.com is the last active admin and cannot be made a builder: make another account an admin first');
    const disable = await rpc('users.disable', { userId: owner.id }, { cookie: ownerCookie });
    expect(disable.status).toBe(409);
    expect(disable.message).toMatch(/last active admin and cannot be disabled/);
    expect(await server.db.auditEvent.count()).toBe(before);
    expect(await server.db.user.findUniqueOrThrow({ where: { id: owner.id } })).toMatchObject({ role: 'admin', status: 'active' });
  });

  it('does not count disabled or invited admins; with a second active admin, one may be demoted', async () => {
    const invitedAdmin = await server.caller(admin).users.invite({ email: 'pending-admin@example.com', role: 'admin' });
    await expect(server.caller(admin).users.changeRole({ userId: owner.id, role: 'viewer' })).rejects.toMatchObject({ code: 'CONFLICT' });
    await rpc('users.acceptLink', { token: tokenOf(invitedAdmin.path), password: PASSWORD });
    await server.caller(admin).users.disable({ userId: invitedAdmin.userId });
    await expect(server.caller(admin).users.changeRole({ userId: owner.id, role: 'viewer' })).rejects.toMatchObject({ code: 'CONFLICT' });
    await server.caller(admin).users.enable({ userId: invitedAdmin.userId });

    expect(await server.caller(admin).users.changeRole({ userId: owner.id, role: 'builder' })).toEqual({ changed: true });
    // The role is read per request: the owner's session is a builder's at once.
    expect((await rpc('users.list', undefined, { cookie: ownerCookie, query: true })).status).toBe(403);
    await expect(server.caller(admin).users.disable({ userId: invitedAdmin.userId })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await server.caller(admin).users.changeRole({ userId: owner.id, role: 'admin' })).toEqual({ changed: true });
    const changes = (await auditRows('user.role_changed')).slice(-2).map((r) => JSON.parse(r.details!));
    expect(changes).toEqual([{ from: 'admin', to: 'builder' }, { from: 'builder', to: 'admin' }]);
  });

  it('survives two admins demoting each other at the same moment: one change wins', async () => {
    const second = await server.db.user.findUniqueOrThrow({ where: { email: 'pending-admin@example.com' } });
    const admins = await server.db.user.count({ where: { role: 'admin', status: 'active' } });
    expect(admins).toBe(2);
    const results = await Promise.allSettled([
      server.caller(admin).users.changeRole({ userId: owner.id, role: 'viewer' }),
      server.caller(admin).users.changeRole({ userId: second.id, role: 'viewer' }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(await server.db.user.count({ where: { role: 'admin', status: 'active' } })).toBe(1);
    // Put things back for the tests after.
    await server.caller(admin).users.changeRole({ userId: owner.id, role: 'admin' });
  });
});

describe('passwords', () => {
  it('an admin sets one: the account\'s sessions end, the new password works and the old does not', async () => {
    const user = await server.caller(admin).users.invite({ email: 'fay@example.com', role: 'viewer' });
    const session = (await rpc('users.acceptLink', { token: tokenOf(user.path), password: PASSWORD })).cookie;
    const reset = await rpc('users.setPassword', { userId: user.userId, password: 'the new long password' }, { cookie: ownerCookie });
    expect(reset.status).toBe(200);
    expect((await rpc('workflow.list', undefined, { cookie: session, query: true })).status).toBe(401);
    expect((await signIn('fay@example.com')).status).toBe(401);
    expect((await signIn('fay@example.com', 'the new long password')).status).toBe(200);
    const event = (await auditRows('user.password_reset')).at(-1)!;
    expect(JSON.parse(event.details!)).toEqual({ method: 'set_by_admin' });
    expect(JSON.stringify(await server.db.auditEvent.findMany())).not.toContain('the new long password');
  });

  it('an admin resetting their own password keeps their own session', async () => {
    const mine = await rpc('users.setPassword', { userId: owner.id, password: PASSWORD }, { cookie: ownerCookie });
    expect(mine.status).toBe(200);
    expect((await rpc('users.list', undefined, { cookie: ownerCookie, query: true })).status).toBe(200);
  });

  it('a reset link sets a new password once and signs in; the old password works until then', async () => {
    const user = await server.db.user.findUniqueOrThrow({ where: { email: 'fay@example.com' } });
    const link = await server.caller(admin).users.createLink({ userId: user.id });
    expect(link.path).toMatch(/^\/reset-password\/[\w-]{43}$/);
    expect(link.purpose).toBe('reset');
    expect((await signIn('fay@example.com', 'the new long password')).status).toBe(200);
    expect((await rpc('users.link', { token: tokenOf(link.path) }, { query: true })).data).toMatchObject({ purpose: 'reset', email: 'fay@example.com' });
    const used = await rpc('users.acceptLink', { token: tokenOf(link.path), password: 'a third long password' });
    expect(used.status).toBe(200);
    expect((await signIn('fay@example.com', 'the new long password')).status).toBe(401);
    expect((await rpc('users.acceptLink', { token: tokenOf(link.path), password: 'a fourth long password' })).status).toBe(404);
    const methods = (await auditRows('user.password_reset')).slice(-2).map((r) => JSON.parse(r.details!).method);
    expect(methods).toEqual(['link_created', 'link_used']);
  });
});

describe('scheduling changes are audited in their transactions', () => {
  it('writes pause, resume, cancel, cancel-all, batch cancel and recurring switches with the acting admin', async () => {
    const me = server.caller({ ...owner, role: 'admin' });
    const target = await saveWorkflow(server, 'audited-target', graphWith([{ id: 'log', action: { type: 'log', message: 'hi' } }]));
    const later = new Date(Date.now() + 3_600_000);
    const { runId } = await me.scheduler.schedule({ environment: 'draft', workflowId: target, runAt: later, parameters: {} });
    await me.scheduler.cancel({ environment: 'draft', runId });
    // Cancelling it again changes nothing and is not an event.
    await expect(me.scheduler.cancel({ environment: 'draft', runId })).rejects.toThrow(/already ended/);
    expect(await auditRows('run.cancelled')).toEqual([expect.objectContaining({ actorId: owner.id, actorName: 'owner@example.com', targetType: 'run', targetId: runId })]);

    await me.scheduler.setPaused({ environment: 'draft', paused: true });
    await me.scheduler.setPaused({ environment: 'draft', paused: true });
    await me.scheduler.setPaused({ environment: 'draft', paused: false });
    expect((await auditRows('scheduler.paused')).map((r) => r.targetId)).toEqual(['draft']);
    expect((await auditRows('scheduler.resumed')).map((r) => r.targetId)).toEqual(['draft']);

    for (let i = 0; i < 3; i++) await me.scheduler.schedule({ environment: 'draft', workflowId: target, runAt: later, parameters: {} });
    expect(await me.scheduler.cancelAll({ environment: 'draft', confirm: 'draft' })).toEqual({ cancelled: 3 });
    const [all] = await auditRows('runs.cancelled_all');
    expect(JSON.parse(all!.details!)).toEqual({ cancelled: 3, batches: 0 });

    await me.scheduler.setChainDepthLimit({ environment: 'draft', limit: 7 });
    await me.scheduler.setChainDepthLimit({ environment: 'draft', limit: 100 });
    expect((await auditRows('settings.changed')).map((r) => JSON.parse(r.details!))).toEqual([{ from: 100, to: 7 }, { from: 7, to: 100 }]);
  });

  it('writes a batch cancel and recurring switches', async () => {
    const me = server.caller({ ...owner, role: 'admin' });
    const item = await saveWorkflow(server, 'audited-item', graphWith([{ id: 'log', action: { type: 'log', message: '{{name}}' } }]));
    const fan = await saveWorkflow(
      server,
      'audited-fan',
      graphWith(
        [
          {
            id: 'fan',
            title: 'Fan out',
            action: { type: 'scheduleOnList', workflowId: item, list: 'names', itemParameterId: 'p_name', parameters: {}, startDate: 'addDays(now, 1)', intervalSeconds: '0', ordered: false, onFinishWorkflowId: '' },
          },
          { id: 'ret', action: { type: 'returnData', entries: [{ id: 'e1', key: 'batch', value: '{{steps.fan_out}}' }] } },
        ],
        { parameters: [{ id: 'p_names', key: 'names', type: 'text', list: true, optional: false }] },
      ),
    );
    expect(fan).toBeTruthy();
    const call = await fetch(`${server.url}/version-test/api/1.1/wf/audited-fan`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ names: ['a', 'b'] }) });
    const body = (await call.json()) as Json;
    expect(call.status).toBe(200);
    await me.scheduler.cancelBatch({ environment: 'draft', batchId: body.response.batch });
    expect(await auditRows('batch.cancelled')).toEqual([expect.objectContaining({ targetType: 'batch', targetId: body.response.batch, actorId: owner.id })]);

    const recurring = await saveWorkflow(server, 'audited-recurring', {
      schemaVersion: 2,
      nodes: [
        {
          id: 'event',
          type: 'recurringEvent',
          position: { x: 0, y: 0 },
          data: { schedule: { kind: 'every', every: 1, unit: 'days', startAt: null, timeZone: null, missed: 'skip' }, settings: (await import('@switchyard/workflow')).DEFAULT_SETTINGS },
        },
      ],
      edges: [],
    });
    await me.recurring.setEnabled({ workflowId: recurring, environment: 'draft', enabled: true });
    await me.recurring.setEnabled({ workflowId: recurring, environment: 'draft', enabled: true });
    await me.recurring.setEnabled({ workflowId: recurring, environment: 'draft', enabled: false });
    const switches = await auditRows('recurring.switched');
    expect(switches.map((r) => [r.targetId, r.targetLabel, JSON.parse(r.details!)])).toEqual([
      [recurring, 'audited-recurring', { environment: 'draft', enabled: true }],
      [recurring, 'audited-recurring', { environment: 'draft', enabled: false }],
    ]);
  });
});

describe('the audit log', () => {
  it('pages newest first with a keyset cursor: every event once, in order, across pages', async () => {
    const all = await server.db.auditEvent.findMany({ orderBy: { id: 'desc' } });
    expect(all.length).toBeGreaterThan(30);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await server.caller(admin).audit.list({ limit: 7, ...(cursor && { cursor }) });
      expect(page.events.length).toBeLessThanOrEqual(7);
      seen.push(...page.events.map((e) => e.id));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(Math.ceil(all.length / 7));
    expect(seen).toEqual(all.map((e) => e.id));
  });

  it('filters by action, by actor and by date range, and pages within a filter', async () => {
    const caller = server.caller(admin);
    const invited = await caller.audit.list({ actions: ['user.invited'], limit: 2 });
    expect(invited.events.every((e) => e.action === 'user.invited')).toBe(true);
    const rest = await caller.audit.list({ actions: ['user.invited'], limit: 100, cursor: invited.nextCursor! });
    expect([...invited.events, ...rest.events].map((e) => e.id)).toEqual((await auditRows('user.invited')).map((r) => r.id).reverse());

    const byOwner = await caller.audit.list({ actor: { kind: 'user', userId: owner.id }, limit: 200 });
    expect(byOwner.events.length).toBeGreaterThan(10);
    expect(byOwner.events.every((e) => e.actor.kind === 'user' && e.actor.id === owner.id)).toBe(true);
    const anonymous = await caller.audit.list({ actor: { kind: 'anonymous' }, limit: 200 });
    expect(anonymous.events.map((e) => e.action)).toEqual(expect.arrayContaining(['auth.sign_in_failed']));
    expect(new Set(anonymous.events.map((e) => e.action))).toEqual(new Set(['auth.sign_in_failed']));

    const rows = await server.db.auditEvent.findMany({ orderBy: { id: 'asc' } });
    const from = rows[5]!.at;
    const to = rows[10]!.at;
    const range = await caller.audit.list({ from, to, limit: 200 });
    const expected = rows.filter((r) => r.at >= from && r.at < to).map((r) => r.id).reverse();
    expect(range.events.map((e) => e.id)).toEqual(expected);
    expect(range.events.length).toBeGreaterThan(0);
  });

  it('bounds its inputs with clear errors', async () => {
    await expect(server.caller(admin).audit.list({ limit: 5000 })).rejects.toThrow(/limit: /);
    await expect(server.caller(admin).audit.list({ actions: ['user.exploded' as never] })).rejects.toThrow(/actions\.0: /);
  });
});

describe('audit events themselves', () => {
  it('redact secret-looking details and bound their size', async () => {
    const { detailsJson, MAX_DETAILS_CHARS } = await import('../src/services/audit.ts');
    const stored = JSON.parse(detailsJson({ password: 'hunter2hunter2', tokenId: 't1', nested: { signingSecret: 's3cr3t', label: 'ok' }, apiKey: 'k' })!);
    expect(stored).toEqual({ password: '[redacted]', tokenId: 't1', nested: { signingSecret: '[redacted]', label: 'ok' }, apiKey: '[redacted]' });
    expect(detailsJson({})).toBeNull();
    const huge = detailsJson({ list: Array.from({ length: 500 }, (_, i) => 'x'.repeat(400) + i) })!;
    expect(huge.length).toBeLessThanOrEqual(MAX_DETAILS_CHARS);
  });

  it('name the command line as the actor of accounts it creates', async () => {
    const { createUser } = await import('../src/services/accounts.ts');
    const made = await createUser(server.db, { email: 'cli-made@example.com', password: PASSWORD, role: 'viewer' });
    const [event] = await server.db.auditEvent.findMany({ where: { action: 'user.created', targetId: made.id } });
    expect(event).toMatchObject({ actorKind: 'cli', actorId: null, actorName: null, targetLabel: 'cli-made@example.com' });
  });

  it('are deleted past AUDIT_RETENTION_DAYS by the retention sweep, newer ones kept', async () => {
    const { audit, SYSTEM_ACTOR } = await import('../src/services/audit.ts');
    const sweeping = await startTestServer({ RETENTION_SWEEP_SECONDS: '1', AUDIT_RETENTION_DAYS: '30' });
    try {
      const day = 86_400_000;
      await audit(sweeping.db, { actor: SYSTEM_ACTOR, action: 'settings.changed', details: { age: 'old' }, at: new Date(Date.now() - 31 * day) });
      await audit(sweeping.db, { actor: SYSTEM_ACTOR, action: 'settings.changed', details: { age: 'recent' }, at: new Date(Date.now() - 29 * day) });
      await eventually(async () => ((await sweeping.db.auditEvent.count()) === 1 ? true : undefined), 100);
      expect((await sweeping.db.auditEvent.findFirstOrThrow()).details).toBe('{"age":"recent"}');
    } finally {
      await sweeping.stop();
    }
  });
});
