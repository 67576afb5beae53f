// The server process. Which SQLite driver it loads must be settled before anything imports
// better-sqlite3 (see db/sqliteDriver.mjs), so everything else is imported after that.
import './db/sqliteDriver.mjs';

const { runMain } = await import('./server.ts');
await runMain();
