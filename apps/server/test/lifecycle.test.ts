import { randomUUID } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR, migrate } from '../src/db/index.ts';
import { startTestServer } from './helpers.ts';

describe('start-up and shutdown', () => {
  it('applies migrations once and records them as Prisma does', async () => {
    const server = await startTestServer();
    const rows = await server.db.$queryRawUnsafe<{ migration_name: string; checksum: string }[]>(
      'SELECT migration_name, checksum FROM _prisma_migrations',
    );
    expect(rows.map((r) => r.migration_name)).toEqual(['20261125000000_init', '20261125100000_workflow_revision']);
    expect(rows[0]?.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(migrate(`${server.dataDir}/switchyard.db`).applied).toEqual([]);
    await server.stop();
  });

  it('creates the first admin from ADMIN_EMAIL and ADMIN_PASSWORD', async () => {
    const server = await startTestServer({ ADMIN_EMAIL: 'ops@example.com', ADMIN_PASSWORD: 'unattended-install-pw' });
    const user = await server.db.user.findUniqueOrThrow({ where: { email: 'ops@example.com' } });
    expect(user.role).toBe('admin');
    await server.stop();
  });

  it('marks runs cut off by a crash as interrupted on the next start', async () => {
    const first = await startTestServer();
    const id = randomUUID();
    await first.db.run.create({
      data: { id, workflowId: 'w', workflowName: 'w', environment: 'live', trigger: 'api', status: 'running', input: '{}', startedAt: new Date() },
    });
    await first.close();
    const second = await startTestServer({ DATA_DIR: first.dataDir });
    expect(await second.db.run.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'interrupted' });
    await second.stop();
    rmSync(first.dataDir, { recursive: true, force: true });
  });

  it('refuses new runs once the runner is stopping', async () => {
    const server = await startTestServer();
    await server.runner.stop();
    await expect(
      server.runner.run({
        workflowId: 'w',
        definition: { schemaVersion: 1, name: 'w', trigger: { type: 'api', parameters: [] }, steps: [] },
        environment: 'draft',
        releaseNumber: null,
        input: {},
        params: {},
      }),
    ).rejects.toThrow(/shutting down/);
    await server.stop();
  });
});

describe('migrations', () => {
  it("keeps child rows when a later migration rebuilds a parent table, as Prisma's SQLite migrations do", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'switchyard-migrate-'));
    const migrations = path.join(dir, 'migrations');
    cpSync(MIGRATIONS_DIR, migrations, { recursive: true });
    const file = path.join(dir, 'test.db');
    migrate(file, migrations);

    const db = new Database(file);
    db.prepare(`INSERT INTO Run (id, workflowId, workflowName, environment, trigger, status, input, startedAt) VALUES ('r1','w','w','live','api','success','{}',0)`).run();
    db.prepare(`INSERT INTO RunStep (runId, position, stepId, type, label, status, startedAt, durationMs, input) VALUES ('r1',0,'s','log','Log','success',0,1,'null')`).run();
    db.close();

    mkdirSync(path.join(migrations, '29990101000000_redefine_run'));
    writeFileSync(
      path.join(migrations, '29990101000000_redefine_run', 'migration.sql'),
      `PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Run" ("id" TEXT NOT NULL PRIMARY KEY, "workflowId" TEXT NOT NULL, "workflowName" TEXT NOT NULL, "environment" TEXT NOT NULL, "releaseNumber" INTEGER, "trigger" TEXT NOT NULL, "status" TEXT NOT NULL, "input" TEXT NOT NULL, "output" TEXT, "error" TEXT, "startedAt" DATETIME NOT NULL, "finishedAt" DATETIME, "durationMs" REAL, "note" TEXT);
INSERT INTO "new_Run" ("id","workflowId","workflowName","environment","releaseNumber","trigger","status","input","output","error","startedAt","finishedAt","durationMs") SELECT "id","workflowId","workflowName","environment","releaseNumber","trigger","status","input","output","error","startedAt","finishedAt","durationMs" FROM "Run";
DROP TABLE "Run";
ALTER TABLE "new_Run" RENAME TO "Run";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;`,
    );
    expect(migrate(file, migrations).applied).toEqual(['29990101000000_redefine_run']);
    const after = new Database(file);
    expect(after.prepare('SELECT count(*) AS n FROM RunStep').get()).toEqual({ n: 1 });
    after.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
