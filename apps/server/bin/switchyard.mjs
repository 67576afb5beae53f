#!/usr/bin/env node
// The `switchyard` command. The server runs its TypeScript through tsx, so the CLI does too.
// The SQLite driver is chosen before anything loads better-sqlite3 (see src/db/sqliteDriver.mjs).
import '../src/db/sqliteDriver.mjs';
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
