import { WorkflowName } from '@switchyard/workflow';
import { z } from 'zod';
import { UNKNOWN_WORKFLOW } from '../../services/refusals.ts';
import { RunListInput, getRun, listRuns, refusedCalls } from '../../services/runs.ts';
import { router, viewerProcedure } from '../init.ts';

export const runRouter = router({
  list: viewerProcedure.input(RunListInput.partial().default({})).query(({ ctx, input }) => listRuns(ctx.db, input)),
  byId: viewerProcedure
    .input(z.object({ id: z.string().min(1).max(64) }))
    .query(({ ctx, input }) =>
      getRun(ctx.db, input.id, { draft: ctx.config.engine.retentionMs.draft, live: ctx.config.engine.retentionMs.live }),
    ),
  /** Calls of a workflow's endpoints that were refused (400, 404, 413, 415), by environment and reason; `(unknown workflow)` for names no workflow has. */
  refused: viewerProcedure
    .input(z.object({ workflowName: z.union([WorkflowName, z.literal(UNKNOWN_WORKFLOW)]) }))
    .query(({ ctx, input }) => refusedCalls(ctx.db, input.workflowName)),
});
