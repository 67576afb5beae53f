import { z } from 'zod';
import { detectResult, startDetect, stopDetect } from '../../services/detectData.ts';
import { builderProcedure, router } from '../init.ts';

const ByWorkflow = z.object({ workflowId: z.string().min(1).max(100) });

/**
 * "Detect data" (workflow.detect.*): builders open it for a workflow, poll for the sample that
 * `.../wf/<name>/initialize` captured, and close it. Samples may hold callers' data, so reading
 * them is for builders and admins, as editing the workflow is.
 */
export const detectRouter = router({
  start: builderProcedure
    .input(ByWorkflow.extend({ includeHeaders: z.boolean().default(false) }))
    .mutation(({ ctx, input }) => startDetect(ctx.db, { ...input, userId: ctx.user.id, now: ctx.clock() })),

  stop: builderProcedure.input(ByWorkflow).mutation(({ ctx, input }) => stopDetect(ctx.db, input.workflowId)),

  result: builderProcedure.input(ByWorkflow).query(({ ctx, input }) => detectResult(ctx.db, input.workflowId, ctx.clock())),
});
