import { z } from 'zod';
import { userActor } from '../../services/audit.ts';
import { CreateSecretInput, RotateSecretInput, SecretId } from '../../services/secrets.ts';
import { adminProcedure, builderProcedure, router } from '../init.ts';

/**
 * The encrypted secrets store. Builders and admins list secrets (to choose one for a workflow's
 * signature), create them and rotate them: a builder who can set an endpoint to "None required"
 * gains nothing from a signing secret, and wiring a provider's secret is part of building the
 * workflow. Deleting is for admins only: it cannot be undone, and a secret may serve workflows
 * other builders own. There is no procedure that returns a stored value: only the create or
 * rotate that set it answers with it, once (`SecretStore.reveal` is for the server's own use).
 */
export const secretsRouter = router({
  list: builderProcedure.query(({ ctx }) => ctx.secrets.list()),

  create: builderProcedure.input(CreateSecretInput).mutation(({ ctx, input }) => ctx.secrets.create(input, userActor(ctx.user))),

  rotate: builderProcedure.input(RotateSecretInput).mutation(({ ctx, input }) => ctx.secrets.rotate(input, userActor(ctx.user))),

  delete: adminProcedure.input(z.object({ id: SecretId })).mutation(async ({ ctx, input }) => {
    await ctx.secrets.delete(input.id, userActor(ctx.user));
  }),
});
