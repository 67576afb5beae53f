import { expect, test } from '@playwright/test';
import { ADMIN } from './session.ts';

// The first-run journey of issue 2, in one browser session against `npm start` on a fresh database:
// first admin -> new workflow -> a parameter and both actions on the canvas -> deploy -> an external
// caller hits the live endpoint -> the run shows up with its steps.
test('a builder draws, deploys and calls an API workflow, then inspects the run', async ({ page, baseURL }, testInfo) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/setup$/);
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
  await page.getByRole('button', { name: 'Create admin account' }).click();

  await expect(page).toHaveURL(/\/workflows$/);
  await page.getByRole('button', { name: 'New workflow' }).first().click();
  await page.getByLabel('Name').fill('greet');
  await page.getByLabel('Label').fill('Greets a caller by name');
  await page.getByRole('button', { name: 'Create workflow' }).click();
  await expect(page).toHaveURL(/\/workflows\/[\w-]+$/);

  // The event's parameter, edited in the side panel.
  await page.getByTestId('node-event').click();
  await page.getByRole('button', { name: 'Add parameter' }).click();
  await page.getByLabel('Key').fill('name');
  await expect(page.getByLabel('Type')).toHaveValue('text');

  // "Log a value", added from the palette and chained after the event.
  await page.getByRole('button', { name: 'Add Log a value' }).click();
  await page.getByLabel('Message').fill('Greeting {{name}}');

  // "Return data from API" with one key.
  await page.getByRole('button', { name: 'Add Return data from API' }).click();
  await page.getByRole('button', { name: 'Add key' }).click();
  await page.getByLabel('Key').fill('greeting');
  await page.getByLabel('Value').fill('Hello {{name}}');

  await expect(page.locator('.react-flow__node')).toHaveCount(3);
  await expect(page.locator('.react-flow__edge')).toHaveCount(2);
  await expect(page.getByTestId('save-status')).toHaveText('All changes saved');
  await page.screenshot({ path: testInfo.outputPath('canvas.png') });

  // Reloading shows exactly what was saved.
  await page.reload();
  await expect(page.locator('.react-flow__node')).toHaveCount(3);
  await expect(page.getByText('Greeting {{name}}').first()).toBeVisible();

  await page.getByRole('button', { name: 'Deploy', exact: true }).click();
  // The confirm dialog shows what goes live, then deploys this workflow.
  await expect(page.getByRole('dialog', { name: 'Deploy greet?' }).getByRole('listitem', { name: 'Changes to greet' })).toContainText('Goes live');
  await page.getByRole('button', { name: 'Deploy greet' }).click();
  await expect(page.getByText('Deployed release #1')).toBeVisible();

  // An external caller, outside the browser: a new workflow requires an API token.
  const anonymous = await fetch(`${baseURL}/api/1.1/wf/greet`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"Ada"}' });
  expect(anonymous.status).toBe(401);
  await expect(page.getByText('Token required')).toBeVisible();

  // The admin makes one in Settings; it is shown once.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'API tokens' }).click();
  await expect(page.getByText('No API tokens yet')).toBeVisible();
  await page.getByRole('button', { name: 'New token' }).click();
  await page.getByRole('dialog').getByLabel('Label').fill('Shop backend');
  await page.getByRole('button', { name: 'Create token' }).click();
  const token = (await page.getByTestId('new-token').textContent())!;
  expect(token).toMatch(/^sy_/);
  await page.screenshot({ path: testInfo.outputPath('token-shown-once.png') });
  await page.getByRole('button', { name: 'I have stored it' }).click();
  await expect(page.getByRole('row').filter({ hasText: 'Shop backend' })).toContainText('All workflows');

  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  const response = await fetch(`${baseURL}/api/1.1/wf/greet`, { method: 'POST', headers, body: JSON.stringify({ name: 'Ada' }) });
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ status: 'success', response: { greeting: 'Hello Ada' } });
  const wrong = await fetch(`${baseURL}/api/1.1/wf/greet`, { method: 'POST', headers, body: '{}' });
  expect(wrong.status).toBe(400);

  await page.getByRole('link', { name: 'Runs' }).click();
  await expect(page).toHaveURL(/\/runs$/);
  const row = page.getByRole('row').filter({ hasText: 'greet' });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('live');
  await row.getByRole('link').first().click();

  await expect(page).toHaveURL(/\/runs\/[\w-]+$/);
  await expect(page.getByText('Log a value').first()).toBeVisible();
  await expect(page.getByText('Return data from API').first()).toBeVisible();
  await expect(page.getByText('Greeting Ada').first()).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('run-detail.png'), fullPage: true });
});
