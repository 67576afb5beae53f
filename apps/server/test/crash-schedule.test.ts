import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_SETTINGS } from '@switchyard/workflow';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate, openDb, sqlDate } from '../src/db/index.ts';
import { deploy } from '../src/services/releases.ts';
import { createWorkflow } from '../src/services/workflows.ts';
import { graphWith } from './helpers.ts';
import { exited, healthy as waitHealthy, pause, spawnServer } from './processes.ts';

// The crash test of the scheduler, with real processes: 1,000 runs are scheduled over HTTP, due
// over the next few seconds, while a recurring job fires every second; the server is killed with
// SIGKILL at random moments and started again, several times. Afterwards every scheduled run has
// ended exactly once in a final state, only runs cut off by a kill ran again (marked recovered),
// and every fire time of the recurring job ran at most once.

const RUNS = 1000;
const KILLS = 5;
const CLIENTS = 4;
const dataDir = mkdtempSync(path.join(tmpdir(), 'switchyard-crash-schedule-'));
const databaseFile = path.join(dataDir, 'switchyard.db');
const port = 20_000 + Math.floor(Math.random() * 20_000);
const base = `http://127.0.0.1:${port}`;
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const FINAL = new Set(['succeeded', 'failed', 'cancelled', 'interrupted', 'skipped']);

const startServer = () => spawnServer(dataDir, port, { LEASE_SECONDS: '2', LEASE_RENEW_SECONDS: '0.5' });
const healthy = () => waitHealthy(base);

describe('scheduler crash recovery', () => {
  it('ends every scheduled run exactly once, and fires each recurring time at most once, across SIGKILLs', { timeout: 240_000 }, async () => {
    migrate(databaseFile);
    const prisma = openDb(databaseFile);
    // A wait in the middle keeps runs in flight, so kills land mid-run.
    const later = await createWorkflow(prisma, {
      name: 'later',
      label: '',
      graph: graphWith(
        [
          { id: 'first', action: { type: 'log', message: 'first {{name}}' } },
          { id: 'pause', action: { type: 'wait', seconds: '0.1' } },
          { id: 'second', title: 'Second', action: { type: 'log', message: 'second {{name}}' } },
        ],
        { settings: { mode: 'async', retry: { maxAttempts: 10, initialDelayMs: 10, maxDelayMs: 100 } } },
      ),
    });
    const everySecond = await createWorkflow(prisma, {
      name: 'every-second',
      label: '',
      graph: {
        schemaVersion: 2,
        nodes: [
          { id: 'event', type: 'recurringEvent', position: { x: 0, y: 0 }, data: { schedule: { kind: 'cron', cron: '* * * * * *', startAt: null, timeZone: null, missed: 'once' }, settings: DEFAULT_SETTINGS } },
          { id: 'log', type: 'action', position: { x: 0, y: 150 }, data: { action: { type: 'log', message: 'tick' } } },
        ],
        edges: [{ id: 'e1', source: 'event', target: 'log' }],
      },
    });
    await deploy(prisma, 'crash test');
    await prisma.$disconnect();
    const setup = new Database(databaseFile);
    setup
      .prepare(`INSERT INTO RecurringJob (workflowId, environment, enabled, changedAt, changedBy, lastFireAt) VALUES (?, 'live', 1, ?, 'test', ?)`)
      .run(everySecond.id, sqlDate(new Date()), sqlDate(new Date()));
    setup.close();

    const scheduled = new Set<string>();
    let next = 0;
    const client = async () => {
      while (next < RUNS) {
        const n = next++;
        // A retry sends the same request with the same key, as a webhook sender does.
        const request = JSON.stringify({ scheduled_date: Date.now() + Math.floor(Math.random() * 3000), parameters: { name: `r${n}` } });
        for (;;) {
          try {
            const response = await fetch(`${base}/api/1.1/wf/later/schedule`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'idempotency-key': `r${n}` },
              body: request,
            });
            const body = (await response.json()) as { response?: { run_id?: string } };
            if (response.status === 200 && body.response?.run_id) {
              scheduled.add(body.response.run_id);
              break;
            }
          } catch {
            // The server is down (killed): try again shortly.
          }
          await pause(20);
        }
        // About 1,000 over a few seconds.
        await pause(15);
      }
    };

    let server = startServer();
    await healthy();
    const clients = Array.from({ length: CLIENTS }, () => client());
    for (let kill = 0; kill < KILLS; kill++) {
      await pause(500 + Math.random() * 1000);
      server.kill('SIGKILL');
      await exited(server);
      server = startServer();
      await healthy();
    }
    await Promise.all(clients);

    const db = new Database(databaseFile);
    db.pragma('busy_timeout = 5000');
    try {
      db.prepare(`UPDATE RecurringJob SET enabled = 0`).run();
      for (;;) {
        const { n } = db.prepare(`SELECT COUNT(*) AS n FROM Run WHERE status IN ('queued', 'running')`).get() as { n: number };
        if (n === 0) break;
        await pause(100);
      }
      server.kill('SIGTERM');
      await exited(server);

      expect(scheduled.size).toBe(RUNS);
      const runs = new Map(
        (db.prepare(`SELECT id, workflowId, status, attempts, recovered, runAt, startedAt FROM Run`).all() as {
          id: string;
          workflowId: string;
          status: string;
          attempts: number;
          recovered: number;
          runAt: string;
          startedAt: string;
        }[]).map((r) => [r.id, r]),
      );
      for (const id of scheduled) {
        const run = runs.get(id);
        expect(FINAL.has(run?.status ?? 'missing'), id).toBe(true);
        // A scheduled run never starts before it is due (a recovered one is due again when recovered).
        if (run!.attempts === 1) expect(new Date(run!.startedAt).getTime(), id).toBeGreaterThanOrEqual(new Date(run!.runAt).getTime());
      }
      // A kill after a schedule was committed but before it was answered makes the client try
      // again with the same Idempotency-Key: it gets the run the first attempt made, never a second.
      const laterRuns = [...runs.values()].filter((r) => r.workflowId === later.id).length;
      expect(laterRuns).toBe(RUNS);

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
        for (const earlier of list.slice(0, -1)) expect(earlier.status, run.id).toBe('interrupted');
        // Only runs in flight at a kill ran again, and they say so.
        expect(run.recovered === 1, run.id).toBe(run.attempts > 1);
        if (run.attempts > 1) recovered++;
      }
      expect(recovered).toBeGreaterThan(0);

      // The recurring job: one run per fire time, each due on a whole second.
      const fires = [...runs.values()].filter((r) => r.workflowId === everySecond.id);
      expect(fires.length).toBeGreaterThan(3);
      expect(new Set(fires.map((r) => r.runAt)).size).toBe(fires.length);
      const keys = db.prepare(`SELECT dedupeKey FROM Run WHERE workflowId = ?`).all(everySecond.id) as { dedupeKey: string }[];
      expect(keys.every((k) => k.dedupeKey.startsWith(`recurring:${everySecond.id}:live:`))).toBe(true);

      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
      if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
    }
  });
});
