import type { Db } from '../db/index.ts';
import { notFound } from './errors.ts';
import type { LoginLimiter } from './loginLimiter.ts';

/** An (account, address) pair that must wait before its next sign-in attempt, for the Users page. */
export interface Lockout {
  /** The account's id, or null when the email has no account (someone guessing addresses). */
  userId: string | null;
  email: string;
  address: string;
  failures: number;
  blockedUntil: Date;
}

/** At most this many pairs are listed (longest wait first); `total` says how many there are. */
export const MAX_LOCKOUTS_LISTED = 200;

/** Who is being delayed now, from where, and until when. */
export async function listLockouts(db: Db, limiter: LoginLimiter): Promise<{ lockouts: Lockout[]; total: number }> {
  const all = limiter.locked();
  const locked = all.slice(0, MAX_LOCKOUTS_LISTED);
  if (locked.length === 0) return { lockouts: [], total: 0 };
  const users = await db.user.findMany({ where: { email: { in: [...new Set(locked.map((l) => l.email))] } }, select: { id: true, email: true } });
  const idByEmail = new Map(users.map((u) => [u.email, u.id]));
  return { lockouts: locked.map((l) => ({ userId: idByEmail.get(l.email) ?? null, ...l })), total: all.length };
}

/** Clears every sign-in delay of an account, from every address; says how many addresses were waiting. */
export async function unlockAccount(db: Db, limiter: LoginLimiter, userId: string): Promise<{ email: string; addressesCleared: number }> {
  const user = await db.user.findUnique({ where: { id: userId }, select: { email: true } });
  if (!user) throw notFound(`No account with id ${userId}`);
  return { email: user.email, addressesCleared: limiter.unlock(user.email) };
}
