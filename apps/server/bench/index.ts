// The SQLite driver is chosen before a bench loads better-sqlite3 (see src/db/sqliteDriver.mjs).
import '../src/db/sqliteDriver.mjs';

export {};
// `npm run bench <name>` from the repository root.
const benches: Record<string, string> = {
  schedule: './schedule.ts',
  startup: './startup.ts',
  webhook: './webhook.ts',
};
const name = process.argv[2];
const file = name ? benches[name] : undefined;
if (!file) {
  console.error(`Usage: npm run bench <${Object.keys(benches).join('|')}>`);
  process.exit(2);
}
await import(file);
