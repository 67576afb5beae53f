/** Prisma's error codes that mean "the caller's request collided with the data", not a bug. */
const codeOf = (error: unknown): string | undefined =>
  error instanceof Error && error.name === 'PrismaClientKnownRequestError' ? (error as { code?: string }).code : undefined;

/** A unique constraint refused the write (two requests created the same name at once). */
export const isUniqueViolation = (error: unknown) => codeOf(error) === 'P2002';

/** The row to update or delete was gone (deleted by another request in between). */
export const isRecordMissing = (error: unknown) => codeOf(error) === 'P2025';
