import { type Page, expect, test } from '@playwright/test';
import { canvasNode, createWorkflow, openTab, signIn } from './session.ts';

// The editor's side of "Schedule API workflow" and "Schedule API workflow on a list": the target is
// chosen from the workflows by name, a value is given for each of its parameters (a missing required
// one is an error on its field until it is filled), the list item goes to one of them, the event's
// time zone is a run setting (undoable), and the test panel can schedule a run of the saved draft
// for later.

/** Names unique to this run of the spec, so it also passes against a server that has run it before. */
const suffix = Date.now().toString(36);
const TARGET = `remind-${suffix}`;
const MAIN = `digest-${suffix}`;

async function addParameter(page: Page, key: string, type: string, list = false) {
  await page.getByRole('button', { name: 'Add parameter' }).click();
  await page.getByLabel('Key', { exact: true }).last().fill(key);
  await page.getByLabel('Type', { exact: true }).last().selectOption(type);
  if (list) await page.getByLabel('List', { exact: true }).last().check();
}

async function saved(page: Page) {
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByTestId('save-status')).toHaveText('All changes saved');
}

test('scheduling actions choose a workflow and give its parameters; the test panel runs later', async ({ page }, testInfo) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await signIn(page);

  // The target: a required number and a required text.
  await createWorkflow(page, TARGET);
  await page.getByTestId('node-event').click();
  await addParameter(page, 'amount', 'number');
  await addParameter(page, 'customer', 'text');
  await saved(page);
  const targetUrl = page.url();

  await createWorkflow(page, MAIN);
  await page.getByTestId('node-event').click();
  await addParameter(page, 'customers', 'text', true);

  // Schedule API workflow: choose the target, then each parameter's value.
  await page.getByRole('button', { name: 'Add Schedule API workflow', exact: true }).click();
  const schedule = canvasNode(page, 'Schedule API workflow').first();
  await expect(schedule).toContainText('Which workflow?');
  await page.getByLabel('Workflow', { exact: true }).selectOption({ label: TARGET });
  await expect(schedule).toContainText(`Schedules ${TARGET} at now`);
  const amount = page.getByRole('textbox', { name: /^amount number · required/ });
  await expect(page.getByText(`"amount" is required by ${TARGET}`).first()).toBeVisible();
  await expect(schedule).toContainText('Parameters › amount');
  await amount.fill('12');
  await page.getByRole('textbox', { name: /^customer text · required/ }).fill('"ada"');
  await expect(page.getByText(`"amount" is required by ${TARGET}`)).toHaveCount(0);
  await expect(schedule).not.toHaveClass(/has-error/);
  // The value is an expression field: the names it may use are listed under it.
  await amount.focus();
  await expect(page.getByLabel('Available names').getByRole('button', { name: 'customers' })).toBeVisible();
  await page.locator('.side-panel').screenshot({ path: testInfo.outputPath('schedule-workflow.png') });

  // On a list: each item goes to one parameter; the others are the same for every item.
  await page.getByRole('button', { name: 'Add Schedule API workflow on a list', exact: true }).click();
  const onList = canvasNode(page, 'Schedule API workflow on a list');
  await expect(page.getByLabel('Each item goes to')).toBeDisabled();
  await page.getByLabel('Workflow', { exact: true }).selectOption({ label: TARGET });
  await page.getByLabel('List', { exact: true }).fill('customers');
  await page.getByLabel('Each item goes to').selectOption({ label: 'customer · text' });
  await expect(page.getByRole('textbox', { name: /^customer text/ })).toHaveCount(0);
  await page.getByRole('textbox', { name: /^amount number · required/ }).fill('1');
  await page.getByLabel('One after another, in list order').check();
  await expect(onList).toContainText(`Runs ${TARGET} for each of customers, in order`);
  await expect(onList).not.toHaveClass(/has-error/);
  await page.locator('.side-panel').screenshot({ path: testInfo.outputPath('schedule-on-a-list.png') });

  // The event's time zone: a run setting, undoable like the others.
  await page.getByTestId('node-event').click();
  const zone = page.getByLabel('Time zone');
  await expect(zone).toHaveValue('');
  await zone.selectOption('Europe/Paris');
  await page.keyboard.press('Control+z');
  await expect(zone).toHaveValue('');
  await page.keyboard.press('Control+Shift+z');
  await expect(zone).toHaveValue('Europe/Paris');
  await saved(page);
  // The server compiled the same workflow with the same catalog: no problems either.
  await expect(page.getByRole('button', { name: /error/ })).toHaveCount(0);

  // Run later: the target's saved draft, scheduled from its test panel.
  await page.goto(targetUrl);
  await openTab(page, 'Test');
  await page.getByRole('spinbutton', { name: /^amount\b/ }).fill('3');
  await page.getByRole('textbox', { name: /^customer\b/ }).fill('ada');
  await page.getByRole('radio', { name: /Run later/ }).check();
  const at = new Date(Date.now() + 2 * 24 * 3600 * 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  await page.getByLabel(/^Run at/).fill(`${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T09:30`);
  await page.getByRole('button', { name: 'Schedule run' }).click();
  const result = page.getByRole('region', { name: 'Scheduled run' });
  await expect(result).toContainText('Scheduled for');
  await expect(result.getByRole('link', { name: 'Open the Scheduler' })).toHaveAttribute('href', '/scheduler');
  await page.locator('.side-panel').screenshot({ path: testInfo.outputPath('run-later.png') });
  const runHref = await result.getByRole('link', { name: /View run/ }).getAttribute('href');
  const runId = runHref!.split('/').pop()!;

  // The builder finds it in the Scheduler page, pending, and cancels it there.
  await result.getByRole('link', { name: 'Open the Scheduler' }).click();
  await expect(page).toHaveURL(/\/scheduler$/);
  const row = page.locator(`tr[data-run-id="${runId}"]`);
  await expect(row).toBeVisible();
  await row.getByRole('button', { name: /^Cancel/ }).click();
  await expect(row).toHaveCount(0);
  await page.goto(runHref!);
  await expect(page).toHaveURL(/\/runs\/[\w-]+$/);
  await expect(page.getByText(/cancelled/i).first()).toBeVisible();

  expect(pageErrors).toEqual([]);
});
