import { type Page, expect, test } from '@playwright/test';
import { canvasNode, createWorkflow, openTab, signIn } from './session.ts';

// Issue 5, the editor's side: typed parameters (an object with a declared field, a list), expressions
// that use them and an earlier step's result, renames that never break an expression, a type
// diagnostic on its field, "respond at once" in the test panel, and each node's status on the canvas
// after a test run.

const NAME = 'charge-order';

/** Runs the draft from the Test tab and waits for the answer. */
async function runDraft(page: Page) {
  await openTab(page, 'Test');
  const answer = page.waitForResponse((r) => r.url().endsWith(`/version-test/api/1.1/wf/${NAME}`) && r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Run draft' }).click();
  return answer;
}

/** The test form's values: a number, a JSON object, a JSON list and a text. */
async function fillTestInputs(page: Page, amountKey: string) {
  await page.getByRole('spinbutton', { name: new RegExp(`^${amountKey}\\b`) }).fill('21');
  await page.getByRole('textbox', { name: /^order\b/ }).fill('{"total": 5}');
  await page.getByRole('textbox', { name: /^tags\b/ }).fill('["vip", "eu"]');
  await page.getByRole('textbox', { name: /^name\b/ }).fill('Ada');
}

test('references follow renames, types are checked, and test runs show on the canvas', async ({ page }, testInfo) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await signIn(page);
  await createWorkflow(page, NAME, 'Charges an order');

  // Parameters: a number, an object with a declared field, an optional list of texts, a text.
  await page.getByTestId('node-event').click();
  const addParameter = page.getByRole('button', { name: 'Add parameter' });
  const key = page.getByLabel('Key', { exact: true });
  const type = page.getByLabel('Type', { exact: true });
  await addParameter.click();
  await key.last().fill('amount');
  await type.last().selectOption('number');
  await addParameter.click();
  await key.last().fill('order');
  await type.last().selectOption('object');
  await page.getByRole('button', { name: 'Add field to order' }).click();
  await page.getByLabel('Name of field 1').fill('total');
  await page.getByLabel('Type of total').selectOption('number');
  await page.getByLabel('total is optional').uncheck();
  await page.locator('.side-panel').screenshot({ path: testInfo.outputPath('object-fields.png') });
  await addParameter.click();
  await key.last().fill('tags');
  await page.getByLabel('List', { exact: true }).last().check();
  await page.getByLabel('Optional', { exact: true }).last().check();
  await addParameter.click();
  await key.last().fill('name');

  const event = page.getByTestId('node-event');
  await expect(event).toContainText('object (1 field)');
  await expect(event).toContainText('list of texts, optional');
  await page.screenshot({ path: testInfo.outputPath('event-form.png') });

  // A log step that uses two parameters; the second is picked from the names available here.
  await page.getByRole('button', { name: 'Add Log a value' }).click();
  await page.getByLabel('Title').fill('Charge card');
  const message = page.getByLabel('Message');
  await message.fill('Charging {{amount * 2}} for ');
  await page.getByRole('button', { name: /^order\.total\b/ }).click();
  await expect(message).toHaveValue('Charging {{amount * 2}} for {{order.total}}');

  // A wrong type is a diagnostic on its field, before anything runs.
  await message.fill('{{amount * name}}');
  await expect(page.locator('.inspector .field-diagnostics')).toContainText('amount * name: name is text; a number is needed');
  await expect(canvasNode(page, 'Charge card').locator('.flow-node')).toHaveClass(/has-error/);
  await message.fill('Charging {{amount * 2}} for {{order.total}}');
  await expect(canvasNode(page, 'Charge card').locator('.flow-node')).not.toHaveClass(/has-error/);

  // Return data that uses the earlier step's result and an item of the list.
  await page.getByRole('button', { name: 'Add Return data from API' }).click();
  await page.getByRole('button', { name: 'Add key' }).click();
  await page.getByLabel('Key').last().fill('said');
  await page.getByLabel('Value').last().fill('{{steps.charge_card.message}}');
  await page.getByRole('button', { name: 'Add key' }).click();
  await page.getByLabel('Key').last().fill('first_tag');
  await page.getByLabel('Value').last().fill('{{tags[0]}}');
  await page.getByLabel('Value').last().focus();
  await expect(page.getByLabel('Available names')).toContainText('steps.charge_card.message');
  await page.screenshot({ path: testInfo.outputPath('action-form.png') });
  await expect(page.getByTestId('save-status')).toHaveText('All changes saved');

  // The test panel: a JSON object and a JSON list, then the answer and the run it made.
  await openTab(page, 'Test');
  const order = page.getByRole('textbox', { name: /^order\b/ });
  await order.fill('{"total": ');
  await expect(page.getByText('Not valid JSON')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Run draft' })).toBeDisabled();
  await fillTestInputs(page, 'amount');
  const first = await runDraft(page);
  expect(first.status()).toBe(200);
  const expected = { status: 'success', response: { said: 'Charging 42 for 5', first_tag: 'vip' } };
  expect(await first.json()).toEqual(expected);
  const result = page.getByLabel('Test result');
  await expect(result).toContainText('HTTP 200');
  await expect(result).toContainText('Charging 42 for 5');
  const firstRun = first.headers()['x-switchyard-run-id'];
  expect(firstRun).toBeTruthy();
  await expect(result.getByRole('link', { name: 'View run' })).toHaveAttribute('href', `/runs/${firstRun}`);

  // Each node's status on the canvas, and the step's output in its panel.
  await expect(event.getByTestId('node-status')).toHaveText('Succeeded');
  await expect(canvasNode(page, 'Charge card').getByTestId('node-status')).toHaveText('Succeeded');
  await expect(canvasNode(page, 'Return data from API').getByTestId('node-status')).toHaveText('Succeeded');
  await page.screenshot({ path: testInfo.outputPath('test-result.png') });
  await canvasNode(page, 'Charge card').click();
  await openTab(page, 'Properties');
  await expect(page.getByLabel('Last test run')).toContainText('Charging 42 for 5');
  await page.screenshot({ path: testInfo.outputPath('canvas-after-run.png') });

  // Renames: the parameter and the step. Expressions show the new names; the results go away.
  await page.getByLabel('Title').fill('Bill customer');
  await expect(page.getByLabel('Test run results')).toHaveCount(0);
  await event.click();
  await key.first().fill('price');
  await canvasNode(page, 'Bill customer').click();
  await expect(page.getByLabel('Message')).toHaveValue('Charging {{price * 2}} for {{order.total}}');
  await expect(canvasNode(page, 'Bill customer')).toContainText('Charging {{price * 2}} for {{order.total}}');
  await canvasNode(page, 'Return data from API').click();
  await expect(page.getByLabel('Value').first()).toHaveValue('{{steps.bill_customer.message}}');
  await expect(page.locator('.flow-node.has-error')).toHaveCount(0);

  // The same call (the price field keeps what was typed) gives the same answer.
  const second = await runDraft(page);
  expect(await second.json()).toEqual(expected);
  await expect(page.getByRole('spinbutton', { name: /^price\b/ })).toHaveValue('21');

  // A call the endpoint refuses is counted for the builder (its body is not kept).
  const refused = await page.request.post(`/version-test/api/1.1/wf/${NAME}`, { data: { order: { total: 1 } }, headers: { 'x-switchyard-trigger': 'test' } });
  expect(refused.status()).toBe(400);
  await expect(async () => {
    await page.reload();
    await expect(page.getByRole('heading', { name: /Refused calls/ })).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  await expect(page.locator('.refused-row')).toContainText('Invalid parameters');
  await expect(page.locator('.refused-row')).toContainText('price');
  await page.screenshot({ path: testInfo.outputPath('refused-calls.png') });

  // Respond at once: 202 with the run's id, a link to that run, and the canvas once it has run.
  await event.click();
  await openTab(page, 'Properties');
  await page.getByRole('radio', { name: /Respond at once/ }).check();
  await expect(event).toContainText('Responds at once');
  await openTab(page, 'Test');
  await fillTestInputs(page, 'price');
  const accepted = await runDraft(page);
  expect(accepted.status()).toBe(202);
  const body = (await accepted.json()) as { status: string; response: { run_id: string } };
  expect(body.status).toBe('accepted');
  expect(accepted.headers()['x-switchyard-run-id']).toBe(body.response.run_id);
  await expect(result).toContainText('HTTP 202');
  await expect(result).toContainText('Accepted: running in the background');
  await expect(result.getByRole('link', { name: 'View run' })).toHaveAttribute('href', `/runs/${body.response.run_id}`);
  await expect(canvasNode(page, 'Bill customer').getByTestId('node-status')).toHaveText('Succeeded');
  await expect(result).toContainText('Run succeeded');
  await page.screenshot({ path: testInfo.outputPath('accepted.png') });
  expect(pageErrors).toEqual([]);
});

test('a failing step shows its error on the canvas, and a run whose condition is not met is skipped', async ({ page }, testInfo) => {
  await signIn(page);
  await createWorkflow(page, 'convert-name');
  await page.getByTestId('node-event').click();
  await page.getByRole('button', { name: 'Add parameter' }).click();
  await page.getByLabel('Key', { exact: true }).fill('name');
  await page.getByRole('button', { name: 'Add Log a value' }).click();
  await page.getByLabel('Message').fill('{{toNumber(name) + 1}}');
  await page.getByRole('button', { name: 'Add Return data from API' }).click();

  // A conversion that fails at run time is a step error naming the field; later steps never run.
  await openTab(page, 'Test');
  await page.getByRole('textbox', { name: /^name\b/ }).fill('Ada');
  await page.getByRole('button', { name: 'Run draft' }).click();
  const result = page.getByLabel('Test result');
  await expect(result).toContainText('HTTP 500');
  const log = canvasNode(page, 'Log a value');
  await expect(log.getByTestId('node-status')).toHaveText('Failed');
  await expect(log.locator('.flow-node-run-error')).toContainText('Ada');
  await expect(canvasNode(page, 'Return data from API')).toContainText('Not run');
  await expect(result.getByRole('link', { name: 'View run' })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('failed-step.png') });

  // "Only when" on the event: not met, the run is recorded as skipped and the caller gets 400.
  await openTab(page, 'Properties');
  await page.getByTestId('node-event').click();
  await page.getByLabel('Only when').fill('name == "go"');
  await expect(page.getByLabel('Test run results')).toHaveCount(0);
  await openTab(page, 'Test');
  await page.getByRole('button', { name: 'Run draft' }).click();
  await expect(result).toContainText('HTTP 400');
  await expect(result).toContainText('condition was not met');
  await expect(page.getByTestId('node-event').getByTestId('node-status')).toHaveText('Skipped');
  await expect(result.getByRole('link', { name: 'View run' })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('skipped.png') });
});
