import { expect, test } from '@playwright/test';
import { createWorkflow, signIn, trpc, trpcQuery } from './session.ts';

// "Detect data": a builder opens it on the API event, a sender (here Node's fetch, as a webhook
// provider would) posts one sample, the proposals are edited and accepted, and the event has them.

test('Detect data proposes parameters from a sample request, and Accept adds them', async ({ page, baseURL }, testInfo) => {
  await signIn(page);
  await createWorkflow(page, 'detect-orders');
  await page.getByTestId('node-event').click();
  await page.getByRole('button', { name: 'Add parameter' }).click();
  await page.getByLabel('Key', { exact: true }).fill('shop');
  await expect(page.getByTestId('save-status')).toHaveText('All changes saved');

  // Nothing is open yet: the sample address answers 404 saying what to do.
  const url = `${baseURL}/version-test/api/1.1/wf/detect-orders/initialize`;
  // A new workflow requires a token: its sample comes with one too.
  const { token } = await trpc<{ token: string }>(page.request, 'token.create', { label: 'detect orders', workflowIds: null });
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  const anonymous = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  expect(anonymous.status).toBe(401);
  const closed = await fetch(url, { method: 'POST', headers, body: '{}' });
  expect(closed.status).toBe(404);
  expect(((await closed.json()) as { message: string }).message).toMatch(/open the API event's "Detect data"/);

  await page.getByRole('button', { name: 'Detect data' }).click();
  const dialog = page.getByRole('dialog', { name: 'Detect data' });
  await expect(dialog.getByTestId('detect-url')).toHaveText(url);
  await expect(dialog.getByLabel('Example curl command')).toContainText(`curl -X POST '${url}'`);
  await expect(dialog.getByLabel('Example curl command')).toContainText("-H 'authorization: Bearer <token>'");
  await expect(dialog.getByTestId('detect-waiting')).toContainText('Waiting for a request');
  await page.screenshot({ path: testInfo.outputPath('detect-waiting.png') });

  const sample = {
    shop: 'acme',
    amount: 12.5,
    paid: true,
    created_at: '2026-11-28T09:00:00Z',
    customer: { email: 'ada@example.com', vip: false },
    items: [{ sku: 'A-1', qty: 2 }, { sku: 'B-2', qty: 1 }],
    'order-id': 'ord_1',
  };
  const sent = await fetch(url, { method: 'POST', headers, body: JSON.stringify(sample) });
  expect(sent.status).toBe(200);
  expect(((await sent.json()) as { message: string }).message).toMatch(/^Sample captured: 7 keys/);

  const table = dialog.getByRole('table', { name: 'Proposed parameters' });
  await expect(table).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('detect-proposals.png') });
  // What was detected: types, and the keys it could not take as they are.
  await expect(dialog.getByLabel('Type of amount')).toHaveValue('number');
  await expect(dialog.getByLabel('Type of paid')).toHaveValue('boolean');
  await expect(dialog.getByLabel('Type of created_at')).toHaveValue('date');
  await expect(dialog.getByLabel('Type of customer')).toHaveValue('object');
  await expect(dialog.getByLabel('Type of items')).toHaveValue('object');
  await expect(dialog.getByLabel('items is a list')).toBeChecked();
  await expect(dialog.getByLabel('Add shop')).not.toBeChecked(); // already a parameter
  await expect(dialog.getByLabel('Add order-id')).not.toBeChecked(); // not a parameter key
  await expect(dialog.getByLabel('Key of order-id')).toHaveValue('order_id');

  // The builder edits: amount becomes text, created_at is renamed, paid is left out.
  await dialog.getByLabel('Type of amount').selectOption('text');
  await dialog.getByLabel('Key of created_at').fill('2bad');
  await expect(dialog.getByText('Letters, digits and underscores only')).toBeVisible();
  await expect(dialog.getByRole('button', { name: /^Add \d+ parameters?$/ })).toBeDisabled();
  await dialog.getByLabel('Key of created_at').fill('placed_at');
  await dialog.getByLabel('Add paid').uncheck();
  await page.setViewportSize({ width: 520, height: 800 });
  await page.screenshot({ path: testInfo.outputPath('detect-proposals-narrow.png') });
  await page.setViewportSize({ width: 1280, height: 800 });
  await dialog.getByRole('button', { name: 'Add 4 parameters' }).click();
  await expect(dialog).toBeHidden();

  // The event now has them, with the chosen types, and they are saved.
  const keys = page.getByLabel('Key', { exact: true });
  await expect(keys).toHaveCount(5);
  await expect(keys.nth(1)).toHaveValue('amount');
  await expect(page.getByLabel('Type', { exact: true }).nth(1)).toHaveValue('text');
  await expect(keys.nth(2)).toHaveValue('placed_at');
  await expect(keys.nth(3)).toHaveValue('customer');
  await expect(keys.nth(4)).toHaveValue('items');
  await expect(page.getByLabel('Name of field 1').first()).toHaveValue('email');
  await expect(page.getByTestId('save-status')).toHaveText('All changes saved');
  await page.locator('.side-panel').screenshot({ path: testInfo.outputPath('parameters-added.png') });

  // Undo takes the whole acceptance back, as one step.
  await page.getByRole('button', { name: 'Undo', exact: true }).click();
  await expect(keys).toHaveCount(1);
  await page.getByRole('button', { name: 'Redo', exact: true }).click();
  await expect(keys).toHaveCount(5);

  // Closed after the capture: another request is refused.
  const after = await fetch(url, { method: 'POST', headers, body: '{"x":1}' });
  expect(after.status).toBe(404);
});

test('Detect data: not listening, an empty sample, a long one, and Cancel closing the session', async ({ page, baseURL }, testInfo) => {
  await signIn(page);
  await createWorkflow(page, 'detect-states');
  const workflowId = page.url().split('/').pop()!;
  await page.getByTestId('node-event').click();
  await page.getByRole('button', { name: 'Detect data' }).click();
  const dialog = page.getByRole('dialog', { name: 'Detect data' });
  await expect(dialog.getByTestId('detect-waiting')).toContainText('Waiting for a request');
  await expect(dialog.getByRole('button', { name: 'Add parameters' })).toBeDisabled();

  // Closed from elsewhere (another tab): the dialog says so and can listen again.
  await trpc(page.request, 'workflow.detect.stop', { workflowId });
  await expect(dialog.getByText('Not listening.')).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('detect-not-listening.png') });
  await dialog.getByRole('button', { name: 'Listen again' }).click();
  await expect(dialog.getByTestId('detect-waiting')).toContainText('Waiting for a request');

  const url = `${baseURL}/version-test/api/1.1/wf/detect-states/initialize`;
  const { token } = await trpc<{ token: string }>(page.request, 'token.create', { label: 'detect states', workflowIds: null });
  const send = (body: unknown) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  expect((await send({})).status).toBe(200);
  await expect(dialog.getByText('It had no keys to propose.')).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('detect-empty.png') });

  await dialog.getByRole('button', { name: 'Send another sample' }).click();
  await expect(dialog.getByTestId('detect-waiting')).toContainText('Waiting for a request');
  const long = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`field_${i}`, i % 3 === 0 ? `value ${i} `.repeat(8) : i]));
  expect((await send(long)).status).toBe(200);
  await expect(dialog.getByRole('button', { name: 'Add 40 parameters' })).toBeEnabled();
  await page.screenshot({ path: testInfo.outputPath('detect-long.png') });
  await dialog.getByRole('button', { name: 'Select none' }).click();
  await expect(dialog.getByRole('button', { name: 'Add 0 parameters' })).toBeDisabled();

  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByLabel('Key', { exact: true })).toHaveCount(0);
  await expect.poll(async () => (await trpcQuery<{ state: string }>(page.request, 'workflow.detect.result', { workflowId })).state).toBe('closed');
});
