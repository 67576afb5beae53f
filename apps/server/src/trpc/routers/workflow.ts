import { z } from 'zod';
import { liveReleaseOf } from '../../services/releases.ts';
import {
  createWorkflow,
  deleteWorkflow,
  diagnosticsOf,
  editorCatalog,
  getWorkflow,
  listWorkflows,
  loadCatalog,
  renameWorkflow,
  saveGraph,
} from '../../services/workflows.ts';
import { builderProcedure, router, viewerProcedure } from '../init.ts';
import { detectRouter } from './detect.ts';

const ById = z.object({ id: z.string().min(1) });
const NameAndLabel = z.object({ name: z.string(), label: z.string().default('') });
/** Renaming without a label keeps the current label. */
const Rename = z.object({ id: z.string().min(1), name: z.string(), label: z.string().optional() });

export const workflowRouter = router({
  list: viewerProcedure.query(({ ctx }) => listWorkflows(ctx.db)),

  /** Every workflow with its parameters: what the editor compiles scheduling actions against. */
  catalog: viewerProcedure.query(({ ctx }) => editorCatalog(ctx.db)),

  byId: viewerProcedure.input(ById).query(async ({ ctx, input }) => {
    const workflow = await getWorkflow(ctx.db, input.id);
    return {
      id: workflow.id,
      name: workflow.name,
      label: workflow.label,
      graph: workflow.graph,
      revision: workflow.revision,
      updatedAt: workflow.updatedAt,
      diagnostics: diagnosticsOf(workflow, await loadCatalog(ctx.db)),
      liveRelease: await liveReleaseOf(ctx.db, workflow.id),
    };
  }),

  create: builderProcedure.input(NameAndLabel).mutation(async ({ ctx, input }) => {
    const workflow = await createWorkflow(ctx.db, input);
    return { id: workflow.id, name: workflow.name, label: workflow.label };
  }),

  rename: builderProcedure.input(Rename).mutation(async ({ ctx, input }) => {
    const workflow = await renameWorkflow(ctx.db, input);
    return { id: workflow.id, name: workflow.name, label: workflow.label };
  }),

  delete: builderProcedure.input(ById).mutation(async ({ ctx, input }) => {
    await deleteWorkflow(ctx.db, input.id);
  }),

  // The graph is validated by the service with the shared WorkflowGraph schema, so a malformed one
  // gets a message naming the exact path.
  save: builderProcedure
    .input(ById.extend({ graph: z.unknown(), baseRevision: z.number().int().min(0).optional() }))
    .mutation(({ ctx, input }) => saveGraph(ctx.db, input.id, input.graph, input.baseRevision)),

  /** "Detect data": a sample request proposes the event's parameters (routers/detect.ts). */
  detect: detectRouter,
});
