import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { WorkflowFile } from '@switchyard/workflow';
import { ZodError } from 'zod';
import { ConfigError, loadConfig } from './config.ts';
import { type Db, migrate, openDb } from './db/index.ts';
import { Role, createUser } from './services/accounts.ts';
import { AppError } from './services/errors.ts';
import { exportWorkflows, importWorkflows } from './services/transfer.ts';

const USAGE = `Usage: switchyard <command> [options]

Commands:
  create-admin --email E --password P   Create an admin account (password: 12+ characters)
  create-user --email E --password P --role admin|builder|viewer
                                        Create an account with that role
  export <name|--all> [dir]             Write workflows as JSON files into dir (default: .)
  import <file|dir> [--deploy]          Create or replace workflows from JSON files; --deploy then
                                        deploys a new release. All or nothing.

The database is the one the server uses (DATA_DIR, default ./data; or DATABASE_URL).`;

class UsageError extends Error {}

async function withDb<T>(work: (db: Db) => Promise<T>): Promise<T> {
  const config = loadConfig();
  migrate(config.databaseFile);
  const db = openDb(config.databaseFile);
  try {
    return await work(db);
  } finally {
    await db.$disconnect();
  }
}

async function createAccount(command: string, args: string[], fixedRole?: Role) {
  const { values } = parseArgs({
    args,
    options: { email: { type: 'string' }, password: { type: 'string' }, ...(fixedRole ? {} : { role: { type: 'string' } }) },
  });
  const roleText = fixedRole ?? (values as { role?: string }).role;
  if (!values.email || !values.password || !roleText) {
    throw new UsageError(`${command} needs --email and --password${fixedRole ? '' : ' and --role'}`);
  }
  const role = Role.safeParse(roleText);
  if (!role.success) throw new UsageError(`--role must be one of ${Role.options.join(', ')}`);
  const user = await withDb((db) => createUser(db, { email: values.email!, password: values.password!, role: role.data }));
  console.log(`Created ${user.role} ${user.email}`);
}

async function exportCommand(args: string[]) {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { all: { type: 'boolean' } } });
  const [first, second] = positionals;
  const names = values.all ? 'all' : first ? [first] : null;
  if (!names) throw new UsageError('export needs a workflow name or --all');
  const dir = path.resolve((values.all ? first : second) ?? '.');
  const files = await withDb((db) => exportWorkflows(db, names));
  mkdirSync(dir, { recursive: true });
  for (const file of files) {
    const target = path.join(dir, `${file.name}.json`);
    writeFileSync(target, `${JSON.stringify(file, null, 2)}\n`);
    console.log(`Wrote ${target}`);
  }
  if (files.length === 0) console.log('No workflows to export');
}

/** Reads and validates every file before anything is written, so one bad file stops the whole import. */
function readWorkflowFiles(target: string): WorkflowFile[] {
  const resolved = path.resolve(target);
  let paths: string[];
  try {
    paths = statSync(resolved).isDirectory()
      ? readdirSync(resolved).filter((f) => f.endsWith('.json')).sort().map((f) => path.join(resolved, f))
      : [resolved];
  } catch {
    throw new UsageError(`Cannot read ${resolved}: no such file or folder`);
  }
  if (paths.length === 0) throw new UsageError(`No .json files in ${resolved}`);
  const problems: string[] = [];
  const files: WorkflowFile[] = [];
  const seen = new Map<string, string>();
  for (const file of paths) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      problems.push(`${file}: not valid JSON (${(error as Error).message})`);
      continue;
    }
    const parsed = WorkflowFile.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues.slice(0, 5)) {
        problems.push(`${file}: ${issue.path.length ? issue.path.join('.') : '(file)'}: ${issue.message}`);
      }
      continue;
    }
    const other = seen.get(parsed.data.name);
    if (other) problems.push(`${file}: workflow "${parsed.data.name}" is also defined in ${other}`);
    seen.set(parsed.data.name, file);
    files.push(parsed.data);
  }
  if (problems.length > 0) throw new UsageError(`Nothing was imported:\n  ${problems.join('\n  ')}`);
  return files;
}

async function importCommand(args: string[]) {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { deploy: { type: 'boolean' } } });
  const [target] = positionals;
  if (!target) throw new UsageError('import needs a file or folder');
  const files = readWorkflowFiles(target);
  const result = await withDb((db) => importWorkflows(db, files, values.deploy ? { deployAs: 'cli' } : {}));
  console.log(`Imported ${files.length} workflow(s): ${result.created} created, ${result.replaced} replaced`);
  if (result.release) console.log(`Deployed release #${result.release.number}`);
}

const commands: Record<string, (args: string[]) => Promise<void>> = {
  'create-admin': (args) => createAccount('create-admin', args, 'admin'),
  'create-user': (args) => createAccount('create-user', args),
  export: exportCommand,
  import: importCommand,
};

const [command, ...rest] = process.argv.slice(2);
const run = command ? commands[command] : undefined;
if (!run) {
  console.error(command && command !== '--help' && command !== 'help' ? `Unknown command "${command}"\n\n${USAGE}` : USAGE);
  process.exit(command === '--help' || command === 'help' ? 0 : 2);
}
try {
  await run(rest);
} catch (error) {
  if (error instanceof UsageError || error instanceof ConfigError || error instanceof AppError) {
    console.error(error.message);
  } else if (error instanceof ZodError) {
    console.error(error.issues.map((i) => i.message).join('\n'));
  } else if (error instanceof Error && String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS')) {
    console.error(error.message);
  } else {
    throw error;
  }
  process.exit(1);
}
