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
    expect(rows.map((r) => r.migration_name)).toEqual([
      '20261125000000_init',
      '20261125100000_workflow_revision',
      '20261126000000_run_engine',
      '20261127000000_scheduling',
      '20261128000000_workflow_api',
      '20261128000200_people',
      '20261128000300_deploys',
      '20261128000400_secrets',
      '20261128000500_detect_data',
      '20261128000600_deleted_live_endpoints',
    ]);
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
});

describe('migrations', () => {
  it("keeps child rows when a later migration rebuilds a parent table, as Prisma's SQLite migrations do", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'switchyard-migrate-'));
    const migrations = path.join(dir, 'migrations');
    cpSync(MIGRATIONS_DIR, migrations, { recursive: true });
    const file = path.join(dir, 'test.db');
    migrate(file, migrations);

    const db = new Database(file);
    db.prepare(
      `INSERT INTO Run (id, workflowId, workflowName, environment, trigger, status, mode, runAt, maxAttempts, input, createdAt)
       VALUES ('r1','w','w','live','api','succeeded','sync','2026-01-01T00:00:00.000+00:00',1,'{}','2026-01-01T00:00:00.000+00:00')`,
    ).run();
    db.prepare(
      `INSERT INTO RunStep (runId, attempt, path, position, stepId, type, label, status, startedAt, durationMs)
       VALUES ('r1',1,'s',0,'s','log','Log','succeeded','2026-01-01T00:00:00.000+00:00',1)`,
    ).run();
    // The rebuild Prisma writes for a changed table: the same table with one more column, copied over.
    const { sql } = db.prepare(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'Run'`).get() as { sql: string };
    const columns = (db.prepare(`PRAGMA table_info("Run")`).all() as { name: string }[]).map((c) => `"${c.name}"`).join(', ');
    db.close();

    mkdirSync(path.join(migrations, '29990101000000_redefine_run'));
    writeFileSync(
      path.join(migrations, '29990101000000_redefine_run', 'migration.sql'),
      `PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
${sql.replace(/^CREATE TABLE "Run" \(/, 'CREATE TABLE "new_Run" ("note" TEXT, ')};
INSERT INTO "new_Run" (${columns}) SELECT ${columns} FROM "Run";
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
