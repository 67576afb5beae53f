import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { signIn } from './session.ts';

const CLI = fileURLToPath(new URL('../../apps/server/bin/switchyard.mjs', import.meta.url));

// A workflow exported before typed expressions (file format 1, graph schema 1): its expressions name
// parameters by key, and one of them would not type-check today ("Hi " + an optional name).
const V1_FILE = {
  format: 'switchyard.workflow',
  formatVersion: 1,
  name: 'legacy-greeting',
  label: 'Exported before version 2',
  graph: {
    schemaVersion: 1,
    nodes: [
      { id: 'event', type: 'apiEvent', position: { x: 0, y: 0 }, data: { parameters: [{ id: 'p-name', key: 'name', type: 'text', optional: true }] } },
      {
        id: 'ret-1',
        type: 'action',
        position: { x: 0, y: 200 },
        data: { action: { type: 'returnData', entries: [{ id: 'e-1', key: 'greeting', value: '{{"Hi " + name}}' }] } },
      },
    ],
    edges: [{ id: 'e-a', source: 'event', target: 'ret-1' }],
  },
};

test('a version-1 export imports, deploys and runs as before, and can be switched to typed expressions', async ({ page, baseURL }, testInfo) => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'switchyard-v1-')), 'legacy.json');
  writeFileSync(file, JSON.stringify(V1_FILE));
  const out = execFileSync(process.execPath, [CLI, 'import', file, '--deploy'], {
    env: { ...process.env, DATA_DIR: process.env.E2E_DATA_DIR },
    encoding: 'utf8',
  });
  expect(out).toContain('Imported 1 workflow(s)');

  const call = async (body: unknown) => {
    const response = await fetch(`${baseURL}/api/1.1/wf/legacy-greeting`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return response.json();
  };
  expect(await call({ name: 'Ada' })).toEqual({ status: 'success', response: { greeting: 'Hi Ada' } });
  // As in version 1: an empty name joins as "".
  expect(await call({})).toEqual({ status: 'success', response: { greeting: 'Hi ' } });

  await signIn(page);
  await page.getByRole('row').filter({ hasText: 'legacy-greeting' }).getByRole('link').first().click();
  await page.getByTestId('node-event').click();
  const note = page.getByRole('note').filter({ hasText: 'Made before expressions were typed' });
  await expect(note).toBeVisible();
  // Made before tokens too: anyone can call it, and the editor says so.
  await expect(page.getByTestId('open-endpoint-warning')).toBeVisible();
  await expect(page.locator('.flow-node.has-error')).toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath('lenient.png') });

  await note.getByRole('button', { name: 'Check types' }).click();
  await expect(note).toHaveCount(0);
  await expect(page.locator('.flow-node.has-error')).toHaveCount(1);
  await expect(page.getByText('Cannot join name to text').first()).toBeVisible();
  // Undo brings the old behaviour back.
  await page.keyboard.press('Control+z');
  await expect(page.locator('.flow-node.has-error')).toHaveCount(0);
});
