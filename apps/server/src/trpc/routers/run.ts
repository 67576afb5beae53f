import { z } from 'zod';
import { RunListInput, getRun, listRuns } from '../../services/runs.ts';
import { router, viewerProcedure } from '../init.ts';

export const runRouter = router({
  list: viewerProcedure.input(RunListInput.partial().default({})).query(({ ctx, input }) => listRuns(ctx.db, input)),
  byId: viewerProcedure.input(z.object({ id: z.string().min(1) })).query(({ ctx, input }) => getRun(ctx.db, input.id)),
});
