import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/server/test/**/*.test.ts', 'apps/web/src/**/*.test.ts', 'eslint-rules/**/*.test.ts'],
    // Password hashing and real SQLite files make some integration tests take a moment.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests load better-sqlite3 (directly and through Prisma): the server's driver choice first.
    setupFiles: ['apps/server/src/db/sqliteDriver.mjs'],
  },
});
