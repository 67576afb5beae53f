#!/usr/bin/env node
// The `switchyard` command. The server runs its TypeScript through tsx, so the CLI does too.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
