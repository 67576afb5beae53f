import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { type Db, type Prisma, isUniqueViolation } from '../db/index.ts';
import { Email, NewPassword, Role, type SessionUser, UserStatus, hashToken } from './accounts.ts';
import { type Actor, audit, userActor } from './audit.ts';
import { withBusyRetry } from './busy.ts';
import { badRequest, conflict, notFound } from './errors.ts';
import { hashPassword } from './passwords.ts';

/**
 * The Users page: accounts, invitations and password resets, role changes, disabling. Every change
 * writes its audit event in the same transaction, and none may leave the instance without an
 * active admin. Admin-only (the router checks); the one-time link procedures are public, the
 * link's random token being the credential.
 */

/** How long an invitation or reset link works. */
export const LINK_DAYS = 7;
/** The most accounts the Users page lists. */
export const MAX_LISTED_USERS = 1000;

export const LinkPurpose = z.enum(['invite', 'reset']);
export type LinkPurpose = z.infer<typeof LinkPurpose>;

/** A link's token as it arrives in a URL: 32 random bytes in base64url. */
export const LinkToken = z.string().min(20, 'This link is incomplete: copy the whole link').max(100).regex(/^[\w-]+$/, 'This link is not valid');

export const UserId = z.string().min(1).max(64);
export const InviteInput = z.object({ email: Email, role: Role });
export const ChangeRoleInput = z.object({ userId: UserId, role: Role });
export const SetPasswordInput = z.object({ userId: UserId, password: NewPassword });
export const AcceptLinkInput = z.object({ token: LinkToken, password: NewPassword });

type Tx = Prisma.TransactionClient;

/** Accounts for the Users page, by email, with any link waiting to be used. */
export async function listUsers(db: Db, now: Date) {
  const rows = await db.user.findMany({
    orderBy: { email: 'asc' },
    take: MAX_LISTED_USERS,
    select: {
      id: true,
      email: true,
      role: true,
      status: true,
      createdAt: true,
      lastSignInAt: true,
      links: { where: { expiresAt: { gt: now } }, select: { purpose: true, expiresAt: true }, orderBy: { expiresAt: 'desc' }, take: 1 },
    },
  });
  return rows.map(({ links, ...user }) => ({
    ...user,
    role: Role.parse(user.role),
    status: UserStatus.parse(user.status),
    /** A link made and not used yet: the invitation or reset is still open until then. */
    pendingLink: links[0] ? { purpose: LinkPurpose.parse(links[0].purpose), expiresAt: links[0].expiresAt } : null,
  }));
}

/** A new one-time link for a user (earlier ones stop working): the token, shown once; only its hash is kept. */
async function newLink(tx: Tx, userId: string, purpose: LinkPurpose, actor: Actor, now: Date): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await tx.accountLink.deleteMany({ where: { userId } });
  await tx.accountLink.create({
    data: {
      tokenHash: hashToken(token),
      userId,
      purpose,
      createdAt: now,
      expiresAt: new Date(now.getTime() + LINK_DAYS * 86_400_000),
      createdByUserId: actor.kind === 'user' ? actor.userId : null,
    },
  });
  return token;
}

/** The path of a link in the web app; the page adds its origin. */
export const linkPath = (purpose: LinkPurpose, token: string) => `/${purpose === 'invite' ? 'invite' : 'reset-password'}/${token}`;

/**
 * Invites someone: an account with the role and no password yet, and a link valid LINK_DAYS days
 * that sets the password. The link is returned once and never stored.
 */
export async function inviteUser(db: Db, actor: Actor, raw: z.input<typeof InviteInput>, now: Date) {
  const input = InviteInput.parse(raw);
  try {
    return await withBusyRetry(() =>
      db.$transaction(async (tx) => {
        const user = await tx.user.create({ data: { id: randomUUID(), email: input.email, passwordHash: '', role: input.role, status: 'invited', createdAt: now } });
        const token = await newLink(tx, user.id, 'invite', actor, now);
        await audit(tx, { actor, action: 'user.invited', target: { type: 'user', id: user.id, label: user.email }, details: { role: input.role }, at: now });
        return { userId: user.id, email: user.email, path: linkPath('invite', token), expiresAt: new Date(now.getTime() + LINK_DAYS * 86_400_000) };
      }),
    );
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`An account for ${input.email} already exists`);
    throw error;
  }
}

const INVALID_LINK = 'This link does not work: it was used already, has expired, or a newer one replaced it. Ask an admin for a new one.';

/** What a link is for (the page's title and the email it sets a password for); NOT_FOUND when it does not work. */
export async function linkInfo(db: Db, rawToken: string, now: Date) {
  const token = LinkToken.parse(rawToken);
  const link = await db.accountLink.findUnique({ where: { tokenHash: hashToken(token) }, include: { user: { select: { email: true, status: true } } } });
  if (!link || link.expiresAt <= now || link.user.status === 'disabled') throw notFound(INVALID_LINK);
  return { purpose: LinkPurpose.parse(link.purpose), email: link.user.email, expiresAt: link.expiresAt };
}

/**
 * Uses a link: sets the password, makes the account active, ends its other sessions, and deletes
 * the link in the same transaction (so it works once, even when used twice at the same moment).
 * The caller then signs the user in.
 */
export async function useLink(db: Db, raw: z.input<typeof AcceptLinkInput>, now: Date): Promise<SessionUser> {
  const input = AcceptLinkInput.parse(raw);
  const tokenHash = hashToken(input.token);
  // Checked before hashing, so a wrong link costs no argon2 time.
  await linkInfo(db, input.token, now);
  const passwordHash = await hashPassword(input.password);
  return withBusyRetry(() =>
    db.$transaction(async (tx) => {
      const link = await tx.accountLink.findUnique({ where: { tokenHash }, include: { user: true } });
      if (!link || link.expiresAt <= now || link.user.status === 'disabled') throw notFound(INVALID_LINK);
      const purpose = LinkPurpose.parse(link.purpose);
      // This link and any other of the account's stop working. A second use at the same moment
      // finds no link above: SQLite runs one write transaction at a time.
      await tx.accountLink.deleteMany({ where: { userId: link.userId } });
      await tx.session.deleteMany({ where: { userId: link.userId } });
      const user = await tx.user.update({ where: { id: link.userId }, data: { passwordHash, status: 'active', lastSignInAt: now } });
      const actor = userActor(user);
      const target = { type: 'user' as const, id: user.id, label: user.email };
      await audit(
        tx,
        purpose === 'invite'
          ? { actor, action: 'user.invitation_accepted', target, at: now }
          : { actor, action: 'user.password_reset', target, details: { method: 'link_used' }, at: now },
      );
      return { id: user.id, email: user.email, role: Role.parse(user.role) };
    }),
  );
}

async function findUser(tx: Tx, userId: string) {
  const user = await tx.user.findUnique({ where: { id: userId } });
  if (!user) throw notFound('There is no such account');
  return user;
}

/**
 * Refuses a change that would leave no active admin: `user` is losing admin rights (demoted or
 * disabled) and no other active admin exists. Runs inside the change's transaction, so two
 * admins demoting each other at once cannot both succeed (SQLite serialises the writes).
 */
async function keepAnAdmin(tx: Tx, user: { id: string; email: string; role: string; status: string }, change: string): Promise<void> {
  if (user.role !== 'admin' || user.status !== 'active') return;
  const others = await tx.user.count({ where: { role: 'admin', status: 'active', id: { not: user.id } } });
  if (others === 0) throw conflict(`${user.email} is the last active admin and cannot be ${change}: make another account an admin first`);
}

export async function changeRole(db: Db, actor: Actor, raw: z.input<typeof ChangeRoleInput>, now: Date) {
  const input = ChangeRoleInput.parse(raw);
  return withBusyRetry(() =>
    db.$transaction(async (tx) => {
      const user = await findUser(tx, input.userId);
      if (user.role === input.role) return { changed: false };
      if (input.role !== 'admin') await keepAnAdmin(tx, user, `made ${input.role === 'builder' ? 'a builder' : 'a viewer'}`);
      await tx.user.update({ where: { id: user.id }, data: { role: input.role } });
      await audit(tx, { actor, action: 'user.role_changed', target: { type: 'user', id: user.id, label: user.email }, details: { from: user.role, to: input.role }, at: now });
      return { changed: true };
    }),
  );
}

/** Disables an account: it cannot sign in, its sessions end now and its open links stop working. */
export async function disableUser(db: Db, actor: Actor, userId: string, now: Date) {
  UserId.parse(userId);
  return withBusyRetry(() =>
    db.$transaction(async (tx) => {
      const user = await findUser(tx, userId);
      if (user.status === 'disabled') return { changed: false };
      await keepAnAdmin(tx, user, 'disabled');
      await tx.user.update({ where: { id: user.id }, data: { status: 'disabled' } });
      const sessions = await tx.session.deleteMany({ where: { userId: user.id } });
      await tx.accountLink.deleteMany({ where: { userId: user.id } });
      await audit(tx, { actor, action: 'user.disabled', target: { type: 'user', id: user.id, label: user.email }, details: { sessionsEnded: sessions.count }, at: now });
      return { changed: true };
    }),
  );
}

/** Enables a disabled account: active again, or invited when it never had a password (send it a new link). */
export async function enableUser(db: Db, actor: Actor, userId: string, now: Date) {
  UserId.parse(userId);
  return withBusyRetry(() =>
    db.$transaction(async (tx) => {
      const user = await findUser(tx, userId);
      if (user.status !== 'disabled') return { changed: false, status: UserStatus.parse(user.status) };
      const status: UserStatus = user.passwordHash === '' ? 'invited' : 'active';
      await tx.user.update({ where: { id: user.id }, data: { status } });
      await audit(tx, { actor, action: 'user.enabled', target: { type: 'user', id: user.id, label: user.email }, details: { status }, at: now });
      return { changed: true, status };
    }),
  );
}

/**
 * An admin sets an account's password (to pass on): its sessions end (but the acting admin's own
 * current one, when it is their own account) and its open links stop working.
 */
export async function setPassword(db: Db, actor: Actor, raw: z.input<typeof SetPasswordInput>, now: Date, keepSessionToken: string | null) {
  const input = SetPasswordInput.parse(raw);
  const passwordHash = await hashPassword(input.password);
  return withBusyRetry(() =>
    db.$transaction(async (tx) => {
      const user = await findUser(tx, input.userId);
      if (user.status === 'disabled') throw badRequest(`${user.email} is disabled: enable the account first`);
      await tx.user.update({ where: { id: user.id }, data: { passwordHash, status: 'active' } });
      const keep = keepSessionToken ? hashToken(keepSessionToken) : null;
      await tx.session.deleteMany({ where: { userId: user.id, ...(keep && { tokenHash: { not: keep } }) } });
      await tx.accountLink.deleteMany({ where: { userId: user.id } });
      await audit(tx, { actor, action: 'user.password_reset', target: { type: 'user', id: user.id, label: user.email }, details: { method: 'set_by_admin' }, at: now });
      return { changed: true };
    }),
  );
}

/**
 * A new one-time link for an account: a reset link (the password stays valid until the link is
 * used), or for an account still invited, a new invitation (the old link stops working).
 */
export async function createLink(db: Db, actor: Actor, userId: string, now: Date) {
  UserId.parse(userId);
  return withBusyRetry(() =>
    db.$transaction(async (tx) => {
      const user = await findUser(tx, userId);
      if (user.status === 'disabled') throw badRequest(`${user.email} is disabled: enable the account first`);
      const purpose: LinkPurpose = user.status === 'invited' ? 'invite' : 'reset';
      const token = await newLink(tx, user.id, purpose, actor, now);
      const target = { type: 'user' as const, id: user.id, label: user.email };
      await audit(
        tx,
        purpose === 'invite'
          ? { actor, action: 'user.invited', target, details: { role: user.role, again: true }, at: now }
          : { actor, action: 'user.password_reset', target, details: { method: 'link_created' }, at: now },
      );
      return { purpose, path: linkPath(purpose, token), expiresAt: new Date(now.getTime() + LINK_DAYS * 86_400_000) };
    }),
  );
}
