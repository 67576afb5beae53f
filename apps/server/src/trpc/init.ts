import { TRPCError, initTRPC } from '@trpc/server';
import superjson from 'superjson';
import { ZodError } from 'zod';
import { type Role, requireRole } from '../services/accounts.ts';
import { AppError } from '../services/errors.ts';
import type { Context } from './context.ts';

/** "parameters.0.key: Required" for the first problem; the whole list stays in `data.issues`. */
function describeZodError(error: ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'Invalid input';
  return issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message;
}

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    const zod = error.cause instanceof ZodError ? error.cause : null;
    // Stack traces and the text of unexpected errors stay in the server log (see onError in
    // http/app.ts); callers get the code and a sentence.
    const { stack: _stack, ...data } = shape.data;
    const internal = error.code === 'INTERNAL_SERVER_ERROR';
    // A body tRPC cannot even decode surfaces as a raw TypeError/SyntaxError from its decoder.
    const undecodable = error.cause instanceof TypeError || error.cause instanceof SyntaxError;
    const message = zod
      ? describeZodError(zod)
      : internal
        ? 'Internal server error'
        : undecodable
          ? 'Malformed request: the body is not a tRPC call this API understands'
          : shape.message;
    return {
      ...shape,
      message,
      data: { ...data, issues: zod ? zod.issues.map((i) => ({ path: i.path.map(String), message: i.message })) : null },
    };
  },
});

/** Turns the services' own errors into tRPC errors with the matching code. */
const mapServiceErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause;
    if (cause instanceof AppError) throw new TRPCError({ code: cause.code, message: cause.message, cause });
    if (cause instanceof ZodError) throw new TRPCError({ code: 'BAD_REQUEST', message: describeZodError(cause), cause });
  }
  return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Setup, login and status: the only procedures without a session. */
export const publicProcedure = t.procedure.use(mapServiceErrors);

const withRole = (allowed: readonly Role[]) =>
  publicProcedure.use(({ ctx, next }) => {
    if (!ctx.user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in to continue' });
    requireRole(ctx.user, allowed);
    return next({ ctx: { ...ctx, user: ctx.user } });
  });

/** Any signed-in user: reading. */
export const viewerProcedure = withRole(['admin', 'builder', 'viewer']);
/** Builders and admins: changing workflows and deploying. */
export const builderProcedure = withRole(['admin', 'builder']);
/** Admins only: pausing scheduled work, switching recurring jobs, cancelling everything. */
export const adminProcedure = withRole(['admin']);
