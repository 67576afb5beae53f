import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { createWorkflow, signIn } from './session.ts';

const CLI = fileURLToPath(new URL('../../apps/server/bin/switchyard.mjs', import.meta.url));
const VIEWER = { email: 'viewer@example.com', password: 'viewer password 123' };

test('a viewer sees workflows and runs but cannot change or deploy them', async ({ page }) => {
  await signIn(page);
  await createWorkflow(page, 'viewer-sees-this');
  await page.getByRole('button', { name: 'Sign out' }).click();

  // Accounts other than the first admin come from the command line for now.
  const out = execFileSync(process.execPath, [CLI, 'create-user', '--email', VIEWER.email, '--password', VIEWER.password, '--role', 'viewer'], {
    env: { ...process.env, DATA_DIR: process.env.E2E_DATA_DIR },
    encoding: 'utf8',
  });
  expect(out).toContain('Created viewer viewer@example.com');

  await page.getByLabel('Email').fill(VIEWER.email);
  await page.getByLabel('Password', { exact: true }).fill(VIEWER.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Workflows' }).click();
  await expect(page.getByText('Viewer', { exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'New workflow' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: /^Delete / })).toHaveCount(0);

  await page.getByRole('row').filter({ hasText: 'viewer-sees-this' }).getByRole('link').first().click();
  await expect(page.getByTestId('node-event')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Deploy' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Add Log a value' })).toHaveCount(0);
  await page.getByTestId('node-event').click();
  await expect(page.getByRole('button', { name: 'Add parameter' })).toHaveCount(0);
  await expect(page.getByLabel('Only when')).toBeDisabled();
  await expect(page.getByRole('radio', { name: /Respond at once/ })).toBeDisabled();
  await expect(page.getByLabel('Timeout')).toBeDisabled();

  // The server refuses the viewer's mutation whatever the page shows.
  const refused = await page.request.post('/trpc/release.deploy', { data: {} });
  expect(refused.status()).toBe(403);
});
