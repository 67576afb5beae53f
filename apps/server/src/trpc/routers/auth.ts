import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import {
  checkCredentials,
  createFirstAdmin,
  createSession,
  deleteSession,
  needsSetup,
  normaliseEmail,
  recordFailedSignIn,
  recordSignIn,
} from '../../services/accounts.ts';
import { assertSetupAllowed } from '../../services/setupGuard.ts';
import type { Context } from '../context.ts';
import { publicProcedure, router, viewerProcedure } from '../init.ts';

async function startSession(ctx: Context, userId: string) {
  const { token, expiresAt } = await createSession(ctx.db, userId, ctx.config.sessionDays);
  ctx.setSessionCookie(token, expiresAt);
}

export const authRouter = router({
  status: publicProcedure.query(async ({ ctx }) => ({
    needsSetup: ctx.user ? false : await needsSetup(ctx.db),
    user: ctx.user,
  })),

  setup: publicProcedure
    .input(z.object({ email: z.string().max(254), password: z.string().max(1024) }))
    .mutation(async ({ ctx, input }) => {
      // Where the request was sent, then how often this address tried: both before any hashing.
      assertSetupAllowed(ctx.request, ctx.config.publicUrl);
      await ctx.loginLimiter.spendSetupAttempt(ctx.ip);
      const user = await createFirstAdmin(ctx.db, input);
      ctx.log.info({ userId: user.id }, 'first admin created');
      await startSession(ctx, user.id);
      return user;
    }),

  login: publicProcedure
    .input(z.object({ email: z.string().max(254), password: z.string().max(1024) }))
    .mutation(async ({ ctx, input }) => {
      const email = normaliseEmail(input.email);
      await ctx.loginLimiter.spendAttempt(ctx.ip, email);
      const user = await checkCredentials(ctx.db, email, input.password);
      if (!user) {
        await recordFailedSignIn(ctx.db, email, ctx.ip, ctx.clock());
        throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Invalid email or password' });
      }
      await ctx.loginLimiter.refund(ctx.ip, email);
      await recordSignIn(ctx.db, user, ctx.ip, ctx.clock());
      await startSession(ctx, user.id);
      return user;
    }),

  logout: viewerProcedure.mutation(async ({ ctx }) => {
    if (ctx.sessionToken) await deleteSession(ctx.db, ctx.sessionToken);
    ctx.clearSessionCookie();
  }),
});
