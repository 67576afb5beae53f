/**
 * Errors services throw for things the caller did wrong. The tRPC layer turns `code` into the
 * matching TRPCError code and the HTTP layer into a status; anything else is a bug and becomes a 500.
 */
export type AppErrorCode = 'BAD_REQUEST' | 'UNAUTHORIZED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'TOO_MANY_REQUESTS';

export class AppError extends Error {
  override name = 'AppError';
  /** A short machine-readable word for why (e.g. "not_deployed"), for counting refused calls. */
  reason: string | null = null;
  constructor(
    readonly code: AppErrorCode,
    message: string,
    /** Machine-readable specifics callers get next to the message (e.g. which parameters). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }

  because(reason: string): this {
    this.reason = reason;
    return this;
  }
}

/** The HTTP status matching each code, for the plain HTTP endpoints. */
export const HTTP_STATUS: Record<AppErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  TOO_MANY_REQUESTS: 429,
};

export const notFound = (message: string) => new AppError('NOT_FOUND', message);
export const conflict = (message: string) => new AppError('CONFLICT', message);
export const badRequest = (message: string, details?: Record<string, unknown>) => new AppError('BAD_REQUEST', message, details);
