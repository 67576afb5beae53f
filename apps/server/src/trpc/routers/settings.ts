import { z } from 'zod';
import { userActor } from '../../services/audit.ts';
import { CreateTokenInput, createToken, listTokens, revokeToken } from '../../services/apiTokens.ts';
import { ApiSettingsInput, readApiSettings, updateApiSettings } from '../../services/instanceSettings.ts';
import { adminProcedure, builderProcedure, router, viewerProcedure } from '../init.ts';

/** The Settings page: everyone signed in reads, admins change. */
export const settingsRouter = router({
  api: viewerProcedure.query(({ ctx }) => readApiSettings(ctx.db)),

  updateApi: adminProcedure.input(ApiSettingsInput).mutation(async ({ ctx, input }) => {
    const updated = await updateApiSettings(ctx.db, input, userActor(ctx.user));
    ctx.gate.settingsChanged();
    return updated;
  }),
});

/** API tokens: builders see the list (labels and prefixes only); admins create and revoke. */
export const tokenRouter = router({
  list: builderProcedure.query(({ ctx }) => listTokens(ctx.db)),

  /** The token's value is in this answer only. */
  create: adminProcedure.input(CreateTokenInput).mutation(({ ctx, input }) => createToken(ctx.db, input, userActor(ctx.user))),

  revoke: adminProcedure.input(z.object({ id: z.string().min(1).max(64) })).mutation(({ ctx, input }) => revokeToken(ctx.db, input.id, userActor(ctx.user))),
});
