import { isBusyError } from '../db/index.ts';

const ATTEMPTS = 5;

/**
 * Runs a Prisma transaction again when SQLite says the database was busy. The run engine commits
 * on its own connection many times a second; a Prisma transaction that read before such a commit
 * cannot then write (SQLite refuses a stale snapshot), and trying the whole transaction again is
 * the fix.
 */
export async function withBusyRetry<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= ATTEMPTS || !isBusyError(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 * 2 ** attempt + Math.random() * 10));
    }
  }
}
