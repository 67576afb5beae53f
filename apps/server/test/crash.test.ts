import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate, openDb } from '../src/db/index.ts';
import { deploy } from '../src/services/releases.ts';
import { createWorkflow } from '../src/services/workflows.ts';
import { graphWith } from './helpers.ts';
import { exited, healthy as waitHealthy, pause, spawnServer } from './processes.ts';

// The crash test of the run engine, with real processes: a deployed workflow is called
// synchronously and asynchronously while the server is killed with SIGKILL at random moments and
// started again, several times. Afterwards every answered call must have its run, every accepted
// run must have ended exactly once, runs cut off must have resumed from their checkpoint and be
// marked recovered, and the database must be intact.

const KILLS = 6;
const CLIENTS = 12;
const dataDir = mkdtempSync(path.join(tmpdir(), 'switchyard-crash-'));
const databaseFile = path.join(dataDir, 'switchyard.db');
const port = 20_000 + Math.floor(Math.random() * 20_000);
const base = `http://127.0.0.1:${port}`;
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const FINAL = new Set(['succeeded', 'failed', 'cancelled', 'interrupted', 'skipped']);

const startServer = () => spawnServer(dataDir, port);
const healthy = () => waitHealthy(base);

describe('crash recovery', () => {
  it('loses no answered run and ends every accepted run exactly once across SIGKILLs', { timeout: 240_000 }, async () => {
    migrate(databaseFile);
    const prisma = openDb(databaseFile);
    // Synchronous: pure steps, committed once when done. Asynchronous: a wait in the middle keeps
    // runs in flight, so kills land mid-run; the first log is checkpointed before the wait.
    const steps = (wait: boolean) =>
      graphWith(
        [
          { id: 'first', action: { type: 'log', message: 'first {{name}}' } },
          ...(wait ? [{ id: 'pause', action: { type: 'wait' as const, seconds: '0.15' } }] : []),
          { id: 'second', title: 'Second', action: { type: 'log', message: 'second {{steps.log_a_value.message}}' } },
          { id: 'ret', action: { type: 'returnData', entries: [{ id: 'e', key: 'done', value: '{{steps.second.message}}' }] } },
        ],
        { settings: wait ? { mode: 'async', retry: { maxAttempts: 10, initialDelayMs: 10, maxDelayMs: 100 } } : {} },
      );
    await createWorkflow(prisma, { name: 'crash-sync', label: '', graph: steps(false) });
    await createWorkflow(prisma, { name: 'crash-async', label: '', graph: steps(true) });
    await deploy(prisma, 'crash test');
    await prisma.$disconnect();

    const answered = { sync: new Set<string>(), async: new Set<string>() };
    let loading = true;
    const client = async (n: number) => {
      for (let i = 0; loading; i++) {
        const asyncCall = (i + n) % 2 === 0;
        try {
          const response = await fetch(`${base}/api/1.1/wf/${asyncCall ? 'crash-async' : 'crash-sync'}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ name: `c${n}-${i}` }),
          });
          const runId = response.headers.get('x-switchyard-run-id');
          if (response.status === 200 && runId) answered.sync.add(runId);
          else if (response.status === 202 && runId) answered.async.add(runId);
          else await response.body?.cancel();
        } catch {
          // The server is down (killed): try again shortly.
          await pause(10);
        }
      }
    };

    let server = startServer();
    await healthy();
    const clients = Array.from({ length: CLIENTS }, (_, n) => client(n));
    for (let kill = 0; kill < KILLS; kill++) {
      await pause(300 + Math.random() * 700);
      server.kill('SIGKILL');
      await exited(server);
      server = startServer();
      await healthy();
    }
    await pause(300);
    loading = false;
    await Promise.all(clients);

    const db = new Database(databaseFile, { readonly: true });
    try {
      // Everything accepted ends (the reaper and the queue finish what the kills cut off).
      for (;;) {
        const { n } = db.prepare(`SELECT COUNT(*) AS n FROM Run WHERE status IN ('queued', 'running')`).get() as { n: number };
        if (n === 0) break;
        await pause(50);
      }
      server.kill('SIGTERM');
      await exited(server);

      expect(answered.sync.size).toBeGreaterThan(20);
      expect(answered.async.size).toBeGreaterThan(20);
      const runs = new Map(
        (db.prepare(`SELECT id, workflowName, status, attempts, recovered FROM Run`).all() as { id: string; workflowName: string; status: string; attempts: number; recovered: number }[]).map(
          (r) => [r.id, r],
        ),
      );
      // Every 2xx answered has its run; a 200 only after its run succeeded and was committed.
      for (const id of answered.sync) expect(runs.get(id)?.status, id).toBe('succeeded');
      for (const id of answered.async) expect(FINAL.has(runs.get(id)?.status ?? 'missing'), id).toBe(true);

      const attempts = db.prepare(`SELECT runId, number, reason, status FROM RunAttempt ORDER BY runId, number`).all() as {
        runId: string;
        number: number;
        reason: string;
        status: string;
      }[];
      const byRun = new Map<string, typeof attempts>();
      for (const a of attempts) byRun.set(a.runId, [...(byRun.get(a.runId) ?? []), a]);
      let recovered = 0;
      for (const run of runs.values()) {
        const list = byRun.get(run.id) ?? [];
        // Ended exactly once: one attempt ended the run; every earlier one was cut off by a kill.
        expect(list.map((a) => a.number), run.id).toEqual(Array.from({ length: run.attempts }, (_, i) => i + 1));
        expect(list.at(-1)?.status, run.id).toBe(run.status === 'interrupted' ? 'interrupted' : run.status);
        for (const earlier of list.slice(0, -1)) expect(earlier.status, run.id).toBe('interrupted');
        if (run.attempts > 1) {
          recovered++;
          expect(run.recovered, run.id).toBe(1);
          expect(list.slice(1).every((a) => a.reason === 'recovered'), run.id).toBe(true);
        }
      }
      // The kills did cut runs off mid-way (the asynchronous runs wait 150 ms in the middle).
      expect(recovered).toBeGreaterThan(0);

      // Resumed from the checkpoint: no step that had finished (and was recorded) ran again.
      const repeated = db
        .prepare(`SELECT runId, path, COUNT(*) AS n FROM RunStep WHERE status = 'succeeded' GROUP BY runId, path HAVING n > 1`)
        .all();
      expect(repeated).toEqual([]);
      const resumed = db
        .prepare(
          `SELECT COUNT(DISTINCT s.runId) AS n FROM RunStep s JOIN Run r ON r.id = s.runId
           WHERE r.attempts > 1 AND s.attempt < r.attempts AND s.status = 'succeeded'`,
        )
        .get() as { n: number };
      expect(resumed.n).toBeGreaterThan(0);

      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.pragma('foreign_key_check')).toEqual([]);
    } finally {
      db.close();
      if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
    }
  });
});
