// `switchyard/layers`: the import directions of ARCHITECTURE.md ("Direction of imports"), enforced.
//
//   packages/workflow/src  the kernel: its own files, zod, jsep, date-fns, @date-fns/tz (tests also vitest,
//                          fast-check); no Node, no React, no Prisma, nothing from apps/.
//   apps/server/src        folders are layers: db < services < runner | trpc (siblings) < http.
//                          A file imports its own layer and lower ones. config.ts and logger.ts are
//                          leaves everyone may import; main.ts, server.ts and cli.ts compose everything.
//                          Only db/ imports @prisma/*, better-sqlite3 or db/generated.
//   apps/web/src           its own files and packages; the server only as
//                          `import type ... from '@switchyard/server/router'`; no Node built-ins.
//
// Relative imports are resolved to a path and judged by where they land; type-only imports count
// too (a type import is still a dependency on the layer), except that the web app's access to the
// server is exactly a type-only import. Files elsewhere (tests of the server, benchmarks, e2e,
// scripts, configs) are not checked.
//
// Options: { root: absolute path of the repository (default: ESLint's cwd) }.
import { builtinModules } from 'node:module';
import path from 'node:path';

const NODE_BUILTINS = new Set(builtinModules);

/** Server layers and what each may import (its own layer first). */
const SERVER_LAYERS = {
  db: ['db', 'config', 'logger'],
  services: ['services', 'db', 'config', 'logger'],
  runner: ['runner', 'services', 'db', 'config', 'logger'],
  trpc: ['trpc', 'services', 'db', 'config', 'logger'],
  http: ['http', 'trpc', 'runner', 'services', 'db', 'config', 'logger'],
  config: ['config', 'logger'],
  logger: ['logger', 'config'],
};
const SERVER_FOLDERS = new Set(['db', 'services', 'runner', 'trpc', 'http']);
const SERVER_LEAVES = { 'config.ts': 'config', 'logger.ts': 'logger' };
const SERVER_ROOT_FILES = new Set(['main.ts', 'server.ts', 'cli.ts']);
const SERVER = 'apps/server/src/';
const KERNEL = 'packages/workflow/';
const KERNEL_SRC = 'packages/workflow/src/';
const WEB = 'apps/web/';
const WEB_SRC = 'apps/web/src/';

/** What kernel files may import besides their own files (the last is the kernel's own name). */
const KERNEL_PACKAGES = ['zod', 'jsep', 'date-fns', '@date-fns/tz', 'croner', '@switchyard/workflow'];
const KERNEL_TEST_PACKAGES = ['vitest', 'fast-check'];
const DB_ONLY_PACKAGES = ['better-sqlite3'];
const DB_ONLY_SCOPES = ['@prisma/'];
const SERVER_ROUTER = '@switchyard/server/router';

const toPosix = (p) => p.split(path.sep).join('/');
const isRelative = (spec) => spec === '.' || spec === '..' || spec.startsWith('./') || spec.startsWith('../') || spec.startsWith('/');
const packageName = (spec) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
const isBuiltin = (spec) => spec.startsWith('node:') || NODE_BUILTINS.has(spec) || NODE_BUILTINS.has(packageName(spec));
const isDbOnlyPackage = (spec) => DB_ONLY_PACKAGES.includes(packageName(spec)) || DB_ONLY_SCOPES.some((s) => spec.startsWith(s));
const isTestFile = (rel) => /\.test\.[cm]?[jt]sx?$/.test(rel);

/** The layer of a repository-relative path under apps/server/src, or a description of an unknown place. */
function serverLayer(rel) {
  const inner = rel.slice(SERVER.length);
  const slash = inner.indexOf('/');
  if (slash === -1) {
    if (SERVER_LEAVES[inner]) return { layer: SERVER_LEAVES[inner], name: SERVER_LEAVES[inner] };
    if (SERVER_ROOT_FILES.has(inner)) return { layer: 'root', name: inner };
    return { layer: null, name: inner };
  }
  const dir = inner.slice(0, slash);
  return SERVER_FOLDERS.has(dir) ? { layer: dir, name: dir } : { layer: null, name: `${dir}/` };
}

/** @type {import('eslint').Rule.RuleModule} */
const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'Enforce the import directions between the kernel, the server layers and the web app' },
    schema: [
      {
        type: 'object',
        properties: {
          root: { type: 'string' },
        },
        additionalProperties: false,
      },
    ],
    messages: {
      denied: '{{from}} may not import {{what}} (allowed: {{allowed}})',
      unknownLayer:
        '{{file}} is in no layer of apps/server/src (layers: db, services, runner, trpc, http; leaves: config.ts, logger.ts; composition root: main.ts, server.ts, cli.ts): put it in one, or add its layer to eslint-rules/layers.js',
    },
  },

  create(context) {
    const options = context.options[0] ?? {};
    const root = path.resolve(options.root ?? context.cwd);
    const rel = toPosix(path.relative(root, path.resolve(root, context.filename)));
    if (rel.startsWith('../') || path.isAbsolute(rel)) return {};

    const zone = rel.startsWith(KERNEL_SRC) ? 'kernel' : rel.startsWith(SERVER) ? 'server' : rel.startsWith(WEB_SRC) ? 'web' : null;
    if (!zone) return {};

    const fileDir = path.posix.dirname(rel);
    /** Repository-relative path an import lands on (posix), or null when it is a package. */
    const target = (spec) => (isRelative(spec) ? toPosix(path.relative(root, path.resolve(root, fileDir, spec))) : null);

    const report = (node, spec, from, what, allowed) => context.report({ node, messageId: 'denied', data: { from, what, allowed } });

    function checkKernel(node, spec) {
      const test = isTestFile(rel);
      const allowed = `files in packages/workflow, ${KERNEL_PACKAGES.slice(0, -1).join(', ')}${test ? `, ${KERNEL_TEST_PACKAGES.join(', ')}` : ''}`;
      const from = test ? 'the kernel test' : 'the kernel';
      const to = target(spec);
      if (to !== null) {
        if (!to.startsWith(KERNEL)) report(node, spec, from, to, allowed);
        return;
      }
      if (isBuiltin(spec)) return report(node, spec, from, `the Node built-in '${spec}'`, allowed);
      const pkg = packageName(spec);
      if (KERNEL_PACKAGES.includes(pkg) || (test && KERNEL_TEST_PACKAGES.includes(pkg))) return;
      report(node, spec, from, `'${spec}'`, KERNEL_TEST_PACKAGES.includes(pkg) ? `${allowed}; ${pkg} only in *.test.ts` : allowed);
    }

    const self = rel.startsWith(SERVER) ? serverLayer(rel) : null;
    function checkServer(node, spec) {
      if (self.layer === null) return; // reported once for the file
      const allowedLayers = self.layer === 'root' ? null : SERVER_LAYERS[self.layer];
      const allowedText = allowedLayers ? allowedLayers.join(', ') : 'everything in apps/server/src';
      const to = target(spec);
      if (to !== null) {
        if (!to.startsWith(SERVER)) {
          // apps/server/package.json and the like are fine; tests, benchmarks and other workspaces are not.
          if (to.startsWith('apps/server/') && !/^apps\/server\/(test|bench)\//.test(to)) return;
          return report(node, spec, self.name, `${to} outside apps/server/src`, `${allowedText}; other workspaces by package name`);
        }
        if (self.layer !== 'db' && /^apps\/server\/src\/db\/generated(\/|$)/.test(to)) {
          return report(node, spec, self.name, "db/generated (Prisma's generated client)", `${allowedText}; only db imports db/generated`);
        }
        if (!allowedLayers) return;
        const other = serverLayer(to);
        if (other.layer === null || !allowedLayers.includes(other.layer)) report(node, spec, self.name, other.name, allowedText);
        return;
      }
      if (self.layer !== 'db' && isDbOnlyPackage(spec)) {
        return report(node, spec, self.name, `'${spec}'`, `${allowedText}; only db imports @prisma/* and better-sqlite3`);
      }
      const pkg = packageName(spec);
      if (pkg === '@switchyard/web') return report(node, spec, self.name, `'${spec}'`, `${allowedText}; never the web app`);
      if (pkg === '@switchyard/server') {
        return report(node, spec, self.name, `'${spec}'`, `${allowedText}; inside the server import by relative path`);
      }
    }

    function checkWeb(node, spec, typeOnly) {
      const allowed = `files in apps/web, packages such as @switchyard/workflow, and \`import type\` from '${SERVER_ROUTER}'`;
      const to = target(spec);
      if (to !== null) {
        if (!to.startsWith(WEB)) report(node, spec, 'the web app', `${to} outside apps/web`, allowed);
        return;
      }
      if (isBuiltin(spec)) return report(node, spec, 'the web app', `the Node built-in '${spec}'`, allowed);
      if (isDbOnlyPackage(spec)) return report(node, spec, 'the web app', `'${spec}'`, allowed);
      const pkg = packageName(spec);
      if (pkg === '@switchyard/server' && !(spec === SERVER_ROUTER && typeOnly)) {
        const what = spec === SERVER_ROUTER ? `'${spec}' except as \`import type\`/\`export type\`` : `'${spec}'`;
        report(node, spec, 'the web app', what, allowed);
      }
    }

    function check(node, spec, typeOnly) {
      if (typeof spec !== 'string') return;
      if (zone === 'kernel') checkKernel(node, spec);
      else if (zone === 'server') checkServer(node, spec);
      else checkWeb(node, spec, typeOnly);
    }

    const literal = (n) =>
      n?.type === 'Literal' ? n.value : n?.type === 'TemplateLiteral' && n.expressions.length === 0 ? n.quasis[0].value.cooked : undefined;

    return {
      Program(node) {
        if (self && self.layer === null) context.report({ node, messageId: 'unknownLayer', data: { file: rel } });
      },
      ImportDeclaration: (node) => check(node.source, node.source.value, node.importKind === 'type'),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value, node.exportKind === 'type'),
      ExportAllDeclaration: (node) => check(node.source, node.source.value, node.exportKind === 'type'),
      ImportExpression: (node) => check(node.source, literal(node.source), false),
      TSImportEqualsDeclaration(node) {
        if (node.moduleReference.type === 'TSExternalModuleReference') {
          check(node.moduleReference.expression, literal(node.moduleReference.expression), node.importKind === 'type');
        }
      },
      TSImportType(node) {
        const source = node.source ?? node.argument?.literal;
        check(source ?? node, literal(source), true);
      },
      CallExpression(node) {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments.length === 1) {
          check(node.arguments[0], literal(node.arguments[0]), false);
        }
      },
    };
  },
};

export default { meta: { name: 'switchyard' }, rules: { layers: rule } };
