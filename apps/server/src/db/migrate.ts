import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { REPO_ROOT } from '../config.ts';
import { prepareDatabaseFiles } from './files.ts';

export const MIGRATIONS_DIR = path.join(REPO_ROOT, 'prisma', 'migrations');

export interface MigrationReport {
  applied: string[];
  total: number;
}

/**
 * Applies pending migrations from prisma/migrations to the SQLite file.
 *
 * Why not `prisma migrate deploy`: Prisma 7's CLI runs a native schema engine that it downloads on
 * first use, and these machines cannot download it (see STACK-NOTES). This applier reads the same
 * `<timestamp>_<name>/migration.sql` folders and records them in the same `_prisma_migrations` table
 * with the same SHA-256 checksums, so the standard Prisma CLI keeps working on the same database on a
 * machine that has its engine. Each migration runs in its own transaction: it lands whole or not at all.
 */
export function migrate(databaseFile: string, migrationsDir: string = MIGRATIONS_DIR): MigrationReport {
  // Owner-only folder and files before SQLite creates anything (see files.ts).
  prepareDatabaseFiles(databaseFile);
  const db = new Database(databaseFile, { timeout: 5000 });
  try {
    // WAL lets the console read while runs are written; it is a property of the file, set once here.
    db.pragma('journal_mode = WAL');
    db.exec(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" TEXT PRIMARY KEY NOT NULL,
      "checksum" TEXT NOT NULL,
      "finished_at" DATETIME,
      "migration_name" TEXT NOT NULL,
      "logs" TEXT,
      "rolled_back_at" DATETIME,
      "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
      "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0
    )`);
    const names = readdirSync(migrationsDir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    // Prisma's SQLite migrations rebuild tables (create new, copy, drop old, rename) and switch
    // foreign keys off around that with a PRAGMA, which SQLite ignores inside a transaction. Switched
    // off here, outside it, dropping the old table cannot cascade-delete child rows; the check before
    // each commit still refuses a migration that leaves dangling references.
    db.pragma('foreign_keys = OFF');
    const applied: string[] = [];
    for (const name of names) {
      const sql = readFileSync(path.join(migrationsDir, name, 'migration.sql'), 'utf8');
      const checksum = createHash('sha256').update(sql).digest('hex');
      // IMMEDIATE takes the write lock first, so two processes starting together apply each migration once.
      db.transaction(() => {
        const done = db
          .prepare(
            `SELECT checksum FROM "_prisma_migrations" WHERE migration_name = ? AND finished_at IS NOT NULL AND rolled_back_at IS NULL`,
          )
          .get(name) as { checksum: string } | undefined;
        if (done) {
          if (done.checksum !== checksum) {
            throw new Error(`Migration ${name} was changed after it was applied; restore its original migration.sql`);
          }
          return;
        }
        const startedAt = new Date().toISOString();
        db.exec(sql);
        const dangling = db.pragma('foreign_key_check') as { table: string; parent: string }[];
        if (dangling.length > 0) {
          const first = dangling[0]!;
          throw new Error(`Migration ${name} leaves ${dangling.length} row(s) of ${first.table} pointing at missing ${first.parent} rows`);
        }
        db.prepare(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
           VALUES (?, ?, ?, ?, ?, 1)`,
        ).run(randomUUID(), checksum, new Date().toISOString(), name, startedAt);
        applied.push(name);
      }).immediate();
    }
    return { applied, total: names.length };
  } finally {
    db.close();
  }
}
