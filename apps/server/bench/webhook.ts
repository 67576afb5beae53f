// `npm run bench webhook`: calls per second and latency of a deployed API workflow (one parameter,
// "Log a value", "Return data from API"), every call durably recorded as a run with its steps.
// The server runs in its own process; autocannon drives it over loopback. Reference, measured in the
// same run against the same process: GET /healthz, which touches no database.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { migrate, openDb } from '../src/db/index.ts';
import { deploy } from '../src/services/releases.ts';
import { createWorkflow } from '../src/services/workflows.ts';

const serverDir = fileURLToPath(new URL('..', import.meta.url));
const PORT = Number(process.env.BENCH_PORT ?? 3298);
const SECONDS = Number(process.env.DURATION ?? 10);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50);

const dataDir = mkdtempSync(path.join(tmpdir(), 'switchyard-bench-'));
const databaseFile = path.join(dataDir, 'switchyard.db');
migrate(databaseFile);
const db = openDb(databaseFile);
await createWorkflow(db, {
  name: 'bench',
  label: 'Benchmark',
  graph: {
    schemaVersion: 1,
    nodes: [
      { id: 'event', type: 'apiEvent', position: { x: 0, y: 0 }, data: { parameters: [{ id: 'p', key: 'name', type: 'text', optional: false }] } },
      { id: 'log', type: 'action', position: { x: 0, y: 150 }, data: { action: { type: 'log', message: 'Hello {{name}}' } } },
      { id: 'ret', type: 'action', position: { x: 0, y: 300 }, data: { action: { type: 'returnData', entries: [{ id: 'e', key: 'greeting', value: 'Hello {{name}}' }] } } },
    ],
    edges: [
      { id: 'e1', source: 'event', target: 'log' },
      { id: 'e2', source: 'log', target: 'ret' },
    ],
  },
});
await deploy(db, 'bench');

const server = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
  cwd: serverDir,
  env: { ...process.env, PORT: String(PORT), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn', LOG_PRETTY: 'false' },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const base = `http://127.0.0.1:${PORT}`;
for (;;) {
  try {
    if ((await fetch(`${base}/healthz`)).ok) break;
  } catch {
    // not up yet
  }
  await new Promise((resolve) => setTimeout(resolve, 20));
}

async function load(title: string, options: autocannon.Options) {
  const result = await autocannon({ connections: CONNECTIONS, duration: SECONDS, ...options });
  const bad = result.non2xx + result.errors + result.timeouts;
  console.log(
    `  ${title.padEnd(44)} ${result.requests.average.toFixed(0).padStart(7)} req/s   p50 ${String(result.latency.p50).padStart(4)} ms   p99 ${String(result.latency.p99).padStart(4)} ms   failed ${bad}`,
  );
  return result;
}

try {
  console.log(`${CONNECTIONS} connections, ${SECONDS} s each, one machine (load generator and server share its cores)`);
  await load('reference: GET /healthz (no database)', { url: `${base}/healthz` });
  const runsBefore = await db.run.count();
  const calls = await load('POST /api/1.1/wf/bench (run + 2 steps stored)', {
    url: `${base}/api/1.1/wf/bench`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Ada' }),
  });
  const recorded = (await db.run.count()) - runsBefore;
  const steps = await db.runStep.count();
  console.log(`  runs recorded: ${recorded} of ${calls['2xx']} successful calls; steps stored: ${steps}`);
} finally {
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
  await db.$disconnect();
  rmSync(dataDir, { recursive: true, force: true });
}
