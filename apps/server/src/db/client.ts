import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient } from './generated/client.ts';

export type Db = PrismaClient;
export type { Prisma } from './generated/client.ts';

/** Opens the embedded database through Prisma's better-sqlite3 driver adapter (no native engine). */
export function openDb(databaseFile: string): Db {
  // 5 s busy timeout: the CLI or a second process may hold the write lock briefly.
  const adapter = new PrismaBetterSqlite3({ url: `file:${databaseFile}`, timeout: 5000 });
  return new PrismaClient({ adapter });
}
