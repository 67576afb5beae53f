// Imported first by main.tsx, before anything that loads zod.
//
// zod 4 tries `new Function('')` on its first parse to pick a compiled fast path. The server's
// Content-Security-Policy allows no eval ('unsafe-eval'), so in the browser that try is refused
// and reported as a violation (zod then falls back on its own). Its `jitless` setting skips the
// try. zod keeps its global settings on `globalThis.__zod_globalConfig` and adopts an object already
// there when it loads, which is how this app sets it without depending on zod itself; the
// security-headers journey (e2e/tests/12-security-headers.spec.ts) fails if that ever stops working.
const scope = globalThis as { __zod_globalConfig?: Record<string, unknown> };
scope.__zod_globalConfig = { ...scope.__zod_globalConfig, jitless: true };

export {};
