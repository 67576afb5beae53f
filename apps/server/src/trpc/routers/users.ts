import { z } from 'zod';
import { createSession } from '../../services/accounts.ts';
import { userActor } from '../../services/audit.ts';
import {
  AcceptLinkInput,
  ChangeRoleInput,
  InviteInput,
  LinkToken,
  SetPasswordInput,
  UserId,
  changeRole,
  createLink,
  disableUser,
  enableUser,
  inviteUser,
  linkInfo,
  listUsers,
  setPassword,
  useLink,
} from '../../services/users.ts';
import { adminProcedure, publicProcedure, router } from '../init.ts';

const ById = z.object({ userId: UserId });

/** The Users page (admins only), and the public page a one-time invitation or reset link opens. */
export const usersRouter = router({
  list: adminProcedure.query(({ ctx }) => listUsers(ctx.db, ctx.clock())),

  /** Creates an invited account; the answer holds the link's path, shown once. */
  invite: adminProcedure.input(InviteInput).mutation(({ ctx, input }) => inviteUser(ctx.db, userActor(ctx.user), input, ctx.clock())),

  changeRole: adminProcedure.input(ChangeRoleInput).mutation(({ ctx, input }) => changeRole(ctx.db, userActor(ctx.user), input, ctx.clock())),

  disable: adminProcedure.input(ById).mutation(({ ctx, input }) => disableUser(ctx.db, userActor(ctx.user), input.userId, ctx.clock())),

  enable: adminProcedure.input(ById).mutation(({ ctx, input }) => enableUser(ctx.db, userActor(ctx.user), input.userId, ctx.clock())),

  /** Sets a password the admin passes on; the account's sessions end (the admin's own current one stays). */
  setPassword: adminProcedure
    .input(SetPasswordInput)
    .mutation(({ ctx, input }) => setPassword(ctx.db, userActor(ctx.user), input, ctx.clock(), ctx.sessionToken)),

  /** A new one-time link: a password reset, or a new invitation for an account still invited. Shown once. */
  createLink: adminProcedure.input(ById).mutation(({ ctx, input }) => createLink(ctx.db, userActor(ctx.user), input.userId, ctx.clock())),

  /** What a link is for; NOT_FOUND when it does not work (used, expired, replaced, account disabled). */
  link: publicProcedure.input(z.object({ token: LinkToken })).query(({ ctx, input }) => linkInfo(ctx.db, input.token, ctx.clock())),

  /** Uses a link: sets the password and signs the person in. */
  acceptLink: publicProcedure.input(AcceptLinkInput).mutation(async ({ ctx, input }) => {
    const user = await useLink(ctx.db, input, ctx.clock());
    const { token, expiresAt } = await createSession(ctx.db, user.id, ctx.config.sessionDays);
    ctx.setSessionCookie(token, expiresAt);
    return user;
  }),
});
