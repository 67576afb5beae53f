/** Prisma's error codes that mean "the caller's request collided with the data", not a bug. */
const codeOf = (error: unknown): string | undefined =>
  error instanceof Error && error.name === 'PrismaClientKnownRequestError' ? (error as { code?: string }).code : undefined;

/** A unique constraint refused the write (two requests created the same name at once). */
export const isUniqueViolation = (error: unknown) => codeOf(error) === 'P2002';

/** The row to update or delete was gone (deleted by another request in between). */
export const isRecordMissing = (error: unknown) => codeOf(error) === 'P2025';

/**
 * The database was busy: another connection held the write lock, or a transaction's snapshot went
 * stale because the run engine committed in between (SQLite's BUSY_SNAPSHOT). Trying again helps.
 */
export const isBusyError = (error: unknown): boolean => {
  if (!(error instanceof Error)) return false;
  const cause = (error as { cause?: { originalCode?: string; kind?: string } }).cause;
  return (
    /SQLITE_BUSY|database is locked|SocketTimeout|Operation has timed out/i.test(error.message) ||
    cause?.originalCode?.startsWith('SQLITE_BUSY') === true ||
    cause?.kind === 'SocketTimeout'
  );
};
