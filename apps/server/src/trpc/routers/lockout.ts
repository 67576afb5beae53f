import { z } from 'zod';
import { audit, userActor } from '../../services/audit.ts';
import { listLockouts, unlockAccount } from '../../services/lockouts.ts';
import { adminProcedure, router } from '../init.ts';

/** Sign-in delays (services/loginLimiter.ts), for admins: who waits, from where, and clearing an account's. */
export const lockoutRouter = router({
  list: adminProcedure.query(({ ctx }) => listLockouts(ctx.db, ctx.loginLimiter)),

  unlock: adminProcedure.input(z.object({ userId: z.string().min(1).max(64) })).mutation(async ({ ctx, input }) => {
    const result = await unlockAccount(ctx.db, ctx.loginLimiter, input.userId);
    ctx.log.info({ userId: input.userId, by: ctx.user.id, addressesCleared: result.addressesCleared }, 'sign-in delays cleared by an admin');
    await audit(ctx.db, { actor: userActor(ctx.user), action: 'user.unlocked', target: { type: 'user', id: input.userId, label: result.email }, details: { addressesCleared: result.addressesCleared } });
    return result;
  }),
});
