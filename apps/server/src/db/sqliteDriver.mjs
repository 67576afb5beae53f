// Which better-sqlite3 this process loads. Import it before anything that imports better-sqlite3
// (Prisma's adapter included): entry points do (main.ts, bin/switchyard.mjs, bench/index.ts, the
// checkpoint worker, the test setup).
//
// Why: better-sqlite3 12 wraps its objects with node::ObjectWrap, and since Node 24.19 a statement
// that the garbage collector finalises outside JavaScript (a background GC, or process exit)
// aborts the process (`Assertion failed: (env) != nullptr` in RemoveEnvironmentCleanupHook).
// better-sqlite3 13 uses N-API and does not, but needs Node 22 (it crashes on Node 20). So both are
// installed (13 as the alias `better-sqlite3-napi`, with prebuilt binaries) and on Node 22+ every
// import of `better-sqlite3` is resolved to 13. Node 20 keeps 12.
import module from 'node:module';

const major = Number(process.versions.node.split('.')[0]);

const V12 = '/node_modules/better-sqlite3/';
const V13 = '/node_modules/better-sqlite3-napi/';

if (major >= 22 && typeof module.registerHooks === 'function') {
  module.registerHooks({
    resolve(specifier, context, nextResolve) {
      const resolved = nextResolve(specifier === 'better-sqlite3' ? 'better-sqlite3-napi' : specifier, context);
      // Tools that resolve packages themselves (Vitest) import better-sqlite3 by its file path.
      if (resolved.url.includes(V12)) return { ...resolved, url: resolved.url.replace(V12, V13) };
      return resolved;
    },
  });
}
