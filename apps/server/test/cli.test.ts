import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { bindGraph } from '@switchyard/workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../src/db/index.ts';
import { sampleGraph } from './helpers.ts';

const BIN = fileURLToPath(new URL('../bin/switchyard.mjs', import.meta.url));
let dataDir: string;
let workDir: string;

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], {
      env: { ...process.env, DATA_DIR: dataDir },
      cwd: workDir,
    });
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

  it('explains its usage', async () => {
    const result = await cli('frobnicate');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Unknown command "frobnicate"');
    expect(result.stderr).toContain('create-admin --email E --password P');
  });
});
