import { deploy, latestRelease } from '../../services/releases.ts';
import { builderProcedure, router, viewerProcedure } from '../init.ts';

export const releaseRouter = router({
  latest: viewerProcedure.query(async ({ ctx }) => {
    const release = await latestRelease(ctx.db);
    return release ? { number: release.number, createdAt: release.createdAt } : null;
  }),

  deploy: builderProcedure.mutation(async ({ ctx }) => {
    const release = await deploy(ctx.db, ctx.user.email);
    ctx.log.info({ release: release.number, by: ctx.user.id }, 'deployed');
    return release;
  }),
});
