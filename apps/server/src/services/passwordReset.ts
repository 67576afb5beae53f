import type { Db } from '../db/index.ts';
import { Email, NewPassword, type SessionUser, Role } from './accounts.ts';
import { notFound } from './errors.ts';
import { hashPassword } from './passwords.ts';
import { CLI_ACTOR, audit } from './audit.ts';

/**
 * Sets a new password for an account and ends all its sessions in the same transaction: whoever
 * was signed in with the old password (perhaps the reason for the reset) is signed out at once.
 */
export async function resetPassword(db: Db, input: { email: string; password: string }): Promise<{ user: SessionUser; sessionsEnded: number }> {
  const email = Email.parse(input.email);
  NewPassword.parse(input.password);
  const existing = await db.user.findUnique({ where: { email }, select: { id: true } });
  if (!existing) throw notFound(`No account for ${email}`);
  const passwordHash = await hashPassword(input.password);
  return db.$transaction(async (tx) => {
    const user = await tx.user.update({ where: { id: existing.id }, data: { passwordHash } });
    const { count } = await tx.session.deleteMany({ where: { userId: user.id } });
    await audit(tx, { actor: CLI_ACTOR, action: 'user.password_reset', target: { type: 'user', id: user.id, label: user.email }, details: { sessionsEnded: count } });
    return { user: { id: user.id, email: user.email, role: Role.parse(user.role) }, sessionsEnded: count };
  });
}
