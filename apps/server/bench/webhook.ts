// `npm run bench webhook`: webhook calls per second with every run durably recorded, side by side:
//   (a) the durable reference (bench/reference-server.ts): Fastify + better-sqlite3 inserting the
//       same rows as a run of three steps, committed in batches every 2 ms, same synchronous mode;
//   (b) Switchyard, synchronous calls of a deployed workflow (Log, Log, Return data);
//   (c) Switchyard, the same workflow set to "respond at once" (202 when queued), and how long the
//       queue then takes to drain;
//   (d) Switchyard, synchronous, with an API token required and a Stripe signature checked over
//       the raw body on every call.
// Each server runs in its own process; autocannon drives it over loopback from this process, so
// the load generator shares the machine's cores with the server (the figures are for comparing).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SETTINGS, type EndpointSettings, OPEN_ENDPOINT, type WorkflowGraph } from '@switchyard/workflow';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { migrate, openDb } from '../src/db/index.ts';
import { deploy } from '../src/services/releases.ts';
import { createToken } from '../src/services/apiTokens.ts';
import { CLI_ACTOR } from '../src/services/audit.ts';
import { openSecretBox } from '../src/services/secretBox.ts';
import { SecretStore } from '../src/services/secrets.ts';
import { sign } from '../src/services/signatures.ts';
import { createWorkflow } from '../src/services/workflows.ts';

const serverDir = fileURLToPath(new URL('..', import.meta.url));
const PORT = Number(process.env.BENCH_PORT ?? 3298);
const SECONDS = Number(process.env.DURATION ?? 10);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 200);
const SYNCHRONOUS = process.env.SQLITE_SYNCHRONOUS ?? 'NORMAL';
const BODY = JSON.stringify({ name: 'Ada' });

function graph(mode: 'sync' | 'async', endpoint: EndpointSettings = OPEN_ENDPOINT): WorkflowGraph {
  return {
    schemaVersion: 2,
    nodes: [
      {
        id: 'event',
        type: 'apiEvent',
        position: { x: 0, y: 0 },
        data: { parameters: [{ id: 'p_name', key: 'name', type: 'text', list: false, optional: false }], settings: { ...DEFAULT_SETTINGS, mode }, endpoint },
      },
      { id: 'log1', type: 'action', position: { x: 0, y: 150 }, data: { action: { type: 'log', message: 'Hello {{name}}' } } },
      { id: 'log2', type: 'action', position: { x: 0, y: 300 }, data: { title: 'Log again', action: { type: 'log', message: '{{steps.log_a_value.message}}' } } },
      {
        id: 'ret',
        type: 'action',
        position: { x: 0, y: 450 },
        data: { action: { type: 'returnData', entries: [{ id: 'e', key: 'greeting', value: 'Hello {{name}}' }] } },
      },
    ],
    edges: [
      { id: 'e1', source: 'event', target: 'log1' },
      { id: 'e2', source: 'log1', target: 'log2' },
      { id: 'e3', source: 'log2', target: 'ret' },
    ],
  };
}

const dataDir = mkdtempSync(path.join(tmpdir(), 'switchyard-bench-'));
const databaseFile = path.join(dataDir, 'switchyard.db');
const referenceFile = path.join(dataDir, 'reference.db');
migrate(databaseFile);
migrate(referenceFile);
const prisma = openDb(databaseFile);
await createWorkflow(prisma, { name: 'bench', label: 'Benchmark', graph: graph('sync') });
await createWorkflow(prisma, { name: 'bench-async', label: 'Benchmark, respond at once', graph: graph('async') });
// (d): a token and a signing secret, made as an admin would (the secret sealed with the data folder's key file).
const quiet = { warn: () => {}, info: () => {} } as never;
const secrets = new SecretStore(prisma, openSecretBox({ dataDir, secretKey: null }, quiet));
const signing = await secrets.create({ name: 'bench' }, CLI_ACTOR);
const { token } = await createToken(prisma, { label: 'bench', workflowIds: null }, CLI_ACTOR);
await createWorkflow(prisma, {
  name: 'bench-signed',
  label: 'Benchmark, token and signature',
  graph: graph('sync', { ...OPEN_ENDPOINT, auth: 'admin_token', signature: { scheme: 'stripe', secretIds: [signing.secret.id] } }),
});
await deploy(prisma, 'bench');
await prisma.$disconnect();

function start(args: string[], env: Record<string, string>): ChildProcess {
  // CPU_PROF=<dir>: each server writes a V8 CPU profile there when it stops (open it in Chrome's DevTools).
  const profile = process.env.CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.CPU_PROF}`] : [];
  return spawn(process.execPath, [...profile, '--import', 'tsx', '--import', './src/db/sqliteDriver.mjs', ...args], {
    cwd: serverDir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function waitUntilUp(url: string) {
  for (;;) {
    try {
      await fetch(url);
      return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function stop(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
}

interface Row {
  title: string;
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
  ok: number;
  stored: number;
}

const WARMUP_SECONDS = Number(process.env.WARMUP ?? 3);

/** Load for SECONDS, after WARMUP_SECONDS of the same load that is not measured (JIT, caches, file growth). */
async function load(url: string, extraHeaders: Record<string, string> = {}) {
  const request = { url, method: 'POST' as const, headers: { 'content-type': 'application/json', ...extraHeaders }, body: BODY, connections: CONNECTIONS };
  const warmup = WARMUP_SECONDS > 0 ? await autocannon({ ...request, duration: WARMUP_SECONDS }) : null;
  const result = await autocannon({ ...request, duration: SECONDS });
  const ok = result['2xx'];
  return {
    perSecond: ok / SECONDS,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.non2xx + result.errors + result.timeouts,
    // Warm-up calls are stored too: every 2xx of both is compared with the runs stored.
    ok: ok + (warmup?.['2xx'] ?? 0),
  };
}

function count(file: string, sql: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare(sql).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

const rows: Row[] = [];
let drainSeconds: number;
const env = { HOST: '127.0.0.1', LOG_LEVEL: 'warn', LOG_PRETTY: 'false', SQLITE_SYNCHRONOUS: SYNCHRONOUS };
console.log(
  `${CONNECTIONS} connections, ${SECONDS} s each after ${WARMUP_SECONDS} s of warm-up, synchronous=${SYNCHRONOUS}; the load generator shares this machine's cores`,
);

const reference = start(['bench/reference-server.ts'], { ...env, REFERENCE_DB: referenceFile, REFERENCE_PORT: String(PORT) });
try {
  await waitUntilUp(`http://127.0.0.1:${PORT}/`);
  const result = await load(`http://127.0.0.1:${PORT}/wf`);
  await stop(reference);
  rows.push({ title: '(a) reference: Fastify + SQLite, same rows', ...result, stored: count(referenceFile, 'SELECT COUNT(*) AS n FROM Run') });
} finally {
  await stop(reference);
}

const server = start(['src/main.ts'], { ...env, PORT: String(PORT), DATA_DIR: dataDir });
try {
  const base = `http://127.0.0.1:${PORT}`;
  for (;;) {
    const up = await fetch(`${base}/healthz`).then((r) => r.ok, () => false);
    if (up) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const sync = await load(`${base}/api/1.1/wf/bench`);
  rows.push({
    title: '(b) Switchyard, synchronous',
    ...sync,
    stored: count(databaseFile, `SELECT COUNT(*) AS n FROM Run WHERE workflowName = 'bench' AND status = 'succeeded'`),
  });

  const accepted = await load(`${base}/api/1.1/wf/bench-async`);
  const loadEnded = performance.now();
  while (count(databaseFile, `SELECT COUNT(*) AS n FROM Run WHERE workflowName = 'bench-async' AND status IN ('queued', 'running')`) > 0) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  drainSeconds = (performance.now() - loadEnded) / 1000;
  rows.push({
    title: '(c) Switchyard, respond at once (202)',
    ...accepted,
    stored: count(databaseFile, `SELECT COUNT(*) AS n FROM Run WHERE workflowName = 'bench-async'`),
  });

  // One signature for the whole run: Stripe's timestamp stays within its 5 minutes, and the body is
  // the same; every call still has its token looked up and the HMAC checked over its bytes.
  const signature = sign('stripe', signing.value, BODY, { now: new Date() });
  const signed = await load(`${base}/api/1.1/wf/bench-signed`, { authorization: `Bearer ${token}`, ...signature });
  rows.push({
    title: '(d) synchronous, token and signature',
    ...signed,
    stored: count(databaseFile, `SELECT COUNT(*) AS n FROM Run WHERE workflowName = 'bench-signed' AND status = 'succeeded'`),
  });
} finally {
  await stop(server);
  rmSync(dataDir, { recursive: true, force: true });
}

const reference0 = rows[0]!.perSecond;
const head = ['what'.padEnd(42), '2xx/s'.padStart(7), 'x (a)'.padStart(6), 'p50'.padStart(7), 'p99'.padStart(7), 'errors'.padStart(7), 'runs stored / 2xx'.padStart(20)];
console.log(`\n  ${head.join(' ')}`);
for (const row of rows) {
  const cells = [
    row.title.padEnd(42),
    row.perSecond.toFixed(0).padStart(7),
    (row.perSecond / reference0).toFixed(2).padStart(6),
    `${row.p50} ms`.padStart(7),
    `${row.p99} ms`.padStart(7),
    String(row.errors).padStart(7),
    `${row.stored} / ${row.ok}`.padStart(20),
  ];
  console.log(`  ${cells.join(' ')}`);
}
const executed = rows[2]!.ok;
console.log(
  `  (c) queue drained ${drainSeconds.toFixed(2)} s after its load ended: ${(executed / (WARMUP_SECONDS + SECONDS + drainSeconds)).toFixed(0)} runs/s executed end to end`,
);
