import { z } from 'zod';
import { deletedButLive } from '../../services/liveState.ts';
import {
  ReleaseNote,
  deploy,
  latestRelease,
  listReleases,
  previewDeploy,
  previewRestore,
  restoreRelease,
  takeOffLive,
} from '../../services/releases.ts';
import { builderProcedure, router, viewerProcedure } from '../init.ts';

/** At most this many workflows in one deploy or take-off by id (deploying all has no list). */
const MAX_IDS = 500;
const WorkflowIds = z.array(z.string().min(1).max(64)).min(1, 'Choose at least one workflow').max(MAX_IDS, `At most ${MAX_IDS} workflows at once`);
const ReleaseNumber = z.number().int().min(1).max(2_147_483_647);

export const releaseRouter = router({
  latest: viewerProcedure.query(async ({ ctx }) => {
    const release = await latestRelease(ctx.db);
    return release ? { number: release.number, createdAt: release.createdAt } : null;
  }),

  /** Releases, newest first: number, who, when, how, which workflows changed; `cursor` is `nextBefore` of the page before. */
  list: viewerProcedure
    .input(z.object({ limit: z.number().int().min(1).max(200).default(50), cursor: ReleaseNumber.nullish() }).default({ limit: 50 }))
    .query(({ ctx, input }) => listReleases(ctx.db, { limit: input.limit, ...(input.cursor != null && { before: input.cursor }) })),

  /** What deploying these workflows (all when left out) would change per workflow, and what it would refuse. */
  preview: viewerProcedure
    .input(z.object({ workflowIds: WorkflowIds.optional() }).default({}))
    .query(({ ctx, input }) => previewDeploy(ctx.db, input.workflowIds)),

  /** What restoring release `number` would change. */
  previewRestore: viewerProcedure.input(z.object({ number: ReleaseNumber })).query(({ ctx, input }) => previewRestore(ctx.db, input.number)),

  /** Deploys these workflows (all when left out); refused ones are named in the result. */
  deploy: builderProcedure
    .input(
      z
        .object({ workflowIds: WorkflowIds.optional(), note: ReleaseNote.optional(), baseRelease: ReleaseNumber.nullable().optional() })
        .default({}),
    )
    .mutation(async ({ ctx, input }) => {
      const release = await deploy(ctx.db, ctx.user.email, { ...input, byId: ctx.user.id });
      ctx.log.info({ release: release.number, by: ctx.user.id, deployed: release.deployed.length, refused: release.refused.length }, 'deployed');
      return release;
    }),

  /** Makes a new release with the entries of an earlier one. */
  restore: builderProcedure.input(z.object({ number: ReleaseNumber, note: ReleaseNote.optional() })).mutation(async ({ ctx, input }) => {
    const release = await restoreRelease(ctx.db, input.number, { by: ctx.user.email, byId: ctx.user.id, note: input.note ?? null });
    ctx.log.info({ release: release.number, restoredFrom: input.number, by: ctx.user.id }, 'restored a release');
    return release;
  }),

  /** A new release without these workflows (deleted ones still live, or any live one). */
  takeOffLive: builderProcedure.input(z.object({ workflowIds: WorkflowIds, note: ReleaseNote.optional() })).mutation(async ({ ctx, input }) => {
    const release = await takeOffLive(ctx.db, input.workflowIds, { by: ctx.user.email, byId: ctx.user.id, note: input.note ?? null });
    ctx.log.info({ release: release.number, by: ctx.user.id }, 'took workflows off live');
    return { number: release.number, changes: release.changes };
  }),

  /** Workflows deleted while live: they still answer on their live endpoint. */
  deletedButLive: viewerProcedure.query(({ ctx }) => deletedButLive(ctx.db)),
});
