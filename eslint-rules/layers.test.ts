// Fixture tests of the `switchyard/layers` rule: in-memory code under fake paths of a fake repository.
import { Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import plugin from './layers.js';

const ROOT = '/repo';

function lint(file: string, code: string): string[] {
  const linter = new Linter({ cwd: ROOT });
  const messages = linter.verify(
    code,
    [
      {
        files: ['**/*.{ts,tsx}'],
        languageOptions: { parser: tseslint.parser },
        plugins: { switchyard: plugin },
        rules: { 'switchyard/layers': ['error', { root: ROOT }] },
      },
    ],
    { filename: `${ROOT}/${file}` },
  );
  for (const m of messages) if (m.fatal) throw new Error(`parse error in fixture: ${m.message}`);
  return messages.map((m) => m.message);
}

describe('server layers', () => {
  it('reports an upward import and names what is allowed', () => {
    expect(lint('apps/server/src/db/x.ts', "import { y } from '../services/y.ts';")).toEqual([
      'db may not import services (allowed: db, config, logger)',
    ]);
    expect(lint('apps/server/src/services/y.ts', "import type { Runner } from '../runner/runner.ts';")).toEqual([
      'services may not import runner (allowed: services, db, config, logger)',
    ]);
    expect(lint('apps/server/src/trpc/init.ts', "import { http } from '../http/app.ts';")).toHaveLength(1);
  });

  it('accepts imports of the own layer, lower layers and the leaves', () => {
    expect(lint('apps/server/src/services/y.ts', "import { openDb } from '../db/index.ts';\nimport { z } from './z.ts';")).toEqual([]);
    expect(lint('apps/server/src/db/migrate.ts', "import { REPO_ROOT } from '../config.ts';")).toEqual([]);
    expect(lint('apps/server/src/trpc/routers/auth.ts', "import { login } from '../../services/accounts.ts';")).toEqual([]);
    expect(lint('apps/server/src/http/app.ts', "import { Runner } from '../runner/runner.ts';\nimport { appRouter } from '../trpc/router.ts';")).toEqual([]);
    expect(lint('apps/server/src/logger.ts', "import type { Config } from './config.ts';")).toEqual([]);
  });

  it('keeps runner and trpc apart', () => {
    expect(lint('apps/server/src/runner/runner.ts', "import { t } from '../trpc/init.ts';")).toEqual([
      'runner may not import trpc (allowed: runner, services, db, config, logger)',
    ]);
    expect(lint('apps/server/src/trpc/router.ts', "import { Runner } from '../runner/runner.ts';")).toEqual([
      'trpc may not import runner (allowed: trpc, services, db, config, logger)',
    ]);
  });

  it('lets the composition root import anything but Prisma', () => {
    expect(lint('apps/server/src/server.ts', "import { buildApp } from './http/app.ts';\nimport { Runner } from './runner/runner.ts';")).toEqual([]);
    expect(lint('apps/server/src/main.ts', "import { PrismaClient } from '@prisma/client';")).toHaveLength(1);
  });

  it('keeps leaves from importing layers', () => {
    expect(lint('apps/server/src/config.ts', "import { openDb } from './db/index.ts';")).toEqual([
      'config may not import db (allowed: config, logger)',
    ]);
  });

  it('lets only db touch Prisma, better-sqlite3 and db/generated', () => {
    expect(lint('apps/server/src/db/client.ts', "import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';\nimport { PrismaClient } from './generated/client.ts';")).toEqual([]);
    expect(lint('apps/server/src/services/a.ts', "import Database from 'better-sqlite3';")).toEqual([
      "services may not import 'better-sqlite3' (allowed: services, db, config, logger; only db imports @prisma/* and better-sqlite3)",
    ]);
    expect(lint('apps/server/src/services/a.ts', "import type { Prisma } from '../db/generated/client.ts';")).toEqual([
      "services may not import db/generated (Prisma's generated client) (allowed: services, db, config, logger; only db imports db/generated)",
    ]);
  });

  it('sees dynamic imports, type imports and re-exports', () => {
    expect(lint('apps/server/src/services/a.ts', "export const load = () => import('../http/app.ts');")).toHaveLength(1);
    expect(lint('apps/server/src/services/a.ts', "export type R = typeof import('../runner/runner.ts');")).toHaveLength(1);
    expect(lint('apps/server/src/db/index.ts', "export * from '../services/runs.ts';")).toHaveLength(1);
    expect(lint('apps/server/src/db/index.ts', "export { migrate } from './migrate.ts';")).toEqual([]);
  });

  it('asks for a layer for files outside the known ones', () => {
    expect(lint('apps/server/src/jobs/a.ts', "import { z } from 'zod';")[0]).toMatch(/^apps\/server\/src\/jobs\/a\.ts is in no layer/);
    expect(lint('apps/server/src/services/a.ts', "import { j } from '../jobs/a.ts';")).toEqual([
      'services may not import jobs/ (allowed: services, db, config, logger)',
    ]);
  });


  it('does not check tests and benchmarks of the server', () => {
    expect(lint('apps/server/test/helpers.ts', "import { startServer } from '../src/server.ts';\nimport Database from 'better-sqlite3';")).toEqual([]);
    expect(lint('apps/server/bench/webhook.ts', "import { deploy } from '../src/services/releases.ts';")).toEqual([]);
  });
});

describe('kernel', () => {
  const allowed = 'allowed: files in packages/workflow, zod, jsep, date-fns, @date-fns/tz, croner';

  it('accepts its own files, zod, jsep and date-fns', () => {
    expect(lint('packages/workflow/src/compile.ts', "import { z } from 'zod';\nimport jsep from 'jsep';\nimport { ACTIONS } from './catalog.ts';")).toEqual([]);
    expect(lint('packages/workflow/src/dateFunctions.ts', "import { tz } from '@date-fns/tz';\nimport { addDays } from 'date-fns';")).toEqual([]);
    expect(lint('packages/workflow/src/recurrence.ts', "import { Cron } from 'croner';")).toEqual([]);
  });

  it('refuses Node, React, Prisma and the apps', () => {
    expect(lint('packages/workflow/src/a.ts', "import { readFileSync } from 'node:fs';")).toEqual([
      `the kernel may not import the Node built-in 'node:fs' (${allowed})`,
    ]);
    expect(lint('packages/workflow/src/a.ts', "import path from 'path';")).toHaveLength(1);
    expect(lint('packages/workflow/src/a.ts', "import { useState } from 'react';")).toEqual([`the kernel may not import 'react' (${allowed})`]);
    expect(lint('packages/workflow/src/a.ts', "import type { Node } from '@xyflow/react';")).toHaveLength(1);
    expect(lint('packages/workflow/src/a.ts', "import { PrismaClient } from '@prisma/client';")).toHaveLength(1);
    expect(lint('packages/workflow/src/a.ts', "import { loadConfig } from '../../../apps/server/src/config.ts';")).toEqual([
      `the kernel may not import apps/server/src/config.ts (${allowed})`,
    ]);
  });

  it('allows vitest and fast-check in tests only', () => {
    expect(lint('packages/workflow/src/a.test.ts', "import { it } from 'vitest';\nimport fc from 'fast-check';")).toEqual([]);
    expect(lint('packages/workflow/src/a.ts', "import { it } from 'vitest';")).toEqual([
      `the kernel may not import 'vitest' (${allowed}; vitest only in *.test.ts)`,
    ]);
  });
});

describe('web app', () => {
  it('may import the AppRouter type only', () => {
    expect(lint('apps/web/src/api/router-type.ts', "export type { AppRouter } from '@switchyard/server/router';")).toEqual([]);
    expect(lint('apps/web/src/api/trpc.ts', "import type { AppRouter } from '@switchyard/server/router';")).toEqual([]);
    // With verbatimModuleSyntax, `import { type X }` still loads the module at run time.
    expect(lint('apps/web/src/api/trpc.ts', "import { type AppRouter } from '@switchyard/server/router';")).toHaveLength(1);
    expect(lint('apps/web/src/api/trpc.ts', "import { appRouter } from '@switchyard/server/router';")).toHaveLength(1);
    expect(lint('apps/web/src/api/trpc.ts', "import type { Db } from '@switchyard/server/db';")).toHaveLength(1);
  });

  it('stays inside apps/web and off Node', () => {
    expect(lint('apps/web/src/editor/model.ts', "import { newId } from '../lib/id.ts';\nimport { compile } from '@switchyard/workflow';")).toEqual([]);
    expect(lint('apps/web/src/api/trpc.ts', "import type { AppRouter } from '../../../server/src/trpc/router.ts';")[0]).toMatch(
      /^the web app may not import apps\/server\/src\/trpc\/router\.ts outside apps\/web/,
    );
    expect(lint('apps/web/src/lib/a.ts', "import path from 'node:path';")).toHaveLength(1);
  });
});
