import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { type Db, isUniqueViolation } from '../db/index.ts';
import { ANONYMOUS_ACTOR, CLI_ACTOR, type Actor, type AuditInput, audit, userActor } from './audit.ts';
import { withBusyRetry } from './busy.ts';
import { AppError, conflict } from './errors.ts';
import { MIN_PASSWORD_LENGTH, dummyHash, hashPassword, verifyPassword } from './passwords.ts';

export const Role = z.enum(['admin', 'builder', 'viewer']);
export type Role = z.infer<typeof Role>;

/** active: may sign in; invited: has no password until the invitation is accepted; disabled: may not sign in. */
export const UserStatus = z.enum(['active', 'invited', 'disabled']);
export type UserStatus = z.infer<typeof UserStatus>;

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

/** Creates an active account with a password (the CLI's create-user, unless another actor is given). */
export async function createUser(db: Db, input: { email: string; password: string; role: Role }, actor: Actor = CLI_ACTOR): Promise<SessionUser> {
  const email = Email.parse(input.email);
  NewPassword.parse(input.password);
  const role = Role.parse(input.role);
  const passwordHash = await hashPassword(input.password);
  try {
    return await withBusyRetry(() =>
      db.$transaction(async (tx) => {
        const user = toSessionUser(await tx.user.create({ data: { id: randomUUID(), email, passwordHash, role } }));
        await audit(tx, { actor, action: 'user.created', target: { type: 'user', id: user.id, label: email }, details: { role } });
        return user;
      }),
    );
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
    const user = toSessionUser(await tx.user.create({ data: { id: randomUUID(), email, passwordHash, role: 'admin' } }));
    await audit(tx, { actor: userActor(user), action: 'user.created', target: { type: 'user', id: user.id, label: email }, details: { role: 'admin', via: 'setup' } });
    return user;
  });
}

/**
 * Returns the user for a correct email and password of an active account, null otherwise (never
 * says which part was wrong, nor that the account is disabled or not set up yet).
 */
export async function checkCredentials(db: Db, email: string, password: string): Promise<SessionUser | null> {
  const user = await db.user.findUnique({ where: { email: normaliseEmail(email) } });
  if (!user || user.status !== 'active') {
    await verifyPassword(await dummyHash(), password);
    return null;
  }
  return (await verifyPassword(user.passwordHash, password)) ? toSessionUser(user) : null;
}

/** A successful sign-in: the account's last sign-in time and an audit event, in one transaction. */
export async function recordSignIn(db: Db, user: SessionUser, ip: string, at: Date): Promise<void> {
  await withBusyRetry(() =>
    db.$transaction(async (tx) => {
      await tx.user.update({ where: { id: user.id }, data: { lastSignInAt: at } });
      await audit(tx, { actor: userActor(user), action: 'auth.sign_in', target: { type: 'user', id: user.id, label: user.email }, details: { ip }, at });
    }),
  );
}

/**
 * A refused sign-in, for the audit log. The email typed is kept only when it is an account's (a
 * password typed into the email field by mistake must not end up in the log).
 */
export async function recordFailedSignIn(db: Db, email: string, ip: string, at: Date): Promise<void> {
  const user = await db.user.findUnique({ where: { email: normaliseEmail(email) }, select: { id: true, email: true, status: true } });
  const reason = !user ? 'unknown_email' : user.status === 'active' ? 'wrong_password' : `account_${user.status}`;
  const event: AuditInput = {
    // Whoever typed it is not known: the account is the target, not the actor.
    actor: ANONYMOUS_ACTOR,
    action: 'auth.sign_in_failed',
    target: user ? { type: 'user', id: user.id, label: user.email } : null,
    details: { ip, reason },
    at,
  };
  await withBusyRetry(() => audit(db, event));
}

// Only the SHA-256 of a session token (and of a one-time link's) is stored: a leaked database does
// not hand out sessions.
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export async function createSession(db: Db, userId: string, days: number): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + days * 86_400_000);
  await db.session.create({ data: { tokenHash: hashToken(token), userId, expiresAt } });
  return { token, expiresAt };
}

export async function userForSession(db: Db, token: string): Promise<SessionUser | null> {
  const session = await db.session.findUnique({ where: { tokenHash: hashToken(token) }, include: { user: true } });
  if (!session) return null;
  // Disabling an account deletes its sessions; the status check also covers one made in the same instant.
  if (session.expiresAt.getTime() <= Date.now() || session.user.status !== 'active') {
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
