// The only module that touches Prisma: everything else gets a `Db` through its caller.
export { openDb, type Db, type Prisma } from './client.ts';
export { migrate, MIGRATIONS_DIR, type MigrationReport } from './migrate.ts';
export { isRecordMissing, isUniqueViolation } from './errors.ts';
