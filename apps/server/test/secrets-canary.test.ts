import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { OPEN_ENDPOINT } from '@switchyard/workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from '../src/trpc/router.ts';
import { sign } from '../src/services/signatures.ts';
import { type TestServer, sampleGraph, startTestServer } from './helpers.ts';

// A canary secret is planted through the real HTTP API, then looked for everywhere it must not be:
// the database file's bytes (with its WAL), the server's whole log at the most verbose level, and
// every tRPC query's answer. Only the create and rotate answers that set a value may carry it.

const canary = `whsec_CANARY${randomBytes(16).toString('hex')}`;
const rotatedCanary = `rotated-CANARY-${randomBytes(16).toString('hex')}`;
/** The forms a leak could take: as is, in hex, in base64. */
const forms = (value: string) => [value, Buffer.from(value).toString('hex'), Buffer.from(value).toString('base64').replace(/=+$/, '')];
const leaks = (haystack: Buffer | string) => {
  const bytes = typeof haystack === 'string' ? Buffer.from(haystack) : haystack;
  return [canary, rotatedCanary].flatMap(forms).filter((form) => bytes.includes(Buffer.from(form)));
};

let server: TestServer;
const logLines: string[] = [];
let cookie = '';

beforeAll(async () => {
  const logTo = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  server = await startTestServer({ LOG_LEVEL: 'trace' }, { logTo });
  const setup = await fetch(`${server.url}/trpc/auth.setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ json: { email: 'owner@example.com', password: 'a very long password' } }),
  });
  cookie = setup.headers.get('set-cookie')!.split(';')[0]!;
});
afterAll(async () => {
  await server.close();
  rmSync(server.dataDir, { recursive: true, force: true });
});

async function mutation(name: string, input: unknown) {
  const response = await fetch(`${server.url}/trpc/${name}`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/json' },
    body: JSON.stringify({ json: input }),
  });
  return { status: response.status, text: await response.text() };
}

async function query(name: string, input?: unknown) {
  const search = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
  const response = await fetch(`${server.url}/trpc/${name}${search}`, { headers: { cookie } });
  return { status: response.status, text: await response.text() };
}

function databaseBytes(): Buffer {
  const file = path.join(server.dataDir, 'switchyard.db');
  return Buffer.concat([file, `${file}-wal`, `${file}-shm`].filter((f) => existsSync(f)).map((f) => readFileSync(f)));
}

describe('a planted secret', () => {
  it('is answered once by create and rotate, and found nowhere else', async () => {
    const created = await mutation('secrets.create', { name: 'Canary', value: canary });
    expect(created.status).toBe(200);
    expect(created.text).toContain(canary);
    const id = (JSON.parse(created.text) as { result: { data: { json: { secret: { id: string } } } } }).result.data.json.secret.id;

    // Refused calls that name the secret do not echo its value.
    const answers: { what: string; text: string }[] = [];
    answers.push({ what: 'duplicate create', ...(await mutation('secrets.create', { name: 'Canary', value: canary })) });
    answers.push({ what: 'create with a bad name', ...(await mutation('secrets.create', { name: '', value: canary })) });
    answers.push({ what: 'create with too long a value', ...(await mutation('secrets.create', { name: 'Long', value: `${canary}${'x'.repeat(5000)}` })) });

    // A workflow checks signatures with it (so it appears in "used by"), and it is rotated.
    const graph = sampleGraph();
    const event = graph.nodes[0]!;
    if (event.type === 'apiEvent') event.data.endpoint = { ...OPEN_ENDPOINT, signature: { scheme: 'stripe', secretIds: [id] } };
    const made = JSON.parse((await mutation('workflow.create', { name: 'canary-hook', label: 'Canary hook' })).text) as { result: { data: { json: { id: string } } } };
    const workflowId = made.result.data.json.id;
    answers.push({ what: 'workflow.save', ...(await mutation('workflow.save', { id: workflowId, graph })) });
    answers.push({ what: 'delete in use', ...(await mutation('secrets.delete', { id })) });
    const rotated = await mutation('secrets.rotate', { id, value: rotatedCanary });
    expect(rotated.text).toContain(rotatedCanary);
    expect(rotated.text).not.toContain(canary);
    answers.push({ what: 'release.deploy', ...(await mutation('release.deploy', {})) });
    expect(await server.secrets.reveal(id)).toBe(rotatedCanary);

    // Signed calls, good and bad, live and draft, and a test call signed by the server: their
    // answers, headers and run records hold no secret.
    const body = JSON.stringify({ amount: 3, note: 'signed' });
    const signedCall = async (what: string, path: string, headers: Record<string, string>) => {
      const response = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      answers.push({ what, text: `${JSON.stringify([...response.headers])}${await response.text()}` });
      return response.status;
    };
    expect(await signedCall('signed live call', '/api/1.1/wf/canary-hook', sign('stripe', rotatedCanary, body, { now: new Date() }))).toBe(200);
    expect(await signedCall('call signed with the old value', '/api/1.1/wf/canary-hook', sign('stripe', canary, body, { now: new Date() }))).toBe(401);
    expect(await signedCall('unsigned call', '/version-test/api/1.1/wf/canary-hook', {})).toBe(401);
    const signTest = await mutation('workflow.signTest', { id: workflowId, body });
    answers.push({ what: 'workflow.signTest', ...signTest });
    const testHeaders = (JSON.parse(signTest.text) as { result: { data: { json: { headers: Record<string, string> } } } }).result.data.json.headers;
    expect(await signedCall('test call signed by the server', '/version-test/api/1.1/wf/canary-hook', { ...testHeaders, cookie, 'x-switchyard-trigger': 'test' })).toBe(200);

    // Every query of the API, with each input it might take.
    const queries = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>)
      .filter(([, procedure]) => procedure._def.type === 'query')
      .map(([name]) => name);
    expect(queries).toContain('secrets.list');
    for (const name of queries) {
      for (const input of [undefined, {}, { id }, { id: workflowId }, { workflowId }]) {
        answers.push({ what: `${name} ${JSON.stringify(input)}`, ...(await query(name, input)) });
      }
    }
    const list = answers.find((a) => a.what === 'secrets.list undefined')!;
    expect(list.text).toContain('Canary');
    expect(list.text).toContain('canary-hook');

    for (const answer of answers) expect({ what: answer.what, leaks: leaks(answer.text) }).toEqual({ what: answer.what, leaks: [] });
    expect(leaks(databaseBytes())).toEqual([]);

    // After a clean stop, the WAL is checkpointed into the file: still nothing.
    await server.close();
    expect(leaks(databaseBytes())).toEqual([]);
    expect(logLines.length).toBeGreaterThan(0);
    expect(leaks(logLines.join(''))).toEqual([]);
    // The key file is not in the database folder's dump, and the dump has the ciphertext.
    expect(existsSync(path.join(server.dataDir, 'secret.key'))).toBe(true);
  });
});
