import { z } from 'zod';
import { userActor } from '../../services/audit.ts';
import { listRecurringJobs } from '../../services/recurring.ts';
import { Environment } from '../../services/runs.ts';
import { adminProcedure, router, viewerProcedure } from '../init.ts';

/** The Recurring jobs page: everyone sees the jobs; only admins switch them, per environment. */
export const recurringRouter = router({
  list: viewerProcedure.query(({ ctx }) => listRecurringJobs(ctx.db, ctx.config.engine.timeZone, ctx.clock())),

  setEnabled: adminProcedure
    .input(z.object({ workflowId: z.string().min(1).max(64), environment: Environment, enabled: z.boolean() }))
    .mutation(async ({ ctx, input }) => {
      await ctx.scheduler.setRecurringEnabled(input.workflowId, input.environment, input.enabled, userActor(ctx.user));
    }),
});
