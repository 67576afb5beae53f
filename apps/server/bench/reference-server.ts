// The durable reference of `npm run bench webhook`: the least a server can do to record a webhook
// call durably. Fastify parses the JSON body, and each call inserts the same rows a Switchyard run
// of the benchmark's workflow writes (a run, its attempt, three steps) into the same tables of a
// migrated Switchyard database, committed in batches every 2 ms, answering after the commit.
// Started as its own process by bench/webhook.ts: `node --import tsx bench/reference-server.ts`.
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import { uuidv7 } from 'uuidv7';

const file = process.env.REFERENCE_DB!;
const port = Number(process.env.REFERENCE_PORT);
const synchronous = process.env.SQLITE_SYNCHRONOUS ?? 'NORMAL';
const BATCH_MS = 2;

const db = new Database(file);
db.pragma('journal_mode = WAL');
db.pragma(`synchronous = ${synchronous}`);
db.pragma('foreign_keys = ON');
const insertRun = db.prepare(`INSERT INTO Run (id, workflowId, workflowName, environment, trigger, status, releaseNumber, draftRevision,
  mode, runAt, priority, attempts, maxAttempts, nextAttemptReason, recovered, leaseOwner, leaseExpiresAt, concurrencyLimit, parentRunId,
  chainDepth, input, output, error, createdAt, startedAt, finishedAt, durationMs)
  VALUES (?, 'wf', 'reference', 'live', 'api', 'succeeded', 1, NULL, 'sync', ?, 0, 1, 3, NULL, 0, NULL, NULL, NULL, NULL, 0, ?, ?, NULL, ?, ?, ?, ?)`);
const insertAttempt = db.prepare(`INSERT INTO RunAttempt (runId, number, reason, status, startedAt, finishedAt, error, runner)
  VALUES (?, 1, 'first', 'succeeded', ?, ?, NULL, 'reference')`);
const insertStep = db.prepare(`INSERT INTO RunStep (runId, attempt, path, position, stepId, type, label, status, startedAt, durationMs,
  input, output, error, logs) VALUES (?, 1, ?, ?, ?, ?, ?, 'succeeded', ?, 0.01, ?, ?, NULL, ?)`);

let pending: { run: () => void; done: () => void }[] = [];
let timer: ReturnType<typeof setTimeout> | null = null;
const commit = db.transaction((batch: typeof pending) => {
  for (const item of batch) item.run();
});
function flush() {
  timer = null;
  const batch = pending;
  pending = [];
  commit(batch);
  for (const item of batch) item.done();
}

const app = Fastify();
app.post('/wf', (request, reply) => {
  const body = request.body as { name?: unknown };
  if (typeof body?.name !== 'string') return reply.code(400).send({ status: 'error', message: 'name is required' });
  const id = uuidv7();
  const now = new Date().toISOString().replace('Z', '+00:00');
  const greeting = `Hello ${body.name}`;
  const message = JSON.stringify({ message: greeting });
  const response = JSON.stringify({ greeting });
  return new Promise<void>((resolve) => {
    pending.push({
      run: () => {
        insertRun.run(id, now, JSON.stringify(body), response, now, now, now, 0.05);
        insertAttempt.run(id, now, now);
        insertStep.run(id, 'log1', 0, 'log1', 'log', 'Log a value', now, message, message, JSON.stringify([greeting]));
        insertStep.run(id, 'log2', 1, 'log2', 'log', 'Log again', now, message, message, JSON.stringify([greeting]));
        insertStep.run(id, 'ret', 2, 'ret', 'returnData', 'Return data from API', now, null, response, null);
      },
      done: () => {
        reply.header('x-switchyard-run-id', id).type('application/json').send(`{"status":"success","response":${response}}`);
        resolve();
      },
    });
    timer ??= setTimeout(flush, BATCH_MS);
  });
});
await app.listen({ port, host: '127.0.0.1' });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
