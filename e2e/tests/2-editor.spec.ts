import { expect, test } from '@playwright/test';
import { ADMIN, createWorkflow, signIn } from './session.ts';

test.beforeEach(async ({ page }) => {
  await signIn(page);
});

test('problems show on the node and under the field, and clear when fixed', async ({ page }, testInfo) => {
  await createWorkflow(page, 'diagnostics-demo');
  await page.getByRole('button', { name: 'Add Log a value' }).click();
  await page.getByLabel('Message').fill('Total: {{amount * 2}}');

  const node = page.locator('.react-flow__node').filter({ hasText: 'Log a value' });
  await expect(node.getByText('Unknown name "amount"')).toBeVisible();
  await expect(page.locator('.inspector .field-diagnostics')).toContainText('Unknown name "amount"');
  await expect(page.locator('.flow-node.has-error')).toHaveCount(1);
  await page.screenshot({ path: testInfo.outputPath('diagnostics.png') });

  await page.getByTestId('node-event').click();
  await page.getByRole('button', { name: 'Add parameter' }).click();
  await page.getByLabel('Key').fill('amount');
  await page.getByLabel('Type').selectOption('number');
  await expect(page.locator('.flow-node.has-error')).toHaveCount(0);
  await expect(page.getByTestId('save-status')).toHaveText('All changes saved');

  // New workflows require a token; the builder's own session calls the draft as the test panel does.
  const response = await page.request.post('/version-test/api/1.1/wf/diagnostics-demo', { data: { amount: 4 }, headers: { 'x-switchyard-trigger': 'test' } });
  expect(await response.json()).toEqual({ status: 'success', response: {} });
});

test('workflows can be renamed, and deleted only after confirming', async ({ page }) => {
  await createWorkflow(page, 'to-rename', 'Before');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Workflows' }).click();

  await page.getByRole('button', { name: 'Rename to-rename' }).click();
  await page.getByRole('textbox', { name: 'Name' }).fill('Not Valid');
  await expect(page.getByText(/lowercase letters, digits and single hyphens/)).toBeVisible();
  await page.getByRole('textbox', { name: 'Name' }).fill('renamed');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('row').filter({ hasText: 'renamed' })).toHaveCount(1);

  await page.getByRole('button', { name: 'Delete renamed' }).click();
  await expect(page.getByRole('dialog')).toContainText('Delete renamed?');
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('row').filter({ hasText: 'renamed' })).toHaveCount(1);

  await page.getByRole('button', { name: 'Delete renamed' }).click();
  await page.getByRole('button', { name: 'Delete workflow' }).click();
  await expect(page.getByRole('row').filter({ hasText: 'renamed' })).toHaveCount(0);
  const gone = await page.request.post('/version-test/api/1.1/wf/renamed', { data: {} });
  expect(gone.status()).toBe(404);
});

test('signing out ends the session; a wrong password gets one generic message', async ({ page }) => {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto('/runs');
  await expect(page).toHaveURL(/\/login$/);

  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password', { exact: true }).fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Invalid email or password');

  await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/runs$/);
});

test('a second tab cannot silently overwrite what the first one saved', async ({ page, context }, testInfo) => {
  await createWorkflow(page, 'two-tabs');
  const other = await context.newPage();
  await other.goto(page.url());
  await expect(other.getByTestId('node-event')).toBeVisible();

  await page.getByRole('button', { name: 'Add Log a value' }).click();
  await page.getByLabel('Message').fill('from the first tab');
  await expect(page.getByTestId('save-status')).toHaveText('All changes saved');

  await other.getByRole('button', { name: 'Add Return data from API' }).click();
  await expect(other.getByTestId('save-status')).toContainText('changed elsewhere');
  await expect(other.getByRole('button', { name: 'Reload' })).toBeVisible();
  await other.screenshot({ path: testInfo.outputPath('conflict.png') });

  await page.reload();
  await expect(page.getByText('from the first tab').first()).toBeVisible();
  await expect(page.locator('.react-flow__node')).toHaveCount(2);
});
