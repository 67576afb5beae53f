// Item 10 of the Workflow API issue ("Hardening from the probe"), over real HTTP against real
// servers: sign-in delays that nobody can turn into a lockout from elsewhere, first-admin setup only
// for this machine or PUBLIC_URL, owner-only data files, security headers, HEAD /, query strings
// kept out of logs, the header timeout and the per-address connection cap.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';
import { createLogger, redactQueryStrings } from '../src/logger.ts';
import { startServer } from '../src/server.ts';
import { createUser } from '../src/services/accounts.ts';
import { MAX_LOCKOUTS_LISTED, listLockouts } from '../src/services/lockouts.ts';
import { FREE_FAILURES, LoginLimiter } from '../src/services/loginLimiter.ts';
import { type TestServer, eventually, startTestServer } from './helpers.ts';
import { exited } from './processes.ts';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One HTTP request on its own connection, optionally from another loopback address (127.0.0.0/8 is all this machine). */
function request(
  base: string,
  target: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; from?: string } = {},
): Promise<Answer> {
  const url = new URL(target, base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method: options.method ?? 'GET', headers: options.headers, localAddress: options.from, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A tRPC call over HTTP as the web app makes it (superjson envelope), with an optional session cookie. */
async function trpc(base: string, procedure: string, input: unknown, options: { cookie?: string; from?: string; headers?: Record<string, string>; query?: boolean } = {}) {
  const headers: Record<string, string> = { ...(options.cookie && { cookie: options.cookie }), ...options.headers };
  const answer = options.query
    ? await request(base, `/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`, { headers, from: options.from })
    : await request(base, `/trpc/${procedure}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ json: input }), from: options.from });
  // tRPC's envelope, or the plain {error} of the API's own checks (cross-origin, content type).
  const parsed = JSON.parse(answer.body) as { result?: { data: { json: unknown } }; error?: { json: { message: string } } | string };
  const cookie = answer.headers['set-cookie']?.[0]?.split(';')[0];
  return { status: answer.status, data: parsed.result?.data.json, message: typeof parsed.error === 'string' ? parsed.error : parsed.error?.json.message, cookie };
}

const ADMIN = { email: 'admin@example.com', password: 'correct horse battery' };
const A = '127.0.0.2';
const B = '127.0.0.3';

describe('sign-in delays', () => {
  let server: TestServer;
  let adminCookie: string;
  beforeAll(async () => {
    server = await startTestServer();
    const setup = await trpc(server.url, 'auth.setup', ADMIN);
    expect(setup.status).toBe(200);
    adminCookie = setup.cookie!;
  });
  afterAll(() => server.stop());

  it('delays guesses from one address, never the right password from another, and admins can clear the delay', async () => {
    const login = (from: string, password: string) => trpc(server.url, 'auth.login', { email: ADMIN.email, password }, { from });
    for (let i = 0; i < FREE_FAILURES; i++) expect((await login(A, 'wrong password!')).status).toBe(401);
    const delayed = await login(A, 'wrong password!');
    expect(delayed).toMatchObject({ status: 429, message: expect.stringMatching(/^Too many failed sign-ins from your address\. Try again in \d+ seconds?\.$/) });
    // The right password from the guessing address waits too...
    expect((await login(A, ADMIN.password)).status).toBe(429);
    // ...but not from anywhere else: nobody can lock the admin out from elsewhere.
    const fromB = await login(B, ADMIN.password);
    expect(fromB.status).toBe(200);

    // Admins see who waits, from where, and clear it.
    const list = await trpc(server.url, 'lockout.list', undefined, { cookie: fromB.cookie!, query: true });
    const admin = await server.db.user.findUniqueOrThrow({ where: { email: ADMIN.email } });
    expect(list.data).toEqual({ lockouts: [{ userId: admin.id, email: ADMIN.email, address: A, failures: FREE_FAILURES, blockedUntil: expect.any(String) }], total: 1 });
    expect((await trpc(server.url, 'lockout.unlock', { userId: admin.id }, { cookie: adminCookie })).data).toEqual({ email: ADMIN.email, addressesCleared: 1 });
    expect(await server.db.auditEvent.count({ where: { action: 'user.unlocked', targetId: admin.id } })).toBe(1);
    expect((await login(A, ADMIN.password)).status).toBe(200);
    expect((await trpc(server.url, 'lockout.list', undefined, { cookie: adminCookie, query: true })).data).toEqual({ lockouts: [], total: 0 });
  });

  it('lists at most 200 waiting pairs, longest wait first, and says how many there are', async () => {
    let now = Date.parse('2026-11-25T12:00:00Z');
    const limiter = new LoginLimiter(() => now);
    const guess = (address: number) => limiter.spendAttempt(`10.0.${Math.floor(address / 250)}.${address % 250}`, 'someone@example.com');
    // One address keeps guessing as soon as it may: its waits grow (1 s, 2 s, 4 s, then 8 s).
    for (let i = 0; i < FREE_FAILURES; i++) await guess(7);
    for (const wait of [1000, 2000, 4000]) {
      now += wait;
      await guess(7);
    }
    for (let address = 0; address < MAX_LOCKOUTS_LISTED + 1; address++) {
      if (address !== 7) for (let i = 0; i < FREE_FAILURES; i++) await guess(address);
    }
    const { lockouts, total } = await listLockouts(server.db, limiter);
    expect(total).toBe(MAX_LOCKOUTS_LISTED + 1);
    expect(lockouts).toHaveLength(MAX_LOCKOUTS_LISTED);
    expect(lockouts[0]).toMatchObject({ userId: null, address: '10.0.0.7', failures: FREE_FAILURES + 3, blockedUntil: new Date(now + 8000) });
    expect(lockouts[1]).toMatchObject({ failures: FREE_FAILURES, blockedUntil: new Date(now + 1000) });
  });

  it('counts the client behind a trusted proxy (TRUST_PROXY), and ignores forwarded-for headers otherwise', async () => {
    const behindProxy = await startTestServer({ TRUST_PROXY: '127.0.0.1' });
    try {
      expect((await trpc(behindProxy.url, 'auth.setup', ADMIN)).status).toBe(200);
      const login = (client: string, password: string) => trpc(behindProxy.url, 'auth.login', { email: ADMIN.email, password }, { headers: { 'x-forwarded-for': client } });
      for (let i = 0; i < FREE_FAILURES; i++) expect((await login('203.0.113.9', 'wrong password!')).status).toBe(401);
      expect((await login('203.0.113.9', ADMIN.password)).status).toBe(429);
      // Every client reaches the server from the proxy's address, yet another client is not delayed.
      expect((await login('198.51.100.4', ADMIN.password)).status).toBe(200);
    } finally {
      await behindProxy.stop();
    }
    // Without TRUST_PROXY, anyone's forwarded-for header is ignored: it cannot pick a fresh address per guess.
    const guesses = [];
    for (let i = 0; i <= FREE_FAILURES; i++) {
      guesses.push((await trpc(server.url, 'auth.login', { email: ADMIN.email, password: 'wrong password!' }, { from: '127.0.0.9', headers: { 'x-forwarded-for': `192.0.2.${i}` } })).status);
    }
    expect(guesses).toEqual([...Array<number>(FREE_FAILURES).fill(401), 429]);
    expect(() => loadConfig({ TRUST_PROXY: 'the proxy' })).toThrow(/TRUST_PROXY must be true, false/);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).trustProxy).toBe('10.0.0.0/8,127.0.0.1');
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
  });

  it('lets only admins clear delays, and says so for an unknown account', async () => {
    await createUser(server.db, { email: 'viewer@example.com', password: 'viewer password 1', role: 'viewer' });
    const viewer = await trpc(server.url, 'auth.login', { email: 'viewer@example.com', password: 'viewer password 1' });
    const admin = await server.db.user.findUniqueOrThrow({ where: { email: ADMIN.email } });
    expect(await trpc(server.url, 'lockout.unlock', { userId: admin.id }, { cookie: viewer.cookie! })).toMatchObject({ status: 403 });
    expect(await trpc(server.url, 'lockout.unlock', { userId: 'no-such-user' }, { cookie: adminCookie })).toMatchObject({ status: 404, message: 'No account with id no-such-user' });
  });
});

describe('first-admin setup', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ PUBLIC_URL: 'https://flows.example.com/' });
  });
  afterAll(() => server.stop());

  const status = async () => (await trpc(server.url, 'auth.status', undefined, { query: true })).data as { needsSetup: boolean };

  it('refuses a DNS-rebinding request (a foreign Host with its own same-origin Origin) and creates nothing', async () => {
    const port = new URL(server.url).port;
    const rebound = await trpc(server.url, 'auth.setup', ADMIN, { headers: { host: `evil.example:${port}`, origin: `http://evil.example:${port}` } });
    expect(rebound.status).toBe(403);
    expect(rebound.message).toBe(
      `First-admin setup is accepted only on localhost, 127.0.0.1 or [::1] or flows.example.com, and this request came for evil.example:${port}. ` +
        'Open Switchyard at one of those addresses, set PUBLIC_URL to the address you use, or create the admin on the server with: switchyard create-admin',
    );
    expect(await server.db.user.count()).toBe(0);
    expect(await status()).toEqual({ needsSetup: true, user: null });
  });

  it('accepts PUBLIC_URL and loopback names, and nothing else', async () => {
    const port = new URL(server.url).port;
    for (const headers of [
      { host: `evil.example:${port}` },
      { host: `127.0.0.1:${port}`, origin: 'http://evil.example' },
      { host: `127.0.0.1:${port}`, origin: 'null' },
      { host: 'flows.example.com.evil.example' },
      { host: 'localhost.evil.example', origin: 'http://localhost.evil.example' },
    ] as Record<string, string>[]) {
      const refused = await trpc(server.url, 'auth.setup', ADMIN, { headers });
      expect({ headers, status: refused.status }).toEqual({ headers, status: 403 });
    }
    expect(await server.db.user.count()).toBe(0);
    expect((await trpc(server.url, 'auth.setup', ADMIN, { headers: { host: 'flows.example.com', origin: 'https://flows.example.com' } })).status).toBe(200);
    expect(await server.db.user.count()).toBe(1);
  });

  it('limits setup attempts per address', async () => {
    const fresh = await startTestServer();
    try {
      const attempt = () => trpc(fresh.url, 'auth.setup', { email: 'x@example.com', password: 'short' }, { from: A });
      for (let i = 0; i < 10; i++) expect((await attempt()).status).toBe(400);
      expect(await attempt()).toMatchObject({ status: 429, message: expect.stringMatching(/^Too many setup attempts/) });
      expect((await trpc(fresh.url, 'auth.setup', ADMIN, { from: B })).status).toBe(200);
    } finally {
      await fresh.stop();
    }
  });
});

describe('PUBLIC_URL', () => {
  it('is validated at start', () => {
    expect(() => loadConfig({ PUBLIC_URL: 'flows.example.com' })).toThrow(ConfigError);
    expect(() => loadConfig({ PUBLIC_URL: 'ftp://flows.example.com' })).toThrow(/PUBLIC_URL must be an http:\/\/ or https:\/\/ URL/);
    expect(() => loadConfig({ PUBLIC_URL: 'https://flows.example.com/?x=1' })).toThrow(/must not have a query string/);
    expect(loadConfig({ PUBLIC_URL: 'https://flows.example.com/base/' }).publicUrl).toBe('https://flows.example.com/base');
    expect(loadConfig({}).publicUrl).toBeNull();
  });

  it('is what instance.info says, or else the address the browser used', async () => {
    for (const [env, expected] of [
      [{ PUBLIC_URL: 'https://flows.example.com/' }, { publicUrl: 'https://flows.example.com', publicUrlFromEnvironment: true }],
      [{}, null],
    ] as const) {
      const server = await startTestServer(env);
      try {
        const setup = await trpc(server.url, 'auth.setup', ADMIN);
        expect((await trpc(server.url, 'instance.info', undefined, { query: true })).status).toBe(401);
        const info = await trpc(server.url, 'instance.info', undefined, { cookie: setup.cookie!, query: true });
        expect(info.data).toEqual(expected ?? { publicUrl: server.url, publicUrlFromEnvironment: false });
      } finally {
        await server.stop();
      }
    }
  });
});

describe('the data folder', () => {
  it('is created readable by its owner only, and so are the database files', async () => {
    const parent = mkdtempSync(path.join(tmpdir(), 'switchyard-modes-'));
    const dataDir = path.join(parent, 'nested', 'data');
    const server = await startTestServer({}, { dataDir });
    try {
      await trpc(server.url, 'auth.setup', ADMIN); // some writes, so the WAL is in use
      const mode = (file: string) => (statSync(file).mode & 0o777).toString(8);
      expect(mode(dataDir)).toBe('700');
      expect(mode(path.join(parent, 'nested'))).toBe('700');
      for (const file of ['switchyard.db', 'switchyard.db-wal', 'switchyard.db-shm']) expect({ file, mode: mode(path.join(dataDir, file)) }).toEqual({ file, mode: '600' });
    } finally {
      await server.stop();
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it('tightens database files an older version left readable by others, the WAL of a running connection too', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'switchyard-modes-'));
    const file = path.join(dataDir, 'switchyard.db');
    // An older install's files, 0644, with a connection holding frames in the WAL (SQLite then
    // keeps using the -wal and -shm files as they are, modes included).
    const older = new Database(file);
    older.pragma('journal_mode = WAL');
    older.pragma('wal_autocheckpoint = 0');
    older.exec('CREATE TABLE old_rows (x); INSERT INTO old_rows VALUES (1), (2);');
    for (const name of [file, `${file}-wal`, `${file}-shm`]) chmodSync(name, 0o644);
    const server = await startTestServer({}, { dataDir });
    try {
      for (const name of [file, `${file}-wal`, `${file}-shm`]) expect({ name, mode: (statSync(name).mode & 0o777).toString(8) }).toEqual({ name, mode: '600' });
    } finally {
      older.close();
      await server.stop();
    }
  });

  it('that cannot be written stops the server with one clear line', async () => {
    // A folder under a regular file cannot be made by anyone, root included (permission bits mean
    // nothing to root, and running as another user would need that user to read this checkout).
    const parent = mkdtempSync(path.join(tmpdir(), 'switchyard-unwritable-'));
    const blocker = path.join(parent, 'a-file');
    writeFileSync(blocker, '');
    const dataDir = path.join(blocker, 'data');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: path.resolve(import.meta.dirname, '..'),
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info', LOG_PRETTY: 'false', TSX_DISABLE_CACHE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    await exited(child);
    rmSync(parent, { recursive: true, force: true });
    expect(child.exitCode).toBe(1);
    expect(stderr).toBe(
      `The data folder ${dataDir} cannot be written (a part of the path is a file, not a folder): set DATA_DIR to a folder this user may write, or fix its permissions\n`,
    );
  });
});

describe('every answer', () => {
  let server: TestServer;
  let webDist: string;
  beforeAll(async () => {
    webDist = mkdtempSync(path.join(tmpdir(), 'switchyard-web-'));
    writeFileSync(path.join(webDist, 'index.html'), '<!doctype html><title>Switchyard</title><div id="root"></div>');
    server = await startTestServer({ WEB_DIST: webDist });
  });
  afterAll(async () => {
    await server.stop();
    rmSync(webDist, { recursive: true, force: true });
  });

  it('carries the security headers: pages, the API, workflow endpoints, errors', async () => {
    const answers = [
      await request(server.url, '/'),
      await request(server.url, '/workflows/some-id'),
      await request(server.url, '/index.html'),
      await request(server.url, '/healthz'),
      await request(server.url, '/trpc/auth.status'),
      await request(server.url, '/trpc/workflow.list'),
      await request(server.url, '/api/1.1/wf/nothing', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }),
      await request(server.url, '/version-test/api/1.1/wf/nothing', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' }),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 401, 404, 415]);
    for (const answer of answers) {
      expect(answer.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(answer.headers['content-security-policy']).toContain("script-src 'self'");
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      expect(answer.headers['referrer-policy']).toBe('no-referrer');
      expect(answer.headers['x-frame-options']).toBe('DENY');
    }
    // Plain HTTP: no HSTS, and no upgrade of the app's own requests to an https:// that is not there.
    expect(answers[0]!.headers['strict-transport-security']).toBeUndefined();
    expect(answers[0]!.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
  });

  it('answers HEAD / like GET /, without the body', async () => {
    const get = await request(server.url, '/');
    const head = await request(server.url, '/', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers['content-type']).toBe(get.headers['content-type']);
    expect(get.body).toContain('<div id="root">');
    expect((await request(server.url, '/workflows', { method: 'HEAD' })).status).toBe(200);
  });
});

describe('logs', () => {
  it('never contain a query string value, wherever a URL appears', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const log = createLogger({ logLevel: 'trace', logPretty: false }, sink);
    const canary = 'canary-token-7f3a';
    log.info({ req: { method: 'GET', url: `/api/1.1/wf/x?api_token=${canary}` } }, 'request');
    log.info({ url: `/api/1.1/wf/x?a=1&api_token=${canary}`, nested: { deeper: { link: `https://flows.example.com/x?api_token=${canary}#top` } } }, 'nested');
    log.error({ err: new Error(`calling /version-test/api/1.1/wf/x?api_token=${canary} failed`) }, 'error');
    log.warn(`Nothing at GET /api/1.1/wf/x?api_token=${canary}`);
    log.info('Is this a question? Yes: a question mark outside a URL stays.');
    const text = lines.join('');
    expect(text).not.toContain(canary);
    expect(text).toContain('/api/1.1/wf/x?api_token=[redacted]');
    expect(text).toContain('/api/1.1/wf/x?a=[redacted]&api_token=[redacted]');
    expect(text).toContain('https://flows.example.com/x?api_token=[redacted]#top');
    expect(text).toContain('Is this a question? Yes');
    expect(text).toContain('calling /version-test/api/1.1/wf/x?api_token=[redacted] failed');
    expect(redactQueryStrings('/x?flag&y=2')).toBe('/x?[redacted]&y=[redacted]');

    // And a real server logging at its most verbose, called with the canary in every kind of URL.
    const dataDir = mkdtempSync(path.join(tmpdir(), 'switchyard-logs-'));
    const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'trace', WEB_DIST: path.join(dataDir, 'none') });
    lines.length = 0;
    const server = await startServer(config, createLogger(config, sink));
    try {
      for (const target of ['/api/1.1/wf/x', '/version-test/api/1.1/wf/x', '/trpc/workflow.list', '/healthz', '/nowhere', '/trpc/no.such']) {
        await request(server.url, `${target}?api_token=${canary}`);
        await request(server.url, `${target}?api_token=${canary}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"x":' });
      }
    } finally {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('')).not.toContain(canary);
  });
});

describe('connections', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ MAX_CONNECTIONS_PER_ADDRESS: '3', HEADERS_TIMEOUT_SECONDS: '1' });
  });
  afterAll(() => server.stop());

  const port = () => Number(new URL(server.url).port);

  /** A keep-alive socket that has had one answer: the server has surely counted it. */
  async function openSocket(from = '127.0.0.1'): Promise<net.Socket> {
    const socket = net.connect({ host: '127.0.0.1', port: port(), localAddress: from });
    await new Promise<void>((resolve, reject) => {
      let data = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        data += chunk;
        if (data.includes('{"status":"ok"}')) {
          socket.removeAllListeners('data');
          resolve();
        }
      });
      socket.once('error', reject);
      socket.once('close', () => reject(new Error(`closed before an answer: ${JSON.stringify(data)}`)));
      socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n');
    });
    socket.removeAllListeners('close');
    socket.removeAllListeners('error');
    return socket;
  }

  /** What a new connection gets: "answered" or "closed" (refused at the cap). */
  const tryConnection = (from = '127.0.0.1') =>
    openSocket(from).then(
      (socket) => {
        socket.destroy();
        return 'answered';
      },
      () => 'closed',
    );

  it('caps the connections one address holds, not anyone else', async () => {
    const held = [await openSocket(), await openSocket(), await openSocket()];
    expect(await tryConnection()).toBe('closed');
    // Another address is not affected.
    expect(await tryConnection(A)).toBe('answered');
    // The held ones still work...
    held[0]!.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await new Promise((resolve) => held[0]!.once('data', resolve));
    // ...and once one closes, the address may open another.
    held.pop()!.destroy();
    await eventually(async () => ((await tryConnection()) === 'answered' ? true : undefined));
    for (const socket of held) socket.destroy();
  });

  it('starts with the longest header timeout allowed', async () => {
    const patient = await startTestServer({ HEADERS_TIMEOUT_SECONDS: '3600' });
    try {
      expect(patient.app.server.headersTimeout).toBe(3_600_000);
      expect((await request(patient.url, '/healthz')).status).toBe(200);
    } finally {
      await patient.stop();
    }
  });

  it('drops a client that does not finish its headers in time', async () => {
    // From an address of its own: the test above may still hold its sockets for a moment.
    const socket = net.connect({ host: '127.0.0.1', port: port(), localAddress: '127.0.0.4' });
    let received = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
    socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n'); // and never the blank line
    await new Promise((resolve) => socket.once('close', resolve));
    expect(received).toMatch(/^HTTP\/1\.1 408 Request Timeout/);
  });
});
