import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { type Db, isUniqueViolation } from '../db/index.ts';
import { AppError, conflict } from './errors.ts';
import { MIN_PASSWORD_LENGTH, dummyHash, hashPassword, verifyPassword } from './passwords.ts';

export const Role = z.enum(['admin', 'builder', 'viewer']);
export type Role = z.infer<typeof Role>;

/** Emails are stored and compared trimmed and in lower case. */
export const normaliseEmail = (email: string) => email.trim().toLowerCase();

export const Email = z.preprocess(
  (value) => (typeof value === 'string' ? normaliseEmail(value) : value),
  z.email('Enter a valid email address').max(254),
);
export const NewPassword = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `Password must be at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(1024, 'Password must be at most 1024 characters');

export interface SessionUser {
  id: string;
  email: string;
  role: Role;
}

const toSessionUser = (user: { id: string; email: string; role: string }): SessionUser => ({
  id: user.id,
  email: user.email,
  role: Role.parse(user.role),
});

export async function needsSetup(db: Db): Promise<boolean> {
  return (await db.user.count()) === 0;
}

export async function createUser(db: Db, input: { email: string; password: string; role: Role }): Promise<SessionUser> {
  const email = Email.parse(input.email);
  NewPassword.parse(input.password);
  const passwordHash = await hashPassword(input.password);
  try {
    return toSessionUser(await db.user.create({ data: { id: randomUUID(), email, passwordHash, role: input.role } }));
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`An account for ${email} already exists`);
    throw error;
  }
}

/** Creates the first admin; refused once any account exists, so setup cannot be replayed. */
export async function createFirstAdmin(db: Db, input: { email: string; password: string }): Promise<SessionUser> {
  // Refused before the (deliberately slow) hash: repeated setup calls cost the server nothing.
  if (!(await needsSetup(db))) throw conflict('Setup is already done: sign in instead');
  const email = Email.parse(input.email);
  NewPassword.parse(input.password);
  const passwordHash = await hashPassword(input.password);
  return db.$transaction(async (tx) => {
    if ((await tx.user.count()) > 0) throw conflict('Setup is already done: sign in instead');
    return toSessionUser(await tx.user.create({ data: { id: randomUUID(), email, passwordHash, role: 'admin' } }));
  });
}

/** Returns the user for a correct email and password, null otherwise (never says which part was wrong). */
export async function checkCredentials(db: Db, email: string, password: string): Promise<SessionUser | null> {
  const user = await db.user.findUnique({ where: { email: normaliseEmail(email) } });
  if (!user) {
    await verifyPassword(await dummyHash(), password);
    return null;
  }
  return (await verifyPassword(user.passwordHash, password)) ? toSessionUser(user) : null;
}

// Only the SHA-256 of a session token is stored: a leaked database does not hand out sessions.
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export async function createSession(db: Db, userId: string, days: number): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + days * 86_400_000);
  await db.session.create({ data: { tokenHash: hashToken(token), userId, expiresAt } });
  return { token, expiresAt };
}

export async function userForSession(db: Db, token: string): Promise<SessionUser | null> {
  const session = await db.session.findUnique({ where: { tokenHash: hashToken(token) }, include: { user: true } });
  if (!session) return null;
  if (session.expiresAt.getTime() <= Date.now()) {
    await db.session.deleteMany({ where: { tokenHash: session.tokenHash } });
    return null;
  }
  return toSessionUser(session.user);
}

export async function deleteSession(db: Db, token: string): Promise<void> {
  await db.session.deleteMany({ where: { tokenHash: hashToken(token) } });
}

export function requireRole(user: SessionUser, allowed: readonly Role[]): void {
  if (!allowed.includes(user.role)) {
    throw new AppError('FORBIDDEN', `Your role (${user.role}) may not do this; it needs ${allowed.join(' or ')}`);
  }
}
