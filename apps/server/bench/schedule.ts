// `npm run bench schedule`: the scheduler with 1,000,000 pending runs in the database.
//   1. start-up: spawning the server process until /healthz answers 200;
//   2. lateness (start minus due time) of runs scheduled a moment ahead, at idle and while about
//      1,000 runs/s execute (scheduled due now by a load generator in the same process);
//   3. time to schedule a 100,000-item and a 1,000,000-item list (the call returns once the batch
//      is durably recorded), and items processed per second for a one-step workflow, unordered
//      and one after another.
// The server runs in this process (its scheduler API is called directly, as a step would), except
// for the start-up measure. Figures are printed; nothing is asserted.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SETTINGS, type WorkflowGraph } from '@switchyard/workflow';
import Database from 'better-sqlite3';
import { V7Generator } from 'uuidv7';
import { loadConfig } from '../src/config.ts';
import { migrate, openDb, sqlDate } from '../src/db/index.ts';
import { createLogger } from '../src/logger.ts';
import { startServer } from '../src/server.ts';
import { SYSTEM_ACTOR } from '../src/services/audit.ts';
import { deploy } from '../src/services/releases.ts';
import { createWorkflow } from '../src/services/workflows.ts';

const serverDir = fileURLToPath(new URL('..', import.meta.url));
const PENDING = Number(process.env.PENDING ?? 1_000_000);
const PROBE_SECONDS = Number(process.env.PROBE_SECONDS ?? 10);
const LOAD_PER_SECOND = Number(process.env.LOAD_PER_SECOND ?? 1000);
const PORT = Number(process.env.BENCH_PORT ?? 3297);
/** Which parts to run (all by default): startup, lateness, lists. */
const PARTS = new Set((process.env.PARTS ?? 'startup,lateness,lists').split(','));

/** One log step; `n` is the item of a list. */
function oneStep(): WorkflowGraph {
  return {
    schemaVersion: 2,
    nodes: [
      {
        id: 'event',
        type: 'apiEvent',
        position: { x: 0, y: 0 },
        data: { parameters: [{ id: 'p_n', key: 'n', type: 'number', list: false, optional: true }], settings: { ...DEFAULT_SETTINGS, mode: 'async' } },
      },
      { id: 'log', type: 'action', position: { x: 0, y: 150 }, data: { action: { type: 'log', message: 'item {{n ?? 0}}' } } },
    ],
    edges: [{ id: 'e1', source: 'event', target: 'log' }],
  };
}

const dataDir = mkdtempSync(path.join(tmpdir(), 'switchyard-bench-schedule-'));
const databaseFile = path.join(dataDir, 'switchyard.db');
migrate(databaseFile);
const prisma = openDb(databaseFile);
const tick = await createWorkflow(prisma, { name: 'tick', label: 'One step', graph: oneStep() });
await deploy(prisma, 'bench');
await prisma.$disconnect();

// ---- 1,000,000 pending runs, due in 30 days ------------------------------------------------------
{
  const started = performance.now();
  const db = new Database(databaseFile);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const insert = db.prepare(`INSERT INTO Run (id, workflowId, workflowName, environment, trigger, status, releaseNumber, mode, runAt, priority,
    attempts, maxAttempts, input, createdAt, scheduledBy) VALUES (?, ?, 'tick', 'live', 'schedule', 'queued', 1, 'async', ?, 0, 0, 1, ?, ?, 'bench')`);
  const ids = new V7Generator();
  const now = Date.now();
  const created = sqlDate(new Date(now));
  const CHUNK = 50_000;
  for (let from = 0; from < PENDING; from += CHUNK) {
    db.transaction(() => {
      for (let i = from; i < Math.min(PENDING, from + CHUNK); i++) {
        const due = sqlDate(new Date(now + 30 * 86_400_000 + i * 1000));
        insert.run(ids.generate().toString(), tick.id, due, `{"n":${i}}`, created);
      }
    })();
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  console.log(`${PENDING.toLocaleString('en')} pending runs inserted (due in 30 days) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

// ---- 1. start-up with them -----------------------------------------------------------------------
async function timeToHealthy(): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: serverDir,
    env: { ...process.env, PORT: String(PORT), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn', LOG_PRETTY: 'false' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
      try {
        if ((await fetch(`http://127.0.0.1:${PORT}/healthz`)).ok) return performance.now() - started;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}
const startups: number[] = [];
for (let i = 0; i < (PARTS.has('startup') ? 3 : 0); i++) startups.push(await timeToHealthy());
if (startups.length > 0) console.log(`start-up with ${PENDING.toLocaleString('en')} pending: spawn -> /healthz 200 (ms): ${startups.map((ms) => ms.toFixed(0)).join(', ')}`);

// ---- the server, in this process -----------------------------------------------------------------
const config = loadConfig({ ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', WEB_DIST: path.join(dataDir, 'none') });
const server = await startServer(config, createLogger(config));
const scheduling = server.engine.scheduling;
const reader = new Database(databaseFile, { readonly: true });
const timesOf = reader.prepare(`SELECT runAt, startedAt FROM Run WHERE id = ?`);

const quantiles = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  return `p50 ${q(0.5).toFixed(1)} ms  p99 ${q(0.99).toFixed(1)} ms  max ${sorted.at(-1)!.toFixed(1)} ms  (${xs.length} runs)`;
};

/** Runs due 100 ms ahead, one every 50 ms for PROBE_SECONDS; their lateness once all have started. */
async function probeLateness(): Promise<number[]> {
  const ids: string[] = [];
  const end = Date.now() + PROBE_SECONDS * 1000;
  while (Date.now() < end) {
    const { runId } = await scheduling.schedule({ environment: 'live', target: { name: 'tick' }, body: {}, runAt: new Date(Date.now() + 100), trigger: 'schedule', scheduledBy: 'bench' });
    ids.push(runId);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await new Promise((resolve) => setTimeout(resolve, 1000));
  return ids.flatMap((id) => {
    const row = timesOf.get(id) as { runAt: string; startedAt: string | null } | undefined;
    return row?.startedAt ? [new Date(row.startedAt).getTime() - new Date(row.runAt).getTime()] : [];
  });
}

if (PARTS.has('lateness')) {
console.log(`lateness at idle:               ${quantiles(await probeLateness())}`);

let loadRuns = 0;
let loading = true;
const load = (async () => {
  const perTick = LOAD_PER_SECOND / 100;
  let next = Date.now();
  while (loading) {
    await Promise.all(
      Array.from({ length: perTick }, () => scheduling.schedule({ environment: 'live', target: { name: 'tick' }, body: {}, runAt: new Date(), trigger: 'schedule', scheduledBy: 'bench-load' })),
    );
    loadRuns += perTick;
    next += 10;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - Date.now())));
  }
})();
const loadStarted = performance.now();
const underLoad = await probeLateness();
loading = false;
await load;
console.log(`lateness under load:            ${quantiles(underLoad)}; load ${(loadRuns / ((performance.now() - loadStarted) / 1000)).toFixed(0)} runs/s scheduled and run`);
}

// ---- lists ---------------------------------------------------------------------------------------
const batchState = reader.prepare(`SELECT status, succeeded + failed + cancelled AS ended, total FROM Batch WHERE id = ?`);
async function scheduleList(total: number, ordered: boolean) {
  const items = Array.from({ length: total }, (_, i) => i);
  const started = performance.now();
  const { batchId } = await scheduling.scheduleList({
    environment: 'live',
    workflowId: tick.id,
    items,
    itemParameterId: 'p_n',
    params: new Map(),
    startAt: new Date(),
    intervalMs: 0,
    ordered,
    onFinishWorkflowId: null,
    scheduledBy: 'bench',
  });
  return { batchId, ms: performance.now() - started };
}
async function untilDone(batchId: string): Promise<number> {
  const started = performance.now();
  for (;;) {
    const state = batchState.get(batchId) as { status: string; ended: number; total: number };
    if (state.status !== 'running') return performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

if (PARTS.has('lists')) {
const hundredK = await scheduleList(100_000, false);
console.log(`schedule a 100,000-item list:   ${hundredK.ms.toFixed(0)} ms`);
const ranIn = await untilDone(hundredK.batchId);
console.log(`  processed (unordered):        ${(100_000 / (ranIn / 1000)).toFixed(0)} items/s (${(ranIn / 1000).toFixed(1)} s)`);
const ordered = await scheduleList(2_000, true);
const orderedIn = await untilDone(ordered.batchId);
console.log(`  one after another (2,000):    ${(2_000 / (orderedIn / 1000)).toFixed(0)} items/s`);
const million = await scheduleList(1_000_000, false);
const stored = reader.prepare(`SELECT b.total, length(l.items) AS bytes FROM Batch b JOIN BatchList l ON l.batchId = b.id WHERE b.id = ?`).get(million.batchId) as { total: number; bytes: number };
console.log(`schedule a 1,000,000-item list: ${million.ms.toFixed(0)} ms (recorded: ${stored.total.toLocaleString('en')} items, list ${(stored.bytes / 1048576).toFixed(1)} MiB)`);
await scheduling.cancelBatch('live', million.batchId, SYSTEM_ACTOR);
}

reader.close();
await server.close();
rmSync(dataDir, { recursive: true, force: true });
