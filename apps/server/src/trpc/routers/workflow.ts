import { WorkflowGraph, endpointSettings, isEventNode } from '@switchyard/workflow';
import { z } from 'zod';
import { audit, userActor } from '../../services/audit.ts';
import { badRequest } from '../../services/errors.ts';
import { signingSecretIds } from '../../services/secrets.ts';
import { signForTest } from '../../services/signatureCheck.ts';
import { deleteWorkflowAndLive, liveReleaseOf } from '../../services/releases.ts';
import {
  createWorkflow,
  diagnosticsOf,
  editorCatalog,
  getWorkflow,
  listWorkflows,
  liveStateOf,
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
    const catalog = await loadCatalog(ctx.db);
    return {
      id: workflow.id,
      name: workflow.name,
      label: workflow.label,
      graph: workflow.graph,
      revision: workflow.revision,
      updatedAt: workflow.updatedAt,
      diagnostics: diagnosticsOf(workflow, catalog),
      liveRelease: await liveReleaseOf(ctx.db, workflow.id),
      live: await liveStateOf(ctx.db, workflow, catalog),
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

  /**
   * Deletes a workflow. A live one either goes off live now (`takeOffLive`: a new release without
   * it, in the same transaction) or stays live until a deploy of all workflows.
   */
  delete: builderProcedure.input(ById.extend({ takeOffLive: z.boolean().default(false) })).mutation(async ({ ctx, input }) => {
    const result = await deleteWorkflowAndLive(ctx.db, input.id, { takeOffLive: input.takeOffLive, by: ctx.user.email, byId: ctx.user.id });
    if (result.release !== null) ctx.log.info({ release: result.release, workflow: input.id, by: ctx.user.id }, 'deleted a workflow and took it off live');
    return result;
  }),

  // The graph is validated by the service with the shared WorkflowGraph schema, so a malformed one
  // gets a message naming the exact path.
  save: builderProcedure
    .input(ById.extend({ graph: z.unknown(), baseRevision: z.number().int().min(0).optional() }))
    .mutation(async ({ ctx, input }) => {
      // A signature must name secrets that exist, or every signed call would be refused.
      const parsed = WorkflowGraph.safeParse(input.graph);
      const missing = parsed.success ? await ctx.secrets.missing(signingSecretIds(parsed.data)) : [];
      if (missing.length > 0) throw badRequest(`The endpoint's signature names a signing secret that does not exist (${missing[0]}): choose one in the list`);
      return saveGraph(ctx.db, input.id, input.graph, input.baseRevision);
    }),

  /**
   * Signature headers for a test call of the saved draft, made on the server with the endpoint's
   * secret (the browser never sees it): the test panel sends exactly `body` with them.
   */
  signTest: builderProcedure.input(ById.extend({ body: z.string().max(1024 * 1024) })).mutation(async ({ ctx, input }) => {
    const workflow = await getWorkflow(ctx.db, input.id);
    const signature = endpointSettings(workflow.graph.nodes.find(isEventNode))?.signature ?? null;
    if (!signature) throw badRequest('This workflow does not require signed calls');
    const headers = await signForTest(ctx.secrets, signature, input.body, ctx.clock());
    // Builders may sign any body with a workflow's secret (they may change any workflow anyway): each time is on record.
    await audit(ctx.db, {
      actor: userActor(ctx.user),
      action: 'secret.signed_test',
      target: { type: 'workflow', id: workflow.id, label: workflow.name },
      details: { scheme: signature.scheme, secretIds: signature.secretIds, bytes: Buffer.byteLength(input.body) },
    });
    return { headers };
  }),

  /** "Detect data": a sample request proposes the event's parameters (routers/detect.ts). */
  detect: detectRouter,
});
