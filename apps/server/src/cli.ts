import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type WorkflowFile, parseDate, parseWorkflowFile } from '@switchyard/workflow';
import { ZodError } from 'zod';
import { ConfigError, loadConfig } from './config.ts';
import { type Db, migrate, openDb } from './db/index.ts';
import { Role, createUser } from './services/accounts.ts';
import { type TokenSummary, createToken, listTokens, revokeToken } from './services/apiTokens.ts';
import { CLI_ACTOR } from './services/audit.ts';
import { AppError } from './services/errors.ts';
import { resetPassword } from './services/passwordReset.ts';
import { type RunDetail, RunStatus, type RunSummary, Environment, getRun, listRuns } from './services/runs.ts';
import { deploy } from './services/releases.ts';
import { exportWorkflows, importWorkflows } from './services/transfer.ts';
import { findWorkflowByName } from './services/workflows.ts';

const USAGE = `Usage: switchyard <command> [options]

Commands:
  create-admin --email E --password P   Create an admin account (password: 12+ characters)
  create-user --email E --password P --role admin|builder|viewer
                                        Create an account with that role
  reset-password --email E [--password P]
                                        Set a new password (read from stdin when --password is
                                        not given) and end the account's sessions
  export <name|--all> [dir]             Write workflows as JSON files into dir (default: .)
  import <file|dir> [--deploy]          Create or replace workflows from JSON files; --deploy then
                                        deploys them in a new release. All or nothing.
  deploy [--workflow NAME]... [--note TEXT]
                                        Deploy every workflow, or only those named (the others stay
                                        as they are live). Prints the release number, then each
                                        refused workflow and why; fails when none can deploy.
  runs [--workflow NAME] [--status S[,S...]] [--environment draft|live] [--since ISO]
       [--limit N] [--json]             Runs, newest first (default 50); --json: one object per line
  runs show ID [--json]                 One run with its attempts and steps
  token create --label L [--workflows a,b]
                                        Create an API token (all workflows, or only those named);
                                        the token is printed alone on the last line, once
  token list [--json]                   API tokens with their scope, creation and last use
  token revoke ID                       Revoke a token: calls carrying it get 401 at once

The database is the one the server uses (DATA_DIR, default ./data; or DATABASE_URL).`;

class UsageError extends Error {}

/** Opens the server's database; commands that only read refuse to create an empty one at a mistyped path. */
async function withDb<T>(work: (db: Db) => Promise<T>, options: { mustExist?: boolean } = {}): Promise<T> {
  const config = loadConfig();
  if (options.mustExist && !existsSync(config.databaseFile)) {
    throw new UsageError(`No database at ${config.databaseFile}: check DATA_DIR (or DATABASE_URL)`);
  }
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

/** All of stdin (a pipe), or one line typed at a prompt; without its final line break. */
async function readPassword(): Promise<string> {
  if (process.stdin.isTTY) {
    const { createInterface } = await import('node:readline/promises');
    const prompt = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return await prompt.question('New password: ');
    } finally {
      prompt.close();
    }
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

async function resetPasswordCommand(args: string[]) {
  const { values } = parseArgs({ args, options: { email: { type: 'string' }, password: { type: 'string' } } });
  if (!values.email) throw new UsageError('reset-password needs --email (and --password, or the password on stdin)');
  const password = values.password ?? (await readPassword());
  const { user, sessionsEnded } = await withDb((db) => resetPassword(db, { email: values.email!, password }), { mustExist: true });
  console.log(`Password reset for ${user.role} ${user.email}; ${sessionsEnded} session${sessionsEnded === 1 ? '' : 's'} ended`);
}

async function exportCommand(args: string[]) {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { all: { type: 'boolean' } } });
  const [first, second] = positionals;
  const names = values.all ? 'all' : first ? [first] : null;
  if (!names) throw new UsageError('export needs a workflow name or --all');
  const dir = path.resolve((values.all ? first : second) ?? '.');
  const files = await withDb((db) => exportWorkflows(db, names), { mustExist: true });
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
    const parsed = parseWorkflowFile(raw);
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

async function deployCommand(args: string[]) {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { workflow: { type: 'string', multiple: true }, note: { type: 'string' } } });
  if (positionals.length > 0) throw new UsageError(`deploy takes no arguments; to deploy one workflow: deploy --workflow ${positionals[0]}`);
  const result = await withDb(async (db) => {
    let workflowIds: string[] | undefined;
    if (values.workflow) {
      workflowIds = [];
      for (const name of values.workflow) {
        const workflow = await findWorkflowByName(db, name);
        if (!workflow) throw new UsageError(`No workflow called "${name}"`);
        workflowIds.push(workflow.id);
      }
    }
    return deploy(db, 'cli', { workflowIds, note: values.note ?? null });
  }, { mustExist: true });
  console.log(`Deployed release #${result.number}: ${result.deployed.map((w) => w.name).join(', ') || 'no workflow'} (${result.workflowCount} live)`);
  for (const refusal of result.refused) console.log(`Refused "${refusal.name}": ${refusal.reason}`);
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/** The line a script reads for each run: stable keys, ISO 8601 UTC times with milliseconds. */
function runLine(run: RunSummary) {
  return {
    id: run.id,
    workflow: run.workflowName,
    workflowId: run.workflowId,
    environment: run.environment,
    trigger: run.trigger,
    status: run.status,
    attempts: run.attempts,
    recovered: run.recovered,
    releaseNumber: run.releaseNumber,
    runAt: iso(run.runAt),
    createdAt: iso(run.createdAt),
    startedAt: iso(run.startedAt),
    finishedAt: iso(run.finishedAt),
    durationMs: run.durationMs,
    error: run.error,
  };
}

const parseStored = (text: string | null): unknown => {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

function runDetailJson(run: RunDetail) {
  return {
    ...runLine(run),
    mode: run.mode,
    maxAttempts: run.maxAttempts,
    draftRevision: run.draftRevision,
    deletesAt: iso(run.deletesAt),
    input: parseStored(run.input),
    output: parseStored(run.output),
    attemptList: run.attemptList.map((a) => ({ ...a, startedAt: iso(a.startedAt), finishedAt: iso(a.finishedAt) })),
    steps: run.steps.map((step) => ({ ...step, startedAt: iso(step.startedAt), input: parseStored(step.input), output: parseStored(step.output) })),
  };
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()).join('\n');
}

const shortTime = (date: Date | null) => (date ? date.toISOString().replace('T', ' ').slice(0, 23) : '-');
const duration = (ms: number | null) => (ms === null ? '-' : ms < 1000 ? `${ms.toFixed(1)} ms` : `${(ms / 1000).toFixed(2)} s`);

async function runsCommand(args: string[]) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      workflow: { type: 'string' },
      status: { type: 'string' },
      environment: { type: 'string' },
      since: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const config = loadConfig();
  if (positionals[0] === 'show') {
    const id = positionals[1];
    if (!id) throw new UsageError('runs show needs a run id');
    const run = await withDb((db) => getRun(db, id, config.engine.retentionMs), { mustExist: true }).catch((error: unknown) => {
      if (error instanceof AppError && error.code === 'NOT_FOUND') throw new UsageError(`No run with id ${id}`);
      throw error;
    });
    if (values.json) return console.log(JSON.stringify(runDetailJson(run)));
    console.log(`${run.workflowName}  ${run.status}  ${run.environment}  ${run.trigger}  attempts ${run.attempts}/${run.maxAttempts}${run.recovered ? '  recovered after a crash' : ''}`);
    console.log(`id ${run.id}\ncreated ${shortTime(run.createdAt)}  started ${shortTime(run.startedAt)}  finished ${shortTime(run.finishedAt)}`);
    if (run.error) console.log(`error: ${run.error}`);
    if (run.steps.length > 0) {
      console.log('');
      console.log(table([['ATTEMPT', 'STEP', 'STATUS', 'DURATION', 'ERROR'], ...run.steps.map((s) => [String(s.attempt), s.label, s.status, duration(s.durationMs), s.error ?? ''])]));
    }
    return;
  }
  if (positionals.length > 0) throw new UsageError(`Unknown runs subcommand "${positionals[0]}"; did you mean "runs show ID"?`);

  const statuses = values.status?.split(',').map((s) => s.trim()).filter(Boolean);
  for (const status of statuses ?? []) {
    if (!RunStatus.safeParse(status).success) throw new UsageError(`--status must be among ${RunStatus.options.join(', ')}; got "${status}"`);
  }
  if (values.environment && !Environment.safeParse(values.environment).success) {
    throw new UsageError(`--environment must be draft or live; got "${values.environment}"`);
  }
  // The same reading of dates as everywhere else: ISO 8601, a time without an offset is UTC.
  const since = values.since === undefined ? undefined : parseDate(values.since);
  if (since === null) throw new UsageError(`--since must be an ISO 8601 date, e.g. 2026-11-01 or 2026-11-01T08:00Z; got "${values.since}"`);
  const limit = values.limit === undefined ? 50 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) throw new UsageError('--limit must be a whole number from 1 to 100000');

  const runs = await withDb(async (db) => {
    const workflow = values.workflow ? await findWorkflowByName(db, values.workflow) : null;
    const out: RunSummary[] = [];
    let cursor: string | undefined;
    while (out.length < limit) {
      const page = await listRuns(db, {
        limit: Math.min(200, limit - out.length),
        ...(cursor && { cursor }),
        ...(values.workflow && { workflowName: values.workflow }),
        ...(workflow && { workflowId: workflow.id }),
        ...(statuses && { status: statuses as RunStatus[] }),
        ...(values.environment && { environment: values.environment as Environment }),
        ...(since && { since }),
      });
      out.push(...page.items);
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    return out;
  }, { mustExist: true });
  if (values.json) {
    for (const run of runs) console.log(JSON.stringify(runLine(run)));
    return;
  }
  if (runs.length === 0) return console.log('No runs');
  console.log(
    table([
      ['CREATED (UTC)', 'STATUS', 'ENV', 'TRIGGER', 'WORKFLOW', 'ATTEMPTS', 'DURATION', 'ID', 'ERROR'],
      ...runs.map((r) => [
        shortTime(r.createdAt),
        r.status + (r.recovered ? '*' : ''),
        r.environment,
        r.trigger,
        r.workflowName,
        String(r.attempts),
        duration(r.durationMs),
        r.id,
        (r.error ?? '').slice(0, 60),
      ]),
    ]),
  );
  if (runs.some((r) => r.recovered)) console.log('* recovered after a crash');
}

async function tokenCommand(args: string[]) {
  const [sub, ...rest] = args;
  if (sub === 'create') {
    const { values } = parseArgs({ args: rest, options: { label: { type: 'string' }, workflows: { type: 'string' } } });
    if (!values.label) throw new UsageError('token create needs --label');
    const names = values.workflows?.split(',').map((n) => n.trim()).filter(Boolean);
    if (names && names.length === 0) throw new UsageError('--workflows needs at least one workflow name');
    const { token, summary } = await withDb(async (db) => {
      const ids: string[] = [];
      for (const name of names ?? []) {
        const workflow = await findWorkflowByName(db, name);
        if (!workflow) throw new UsageError(`No workflow called "${name}"`);
        ids.push(workflow.id);
      }
      return createToken(db, { label: values.label!, workflowIds: names ? ids : null }, CLI_ACTOR);
    }, { mustExist: true });
    console.log(`Created token "${summary.label}" (id ${summary.id}) for ${tokenScope(summary)}.`);
    console.log('Store it now: it is not shown again.');
    console.log(token);
    return;
  }
  if (sub === 'list') {
    const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean' } } });
    const tokens = await withDb((db) => listTokens(db), { mustExist: true });
    if (values.json) {
      for (const t of tokens) {
        console.log(JSON.stringify({ id: t.id, label: t.label, prefix: t.prefix, allWorkflows: t.allWorkflows, workflows: t.workflows.map((w) => w.name ?? w.id),
          createdAt: t.createdAt.toISOString(), createdBy: t.createdBy, lastUsedAt: t.lastUsedAt?.toISOString() ?? null, revokedAt: t.revokedAt?.toISOString() ?? null }));
      }
      return;
    }
    if (tokens.length === 0) return console.log('No tokens');
    console.log(table([['ID', 'LABEL', 'PREFIX', 'SCOPE', 'CREATED (UTC)', 'LAST USED', 'STATUS'],
      ...tokens.map((t) => [t.id, t.label, `${t.prefix}…`, tokenScope(t), shortTime(t.createdAt), shortTime(t.lastUsedAt), t.revokedAt ? 'revoked' : 'active'])]));
    return;
  }
  if (sub === 'revoke') {
    const id = rest[0];
    if (!id) throw new UsageError('token revoke needs a token id (see "token list")');
    const summary = await withDb((db) => revokeToken(db, id, CLI_ACTOR), { mustExist: true });
    console.log(`Revoked token "${summary.label}" (id ${summary.id})`);
    return;
  }
  throw new UsageError(sub ? `Unknown token subcommand "${sub}": create, list or revoke` : 'token needs a subcommand: create, list or revoke');
}

function tokenScope(token: TokenSummary): string {
  return token.allWorkflows ? 'all workflows' : token.workflows.map((w) => w.name ?? `(deleted ${w.id.slice(0, 8)})`).join(', ');
}

const commands: Record<string, (args: string[]) => Promise<void>> = {
  'create-admin': (args) => createAccount('create-admin', args, 'admin'),
  'create-user': (args) => createAccount('create-user', args),
  'reset-password': resetPasswordCommand,
  export: exportCommand,
  import: importCommand,
  deploy: deployCommand,
  runs: runsCommand,
  token: tokenCommand,
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
