import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { OPEN_ENDPOINT, type WorkflowGraph } from '@switchyard/workflow';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, SecretKey, loadConfig } from '../src/config.ts';
import { KEY_FILE_NAME, SecretBox, openSecretBox } from '../src/services/secretBox.ts';
import { MAX_SECRETS, SECRET_CACHE_MS } from '../src/services/secrets.ts';
import { sign, verifySignature } from '../src/services/signatures.ts';
import { appRouter } from '../src/trpc/router.ts';
import { type TestServer, admin, builder, sampleGraph, saveWorkflow, startTestServer, viewer } from './helpers.ts';

const error = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (e) {
    return e instanceof TRPCError ? { code: e.code, message: e.message } : { code: 'not a TRPCError', message: String(e) };
  }
  return { code: 'resolved', message: '' };
};

/** sampleGraph() whose endpoint checks `scheme` signatures with the given secrets. */
function signedGraph(secretIds: string[], scheme: 'github' | 'stripe' | 'standard_webhooks' = 'github'): WorkflowGraph {
  const graph = sampleGraph();
  const event = graph.nodes[0]!;
  if (event.type !== 'apiEvent') throw new Error('sampleGraph starts with an API event');
  event.data.endpoint = { ...OPEN_ENDPOINT, signature: { scheme, secretIds } };
  return graph;
}

describe('a key file put in place by hand', () => {
  it('is made readable by its owner only when it is read', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'switchyard-key-'));
    try {
      const file = path.join(dir, KEY_FILE_NAME);
      writeFileSync(file, `${Buffer.alloc(32, 7).toString('base64')}\n`, { mode: 0o644 });
      openSecretBox({ dataDir: dir, secretKey: null }, { warn: () => {} });
      expect(statSync(file).mode & 0o777).toBe(0o600);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SecretBox', () => {
  const box = new SecretBox(Buffer.alloc(32, 7));

  it('seals with a fresh IV each time and opens only with the same key and context', () => {
    const a = box.seal('whsec_value', 'sec_a');
    const b = box.seal('whsec_value', 'sec_a');
    expect(Buffer.from(a.iv).equals(Buffer.from(b.iv))).toBe(false);
    expect(Buffer.from(a.ciphertext).toString('utf8')).not.toContain('whsec');
    expect(box.open(a, 'sec_a')).toBe('whsec_value');
    // Bound to its row: the same ciphertext under another id does not open.
    expect(() => box.open(a, 'sec_b')).toThrow('failed its integrity check');
    const flipped = Buffer.from(a.ciphertext);
    flipped[0]! ^= 1;
    expect(() => box.open({ ...a, ciphertext: flipped }, 'sec_a')).toThrow('failed its integrity check');
  });

  it('names a changed key instead of failing obscurely', () => {
    const other = new SecretBox(Buffer.alloc(32, 8));
    expect(other.keyId).not.toBe(box.keyId);
    expect(() => other.open(box.seal('x', 'id'), 'id')).toThrow(`encrypted with key ${box.keyId}, but this server's key is ${other.keyId}`);
    expect(JSON.stringify({ box })).toBe(`{"box":"SecretBox ${box.keyId}"}`);
  });
});

describe('the secret key', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'switchyard-key-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is generated on first start in the data folder (0600) with one loud warning, then read back', () => {
    const warnings: string[] = [];
    const log = { warn: (message: string) => void warnings.push(message) };
    const dataDir = path.join(dir, 'data');
    const first = openSecretBox({ dataDir, secretKey: null }, log as never);
    const file = path.join(dataDir, KEY_FILE_NAME);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(file);
    expect(warnings[0]).toMatch(/BACK IT UP.*losing it loses every stored secret/);
    expect(warnings[0]).not.toContain(readFileSync(file, 'utf8').trim());

    const again = openSecretBox({ dataDir, secretKey: null }, log as never);
    expect(again.keyId).toBe(first.keyId);
    expect(warnings).toHaveLength(1);
    expect(again.open(first.seal('kept', 'id'), 'id')).toBe('kept');
  });

  it('comes from SECRET_KEY when set (base64 or hex), which is validated and never printed', () => {
    const key = Buffer.alloc(32, 3);
    const fromBase64 = loadConfig({ SECRET_KEY: key.toString('base64') }).secretKey!;
    const fromHex = loadConfig({ SECRET_KEY: key.toString('hex') }).secretKey!;
    expect(fromBase64.bytes.equals(key) && fromHex.bytes.equals(key)).toBe(true);
    expect(JSON.stringify(loadConfig({ SECRET_KEY: key.toString('hex') }))).not.toContain(key.toString('hex'));
    expect(String(JSON.stringify(fromBase64))).toBe('"[redacted]"');
    const box = openSecretBox({ dataDir: path.join(dir, 'unused'), secretKey: new SecretKey(key) }, { warn: () => {} } as never);
    expect(box.keyId).toBe(new SecretBox(key).keyId);

    expect(() => loadConfig({ SECRET_KEY: 'too-short' })).toThrow(ConfigError);
    expect(() => loadConfig({ SECRET_KEY: Buffer.alloc(16).toString('base64') })).toThrow(/SECRET_KEY must be 32 bytes written as base64 \(44 characters\) or hex/);
    try {
      loadConfig({ SECRET_KEY: 'not a key but a secret-ish string' });
    } catch (e) {
      expect((e as Error).message).not.toContain('secret-ish');
    }
  });

  it('refuses to start on a key file that is not a key, in one line', () => {
    const dataDir = path.join(dir, 'broken');
    openSecretBox({ dataDir, secretKey: null }, { warn: () => {} } as never);
    writeFileSync(path.join(dataDir, KEY_FILE_NAME), 'garbage\n');
    expect(() => openSecretBox({ dataDir, secretKey: null }, { warn: () => {} } as never)).toThrow(
      new ConfigError(`The secret key file ${path.join(dataDir, KEY_FILE_NAME)} does not hold a 32-byte key in base64 or hex: restore it from your backup`),
    );
  });
});

describe('the secrets store over tRPC', () => {
  let server: TestServer;
  let now = new Date('2026-11-25T12:00:00Z');
  beforeAll(async () => {
    server = await startTestServer({}, { clock: () => now });
  });
  afterAll(() => server.stop());

  it('stores a pasted value, shows it once, and lists only names and dates', async () => {
    const created = await server.caller(builder).secrets.create({ name: '  Stripe live  ', value: '  whsec_pasted_value_123\n' });
    expect(created.value).toBe('whsec_pasted_value_123');
    expect(created.secret).toMatchObject({ name: 'Stripe live', purpose: 'signing', createdBy: builder.email, usedBy: [] });
    expect(created.secret.id).toMatch(/^sec_[0-9a-f]{32}$/);
    const list = await server.caller(admin).secrets.list();
    expect(list.find((s) => s.id === created.secret.id)).toEqual(created.secret);
    expect(JSON.stringify(list)).not.toContain('whsec_pasted_value_123');
    expect(await server.secrets.reveal(created.secret.id)).toBe('whsec_pasted_value_123');
  });

  it('generates a whsec_ value when none is given, usable for signing at once', async () => {
    const { secret, value } = await server.caller(admin).secrets.create({ name: 'Generated' });
    expect(value).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    const body = Buffer.from('{"a":1}');
    const headers = sign('standard_webhooks', value, body, { now });
    const secrets = await server.secrets.revealMany([secret.id]);
    expect(verifySignature('standard_webhooks', { body, headers }, secrets, { now })).toEqual({ ok: true });
  });

  it('refuses bad input saying what is wrong, and writes nothing', async () => {
    const before = await server.db.secret.count();
    const caller = server.caller(builder);
    expect(await error(caller.secrets.create({ name: '', value: 'x' }))).toEqual({ code: 'BAD_REQUEST', message: 'name: Give the secret a name' });
    expect(await error(caller.secrets.create({ name: 'a\u0007b' }))).toMatchObject({ message: "name: A secret's name cannot contain control characters" });
    expect(await error(caller.secrets.create({ name: 'Empty', value: '   ' }))).toMatchObject({
      message: 'value: The value is empty: paste the secret, or leave it out to generate one',
    });
    expect(await error(caller.secrets.create({ name: 'Huge', value: 'x'.repeat(4097) }))).toMatchObject({ message: 'value: A secret is at most 4096 characters' });
    expect(await error(caller.secrets.create({ name: 'Other', purpose: 'smtp_password' as never }))).toMatchObject({ code: 'BAD_REQUEST' });
    expect(await error(caller.secrets.create({ name: 'Stripe live', value: 'another' }))).toEqual({ code: 'CONFLICT', message: 'A secret called "Stripe live" already exists' });
    expect(await server.db.secret.count()).toBe(before);
  });

  it('lets builders and admins list, create and rotate; only admins delete; viewers and strangers nothing', async () => {
    const { secret } = await server.caller(builder).secrets.create({ name: 'Roles' });
    expect((await error(server.caller(viewer).secrets.list())).code).toBe('FORBIDDEN');
    expect((await error(server.caller(viewer).secrets.create({ name: 'Nope' }))).code).toBe('FORBIDDEN');
    expect((await error(server.caller(null).secrets.list())).code).toBe('UNAUTHORIZED');
    expect((await error(server.caller(builder).secrets.rotate({ id: secret.id }))).code).toBe('resolved');
    expect((await error(server.caller(builder).secrets.delete({ id: secret.id }))).code).toBe('FORBIDDEN');
    expect((await error(server.caller(admin).secrets.delete({ id: secret.id }))).code).toBe('resolved');
    expect(await error(server.caller(admin).secrets.delete({ id: secret.id }))).toEqual({ code: 'NOT_FOUND', message: 'This secret does not exist (it may have been deleted)' });
    // Nothing returns a stored value: there is no procedure for it.
    const procedures = Object.keys(appRouter._def.procedures).filter((name) => name.startsWith('secrets.'));
    expect(procedures.sort()).toEqual(['secrets.create', 'secrets.delete', 'secrets.list', 'secrets.rotate']);
  });

  it('rotates the value under the same id, so a workflow that refers to it needs no edit', async () => {
    const { secret, value: first } = await server.caller(admin).secrets.create({ name: 'Rotated' });
    await saveWorkflow(server, 'rotated-hook', signedGraph([secret.id]));
    expect(await server.secrets.revealMany([secret.id])).toEqual([first]);
    const rotated = await server.caller(builder).secrets.rotate({ id: secret.id, value: 'the new value' });
    expect(rotated.value).toBe('the new value');
    expect(rotated.secret).toMatchObject({ id: secret.id, name: 'Rotated', usedBy: [{ name: 'rotated-hook' }] });
    // The cache is cleared by a rotation in this process at once.
    expect(await server.secrets.revealMany([secret.id])).toEqual(['the new value']);
    expect(await error(server.caller(admin).secrets.rotate({ id: 'sec_missing' }))).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses to delete a secret a saved workflow checks signatures with, naming the workflows', async () => {
    const { secret } = await server.caller(admin).secrets.create({ name: 'In use' });
    const other = (await server.caller(admin).secrets.create({ name: 'Other' })).secret;
    const a = await saveWorkflow(server, 'uses-it-a', signedGraph([secret.id], 'stripe'));
    await saveWorkflow(server, 'uses-it-b', signedGraph([other.id, secret.id], 'standard_webhooks'));
    expect((await server.caller(admin).secrets.list()).find((s) => s.id === secret.id)?.usedBy.map((w) => w.name)).toEqual(['uses-it-a', 'uses-it-b']);
    expect(await error(server.caller(admin).secrets.delete({ id: secret.id }))).toEqual({
      code: 'CONFLICT',
      message: '"In use" is used to check the signatures of "uses-it-a", "uses-it-b": choose another secret there first',
    });
    expect(await server.db.secret.count({ where: { id: secret.id } })).toBe(1);

    await server.caller(builder).workflow.save({ id: a, graph: sampleGraph() });
    await server.caller(builder).workflow.delete({ id: (await server.db.workflow.findUniqueOrThrow({ where: { name: 'uses-it-b' } })).id });
    await server.caller(admin).secrets.delete({ id: secret.id });
    expect(await server.secrets.revealMany([secret.id])).toEqual([]);
    expect(await server.secrets.missing([secret.id, other.id])).toEqual([secret.id]);
  });

  it('keeps at most MAX_SECRETS secrets', async () => {
    const have = await server.db.secret.count();
    const filler = Array.from({ length: MAX_SECRETS - have }, (_, i) => ({
      id: `sec_filler_${i}`,
      name: `Filler ${i}`,
      purpose: 'signing',
      ciphertext: new Uint8Array(1),
      iv: new Uint8Array(12),
      authTag: new Uint8Array(16),
      keyId: 'filler',
      createdBy: 'test',
    }));
    await server.db.secret.createMany({ data: filler });
    expect(await error(server.caller(admin).secrets.create({ name: 'One too many' }))).toEqual({
      code: 'CONFLICT',
      message: `There are already ${MAX_SECRETS} secrets: delete some first`,
    });
    await server.db.secret.deleteMany({ where: { id: { startsWith: 'sec_filler_' } } });
  });

  it('keeps decrypted values for a few seconds only, so a rotation by another process is seen soon', async () => {
    const { secret } = await server.caller(admin).secrets.create({ name: 'Cached', value: 'one' });
    expect(await server.secrets.revealMany([secret.id])).toEqual(['one']);
    // Another process rotates it: this process's cache does not know.
    const { SecretStore } = await import('../src/services/secrets.ts');
    const box = openSecretBox({ dataDir: server.dataDir, secretKey: null }, { warn: () => {} } as never);
    await new SecretStore(server.db, box).rotate({ id: secret.id, value: 'two' }, { kind: 'cli' });
    expect(await server.secrets.revealMany([secret.id])).toEqual(['one']);
    now = new Date(now.getTime() + SECRET_CACHE_MS + 1);
    expect(await server.secrets.revealMany([secret.id, 'sec_unknown', secret.id])).toEqual(['two', 'two']);
  });
});

describe('checkEndpointSignature', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  it('passes without a signature setting, and checks with the stored secrets otherwise', async () => {
    const { checkEndpointSignature } = await import('../src/services/signatureCheck.ts');
    const now = new Date();
    const body = Buffer.from('{"event":"push"}');
    const { secret, value } = await server.caller(admin).secrets.create({ name: 'Endpoint check' });
    const signature = { scheme: 'stripe' as const, secretIds: ['sec_gone', secret.id] };
    expect(await checkEndpointSignature(server.secrets, null, { body, headers: {} }, now)).toEqual({ ok: true });
    expect(await checkEndpointSignature(server.secrets, signature, { body, headers: sign('stripe', value, body, { now }) }, now)).toEqual({ ok: true });
    expect(await checkEndpointSignature(server.secrets, signature, { body, headers: {} }, now)).toEqual({ ok: false, reason: 'no Stripe-Signature header' });
    expect(await checkEndpointSignature(server.secrets, { scheme: 'github', secretIds: ['sec_gone'] }, { body, headers: sign('github', value, body, { now }) }, now)).toEqual({
      ok: false,
      reason: "none of this workflow's signing secrets exists any more: choose one in the editor",
    });
  });

  it("signs a test request with the endpoint's first existing secret, which then verifies", async () => {
    const { checkEndpointSignature, signForTest } = await import('../src/services/signatureCheck.ts');
    const now = new Date();
    const body = '{"test":true}';
    const { secret } = await server.caller(admin).secrets.create({ name: 'Test panel' });
    for (const scheme of ['standard_webhooks', 'stripe', 'github'] as const) {
      const signature = { scheme, secretIds: ['sec_gone', secret.id] };
      const headers = await signForTest(server.secrets, signature, body, now);
      expect(JSON.stringify(headers)).not.toContain(await server.secrets.reveal(secret.id));
      expect(await checkEndpointSignature(server.secrets, signature, { body: Buffer.from(body), headers }, now)).toEqual({ ok: true });
    }
    await expect(signForTest(server.secrets, { scheme: 'github', secretIds: ['sec_gone'] }, body, now)).rejects.toThrow('None of this workflow');
  });
});
