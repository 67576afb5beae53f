import { instanceInfo } from '../../services/instance.ts';
import { router, viewerProcedure } from '../init.ts';

/** Facts about this Switchyard instance that pages need (its public address). */
export const instanceRouter = router({
  info: viewerProcedure.query(({ ctx }) => instanceInfo(ctx.config, ctx.request)),
});
