import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { bindGraph } from '@switchyard/workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../src/db/index.ts';
import { checkCredentials, createSession } from '../src/services/accounts.ts';
import { sampleGraph, startTestServer } from './helpers.ts';

const BIN = fileURLToPath(new URL('../bin/switchyard.mjs', import.meta.url));
let dataDir: string;
let workDir: string;

/** Runs the CLI; a first argument `{ stdin }` is piped to it (otherwise its stdin is empty). */
async function cli(...args: [{ stdin: string }, ...string[]] | string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdin = typeof args[0] === 'object' ? (args.shift() as { stdin: string }).stdin : '';
  try {
    const running = promisify(execFile)(process.execPath, [BIN, ...(args as string[])], {
      env: { ...process.env, DATA_DIR: dataDir },
      cwd: workDir,
    });
    running.child.stdin?.end(stdin);
    const { stdout, stderr } = await running;
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const file = (name: string, graph: unknown = sampleGraph()) => ({ format: 'switchyard.workflow', formatVersion: 2, name, label: `The ${name} workflow`, graph });

async function workflowNames() {
  const db = openDb(path.join(dataDir, 'switchyard.db'));
  try {
    return (await db.workflow.findMany({ orderBy: { name: 'asc' } })).map((w) => w.name);
  } finally {
    await db.$disconnect();
  }
}

beforeAll(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'switchyard-cli-'));
  workDir = mkdtempSync(path.join(tmpdir(), 'switchyard-cli-work-'));
});
afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(workDir, { recursive: true, force: true });
});

describe('switchyard CLI', () => {
  it('creates an admin, and refuses a short password or a duplicate', async () => {
    expect(await cli('create-admin', '--email', 'root@example.com', '--password', 'long enough password')).toMatchObject({ code: 0, stdout: 'Created admin root@example.com\n' });
    expect(await cli('create-admin', '--email', 'root@example.com', '--password', 'long enough password')).toMatchObject({ code: 1, stderr: 'An account for root@example.com already exists\n' });
    expect(await cli('create-admin', '--email', 'x@example.com', '--password', 'short')).toMatchObject({ code: 1, stderr: 'Password must be at least 12 characters\n' });
    expect((await cli('create-admin', '--email', 'x@example.com')).stderr).toMatch(/needs --email and --password/);
  });

  it('creates accounts with other roles', async () => {
    expect(await cli('create-user', '--email', 'v@example.com', '--password', 'long enough password', '--role', 'viewer')).toMatchObject({ code: 0, stdout: 'Created viewer v@example.com\n' });
    expect(await cli('create-user', '--email', 'w@example.com', '--password', 'long enough password', '--role', 'owner')).toMatchObject({ code: 1, stderr: '--role must be one of admin, builder, viewer\n' });
    expect((await cli('create-user', '--email', 'w@example.com', '--password', 'long enough password')).stderr).toMatch(/needs --email and --password and --role/);
  });

  it('resets a password, from an option or from stdin, and ends the account\'s sessions', async () => {
    expect((await cli('create-user', '--email', 'reset@example.com', '--password', 'the first password', '--role', 'builder')).code).toBe(0);
    const db = openDb(path.join(dataDir, 'switchyard.db'));
    try {
      const user = await db.user.findUniqueOrThrow({ where: { email: 'reset@example.com' } });
      await createSession(db, user.id, 1);
      await createSession(db, user.id, 1);
      expect(await cli('reset-password', '--email', 'Reset@Example.com', '--password', 'the second password')).toMatchObject({
        code: 0,
        stdout: 'Password reset for builder reset@example.com; 2 sessions ended\n',
      });
      expect(await db.session.count({ where: { userId: user.id } })).toBe(0);
      expect(await db.auditEvent.count({ where: { action: 'user.password_reset', actorKind: 'cli', targetId: user.id } })).toBeGreaterThan(0);
      expect(await checkCredentials(db, 'reset@example.com', 'the first password')).toBeNull();
      expect(await checkCredentials(db, 'reset@example.com', 'the second password')).toMatchObject({ id: user.id });

      expect(await cli({ stdin: 'the third password\n' }, 'reset-password', '--email', 'reset@example.com')).toMatchObject({
        code: 0,
        stdout: 'Password reset for builder reset@example.com; 0 sessions ended\n',
      });
      expect(await checkCredentials(db, 'reset@example.com', 'the third password')).toMatchObject({ id: user.id });

      expect(await cli('reset-password', '--email', 'nobody@example.com', '--password', 'long enough password')).toMatchObject({ code: 1, stderr: 'No account for nobody@example.com\n' });
      expect(await cli({ stdin: 'short\n' }, 'reset-password', '--email', 'reset@example.com')).toMatchObject({ code: 1, stderr: 'Password must be at least 12 characters\n' });
      expect((await cli('reset-password')).stderr).toMatch(/reset-password needs --email/);
      expect(await checkCredentials(db, 'reset@example.com', 'the third password')).toMatchObject({ id: user.id });
    } finally {
      await db.$disconnect();
    }
  });

  it('imports nothing when one file of a folder is bad, and says which and where', async () => {
    const folder = path.join(workDir, 'mixed');
    mkdirSync(folder);
    writeFileSync(path.join(folder, 'a.json'), JSON.stringify(file('good-one')));
    writeFileSync(path.join(folder, 'b.json'), JSON.stringify(file('Bad Name')));
    writeFileSync(path.join(folder, 'c.json'), '{ not json');
    const result = await cli('import', folder);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Nothing was imported');
    expect(result.stderr).toContain(`${path.join(folder, 'b.json')}: name: Name may contain lowercase letters`);
    expect(result.stderr).toContain(`${path.join(folder, 'c.json')}: not valid JSON`);
    expect(await workflowNames()).toEqual([]);
  });

  it('rolls back the whole import when --deploy fails to compile', async () => {
    const graph = sampleGraph();
    const log = graph.nodes[1];
    if (log?.type === 'action' && log.data.action.type === 'log') log.data.action.message = '{{ ghost }}';
    writeFileSync(path.join(workDir, 'broken.json'), JSON.stringify(file('broken', graph)));
    const result = await cli('import', path.join(workDir, 'broken.json'), '--deploy');
    expect(result).toMatchObject({ code: 1 });
    expect(result.stderr).toMatch(/Cannot deploy.*"broken": Unknown name "ghost"/);
    expect(await workflowNames()).toEqual([]);
  });

  it('imports, deploys, and exports the same files back', async () => {
    const folder = path.join(workDir, 'good');
    mkdirSync(folder);
    writeFileSync(path.join(folder, 'one.json'), JSON.stringify(file('one')));
    writeFileSync(path.join(folder, 'two.json'), JSON.stringify(file('two')));
    const imported = await cli('import', folder, '--deploy');
    expect(imported).toMatchObject({ code: 0 });
    expect(imported.stdout).toContain('Imported 2 workflow(s): 2 created, 0 replaced');
    expect(imported.stdout).toContain('Deployed release #1');

    expect(await cli('export', '--all', 'out')).toMatchObject({ code: 0 });
    expect(readdirSync(path.join(workDir, 'out')).sort()).toEqual(['one.json', 'two.json']);
    // Exported as stored: expressions refer to parameters by id.
    expect(JSON.parse(readFileSync(path.join(workDir, 'out', 'one.json'), 'utf8'))).toEqual(file('one', bindGraph(sampleGraph())));

    expect(await cli('export', 'two')).toMatchObject({ code: 0 });
    expect(JSON.parse(readFileSync(path.join(workDir, 'two.json'), 'utf8'))).toEqual(file('two', bindGraph(sampleGraph())));
    expect(await cli('export', 'missing')).toMatchObject({ code: 1, stderr: 'No workflow called "missing"\n' });
  });

  it('imports a version-1 export file, which deploys and runs as it did', async () => {
    const v1 = {
      format: 'switchyard.workflow',
      formatVersion: 1,
      name: 'legacy-file',
      label: 'Made before version 2',
      graph: {
        schemaVersion: 1,
        nodes: [
          { id: 'event', type: 'apiEvent', position: { x: 0, y: 0 }, data: { parameters: [{ id: 'p-amount', key: 'amount', type: 'number', optional: false }, { id: 'p-note', key: 'note', type: 'text', optional: true }] } },
          { id: 'log-1', type: 'action', position: { x: 0, y: 1 }, data: { onlyWhen: 'amount > 1', action: { type: 'log', message: 'Charging {{amount}} ({{note}})' } } },
          { id: 'ret-1', type: 'action', position: { x: 0, y: 2 }, data: { action: { type: 'returnData', entries: [{ id: 'e-1', key: 'doubled', value: '{{amount * 2}}' }, { id: 'e-2', key: 'message', value: 'Thanks, {{note}}' }] } } },
        ],
        edges: [
          { id: 'e-a', source: 'event', target: 'log-1' },
          { id: 'e-b', source: 'log-1', target: 'ret-1' },
        ],
      },
    };
    writeFileSync(path.join(workDir, 'legacy.json'), JSON.stringify(v1));
    const imported = await cli('import', path.join(workDir, 'legacy.json'), '--deploy');
    expect(imported).toMatchObject({ code: 0 });
    const server = await startTestServer({ DATA_DIR: dataDir });
    try {
      const call = (body: unknown) =>
        fetch(`${server.url}/api/1.1/wf/legacy-file`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(await (await call({ amount: 21, note: 'Ada' })).json()).toEqual({ status: 'success', response: { doubled: 42, message: 'Thanks, Ada' } });
      expect(await (await call({ amount: 1 })).json()).toEqual({ status: 'success', response: { doubled: 2, message: 'Thanks, ' } });
      const refused = await call({ note: 'x' });
      expect(refused.status).toBe(400);
      expect(await refused.json()).toMatchObject({ message: 'Missing required parameter "amount"' });
    } finally {
      await server.close();
    }
  });

  it('lists runs for scripts, newest first, with filters, and shows one', async () => {
    const lines = (out: string) => out.trim().split('\n').map((line) => JSON.parse(line));
    const all = await cli('runs', '--json');
    expect(all.code).toBe(0);
    const runs = lines(all.stdout);
    expect(runs).toHaveLength(2);
    expect(Object.keys(runs[0]).sort()).toEqual(
      ['attempts', 'createdAt', 'durationMs', 'environment', 'error', 'finishedAt', 'id', 'recovered', 'releaseNumber', 'runAt', 'startedAt', 'status', 'trigger', 'workflow', 'workflowId'].sort(),
    );
    expect(runs[0]).toMatchObject({ workflow: 'legacy-file', environment: 'live', trigger: 'api', status: 'succeeded', attempts: 1, error: null });
    expect(runs[0].createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(runs[0].createdAt >= runs[1].createdAt).toBe(true);

    expect(lines((await cli('runs', '--workflow', 'legacy-file', '--status', 'succeeded,failed', '--environment', 'live', '--limit', '1', '--json')).stdout)).toEqual([runs[0]]);
    expect((await cli('runs', '--status', 'failed', '--json')).stdout).toBe('');
    expect((await cli('runs', '--since', '2999-01-01', '--json')).stdout).toBe('');
    expect(await cli('runs', '--status', 'done')).toMatchObject({ code: 1, stderr: expect.stringContaining('--status must be among queued, running, succeeded') });
    expect(await cli('runs', '--since', 'yesterday')).toMatchObject({ code: 1, stderr: expect.stringContaining('--since must be an ISO 8601 date') });

    const table = await cli('runs');
    expect(table.stdout).toMatch(/^CREATED \(UTC\)\s+STATUS\s+ENV/);
    expect(table.stdout).toContain(runs[0].id);

    const shown = await cli('runs', 'show', runs[0].id, '--json');
    const detail = JSON.parse(shown.stdout);
    expect(detail).toMatchObject({ id: runs[0].id, status: 'succeeded', input: { amount: 1 }, output: { doubled: 2, message: 'Thanks, ' } });
    expect(detail.steps.map((step: { label: string; status: string }) => [step.label, step.status])).toEqual([
      ['Log a value', 'skipped'],
      ['Return data from API', 'succeeded'],
    ]);
    expect(await cli('runs', 'show', 'nope', '--json')).toMatchObject({ code: 1, stderr: 'No run with id nope\n' });
    expect(await cli('runs', '--since', '1')).toMatchObject({ code: 1, stderr: expect.stringContaining('--since must be an ISO 8601 date') });
    // A mistyped data folder is said so, not answered with an empty list from a new database.
    const elsewhere = path.join(workDir, 'no-such-data');
    const { code, stderr } = await promisify(execFile)(process.execPath, [BIN, 'runs', '--json'], { env: { ...process.env, DATA_DIR: elsewhere } }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect({ code, stderr }).toEqual({ code: 1, stderr: `No database at ${path.join(elsewhere, 'switchyard.db')}: check DATA_DIR (or DATABASE_URL)\n` });
    expect(existsSync(elsewhere)).toBe(false);
  });

  it('creates API tokens (the token alone on the last line), lists them and revokes them', async () => {
    const created = await cli('token', 'create', '--label', 'Shop backend', '--workflows', 'one');
    expect(created).toMatchObject({ code: 0, stderr: '' });
    const lines = created.stdout.trim().split('\n');
    const token = lines[lines.length - 1]!;
    expect(token).toMatch(/^sy_[A-Za-z0-9_-]{43}$/);
    expect(created.stdout).toContain('for one.');

    const listed = await cli('token', 'list', '--json');
    const [row] = listed.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(row).toMatchObject({ label: 'Shop backend', prefix: token.slice(0, 10), allWorkflows: false, workflows: ['one'], createdBy: 'cli', revokedAt: null });
    expect(listed.stdout).not.toContain(token);
    expect((await cli('token', 'list')).stdout).toContain('Shop backend');

    expect(await cli('token', 'create', '--label', 'x', '--workflows', 'missing')).toMatchObject({ code: 1, stderr: 'No workflow called "missing"\n' });
    expect(await cli('token', 'create')).toMatchObject({ code: 1, stderr: 'token create needs --label\n' });

    const revoked = await cli('token', 'revoke', row.id);
    expect(revoked).toMatchObject({ code: 0, stdout: `Revoked token "Shop backend" (id ${row.id})\n` });
    expect(JSON.parse((await cli('token', 'list', '--json')).stdout.trim()).revokedAt).not.toBeNull();
    expect(await cli('token', 'revoke', 'no-such-id')).toMatchObject({ code: 1, stderr: 'There is no such token\n' });
  });

  it('deploys one workflow by name, or all, printing the release and each refused workflow', async () => {
    const folder = path.join(workDir, 'to-deploy');
    mkdirSync(folder);
    const broken = sampleGraph();
    const log = broken.nodes[1];
    if (log?.type === 'action' && log.data.action.type === 'log') log.data.action.message = '{{ ghost }}';
    writeFileSync(path.join(folder, 'solo.json'), JSON.stringify(file('solo')));
    writeFileSync(path.join(folder, 'solo-broken.json'), JSON.stringify(file('solo-broken', broken)));
    expect(await cli('import', folder)).toMatchObject({ code: 0 });

    const one = await cli('deploy', '--workflow', 'solo', '--note', 'just solo');
    expect(one).toMatchObject({ code: 0, stderr: '' });
    expect(one.stdout).toMatch(/^Deployed release #\d+: solo \(\d+ live\)\n$/);
    const db = openDb(path.join(dataDir, 'switchyard.db'));
    try {
      const latest = await db.release.findFirst({ orderBy: { number: 'desc' }, include: { workflows: true } });
      expect(latest).toMatchObject({ kind: 'workflows', createdBy: 'cli', note: 'just solo' });
      expect(latest!.workflows.map((w) => w.name)).toContain('solo');
      expect(latest!.workflows.map((w) => w.name)).not.toContain('solo-broken');
    } finally {
      await db.$disconnect();
    }

    const all = await cli('deploy');
    expect(all.code).toBe(0);
    expect(all.stdout).toContain('Refused "solo-broken": Unknown name "ghost"\n');
    expect(await cli('deploy', '--workflow', 'solo-broken')).toMatchObject({ code: 1, stderr: 'Cannot deploy: fix these workflows first. "solo-broken": Unknown name "ghost"\n' });
    expect(await cli('deploy', '--workflow', 'nope')).toMatchObject({ code: 1, stderr: 'No workflow called "nope"\n' });
  });

  it('explains its usage', async () => {
    const result = await cli('frobnicate');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Unknown command "frobnicate"');
    expect(result.stderr).toContain('create-admin --email E --password P');
  });
});
