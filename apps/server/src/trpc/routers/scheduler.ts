import { z } from 'zod';
import { userActor } from '../../services/audit.ts';
import { badRequest } from '../../services/errors.ts';
import { Environment } from '../../services/runs.ts';
import { BatchListInput, ChainDepthLimit, PendingListInput, listBatches, listPending, queueDepth } from '../../services/scheduler.ts';
import { adminProcedure, builderProcedure, router, viewerProcedure } from '../init.ts';

const Env = z.object({ environment: Environment });

/** The Scheduler page: pending runs, pausing, cancelling. Builders schedule and cancel; admins pause and cancel all. */
export const schedulerRouter = router({
  state: viewerProcedure.query(async ({ ctx }) => ({
    environments: ctx.scheduler.states(),
    depth: await queueDepth(ctx.db, ctx.clock()),
  })),

  /** Queue depth and lateness over the last hour, a point a minute (this server process's view). */
  series: viewerProcedure.query(({ ctx }) => ctx.metrics.lastHour()),

  pending: viewerProcedure.input(PendingListInput).query(({ ctx, input }) => listPending(ctx.db, input)),

  /** Schedules a run of a workflow (the test panel's "run later"); parameters as a caller sends them. */
  schedule: builderProcedure
    .input(z.object({ environment: Environment, workflowId: z.string().min(1).max(64), runAt: z.date(), parameters: z.record(z.string(), z.unknown()) }))
    .mutation(({ ctx, input }) =>
      ctx.scheduler.scheduleById({
        environment: input.environment,
        workflowId: input.workflowId,
        body: input.parameters,
        runAt: input.runAt,
        scheduledBy: `user:${ctx.user.email}`,
      }),
    ),

  cancel: builderProcedure.input(Env.extend({ runId: z.string().min(1).max(64) })).mutation(async ({ ctx, input }) => {
    const outcome = await ctx.scheduler.cancelOne(input.environment, input.runId, userActor(ctx.user));
    if (outcome === 'unknown') throw badRequest('There is no such scheduled run');
    if (outcome !== 'cancelled') throw badRequest(outcome === 'started' ? 'This run has already started' : 'This run has already ended');
    return { cancelled: true };
  }),

  batches: viewerProcedure.input(BatchListInput).query(({ ctx, input }) => listBatches(ctx.db, input)),

  /** Cancels a batch: its items that have not started are cancelled; it ends once the rest end. */
  cancelBatch: builderProcedure.input(Env.extend({ batchId: z.string().min(1).max(64) })).mutation(async ({ ctx, input }) => {
    const outcome = await ctx.scheduler.cancelBatch(input.environment, input.batchId, userActor(ctx.user));
    if (outcome === 'unknown') throw badRequest('There is no such batch');
    if (outcome === 'ended') throw badRequest('This batch has already ended or been cancelled');
    return { cancelled: true };
  }),

  setPaused: adminProcedure.input(Env.extend({ paused: z.boolean() })).mutation(async ({ ctx, input }) => {
    await ctx.scheduler.setPaused(input.environment, input.paused, userActor(ctx.user));
  }),

  setChainDepthLimit: adminProcedure.input(Env.extend({ limit: ChainDepthLimit })).mutation(async ({ ctx, input }) => {
    await ctx.scheduler.setChainDepthLimit(input.environment, input.limit, userActor(ctx.user));
  }),

  /** Cancels every pending run of the environment; the admin types the environment's name to confirm. */
  cancelAll: adminProcedure.input(Env.extend({ confirm: z.string().max(20) })).mutation(async ({ ctx, input }) => {
    if (input.confirm !== input.environment) throw badRequest(`Type "${input.environment}" to confirm`);
    return { cancelled: await ctx.scheduler.cancelAll(input.environment, userActor(ctx.user)) };
  }),
});
