import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient } from './generated/client.ts';

export type Db = PrismaClient;
export type { Prisma } from './generated/client.ts';

/**
 * Opens the embedded database through Prisma's better-sqlite3 driver adapter (no native engine).
 * better-sqlite3 waits for a lock synchronously, blocking the event loop, so the wait is short:
 * another process's engine holds the write lock for milliseconds at a time; a longer wait fails
 * with a busy error, which the services retry (services/busy.ts) or report.
 */
export function openDb(databaseFile: string): Db {
  const adapter = new PrismaBetterSqlite3({ url: `file:${databaseFile}`, timeout: 500 });
  return new PrismaClient({ adapter });
}
