import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { migrate } from '../src/db/index.ts';
import { startTestServer } from './helpers.ts';

describe('start-up and shutdown', () => {
  it('applies migrations once and records them as Prisma does', async () => {
    const server = await startTestServer();
    const rows = await server.db.$queryRawUnsafe<{ migration_name: string; checksum: string }[]>(
      'SELECT migration_name, checksum FROM _prisma_migrations',
    );
    expect(rows.map((r) => r.migration_name)).toEqual(['20261125000000_init']);
    expect(rows[0]?.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(migrate(`${server.dataDir}/switchyard.db`).applied).toEqual([]);
    await server.stop();
  });

  it('creates the first admin from ADMIN_EMAIL and ADMIN_PASSWORD', async () => {
    const server = await startTestServer({ ADMIN_EMAIL: 'ops@example.com', ADMIN_PASSWORD: 'unattended-install-pw' });
    const user = await server.db.user.findUniqueOrThrow({ where: { email: 'ops@example.com' } });
    expect(user.role).toBe('admin');
    await server.stop();
  });

  it('marks runs cut off by a crash as interrupted on the next start', async () => {
    const first = await startTestServer();
    const id = randomUUID();
    await first.db.run.create({
      data: { id, workflowId: 'w', workflowName: 'w', environment: 'live', trigger: 'api', status: 'running', input: '{}', startedAt: new Date() },
    });
    await first.close();
    const second = await startTestServer({ DATA_DIR: first.dataDir });
    expect(await second.db.run.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'interrupted' });
    await second.stop();
    rmSync(first.dataDir, { recursive: true, force: true });
  });

  it('refuses new runs once the runner is stopping', async () => {
    const server = await startTestServer();
    await server.runner.stop();
    await expect(
      server.runner.run({
        workflowId: 'w',
        definition: { schemaVersion: 1, name: 'w', trigger: { type: 'api', parameters: [] }, steps: [] },
        environment: 'draft',
        releaseNumber: null,
        input: {},
        params: {},
      }),
    ).rejects.toThrow(/shutting down/);
    await server.stop();
  });
});
