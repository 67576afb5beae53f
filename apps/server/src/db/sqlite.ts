import Database from 'better-sqlite3';

export type Sqlite = Database.Database;
export type SynchronousMode = 'NORMAL' | 'FULL';

/**
 * The connection the run engine writes through (group commit, claiming, leases). Prisma keeps its
 * own connection for everything else; both are in WAL mode on the same file.
 *
 * busy_timeout is 0 on purpose: better-sqlite3 is synchronous, so waiting for a lock held by
 * Prisma's connection (an interactive transaction in this same process) would block the event loop
 * that Prisma needs to finish and release it. A busy write is retried from a timer instead.
 */
export function openEngineConnection(file: string, synchronous: SynchronousMode): Sqlite {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 0');
  // Checkpoints happen in a worker thread instead (see checkpointer.ts).
  db.pragma('wal_autocheckpoint = 0');
  return db;
}

let lastMs = NaN;
let lastText = '';

/**
 * The text form Prisma's SQLite adapter uses for DateTime columns, so both sides read each other's
 * rows. A run writes the same instant several times (created, due, started, its steps'), so the
 * last one is remembered.
 */
export function sqlDate(date: Date): string {
  const ms = date.getTime();
  if (ms !== lastMs) {
    lastMs = ms;
    lastText = date.toISOString().replace('Z', '+00:00');
  }
  return lastText;
}

export function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}
