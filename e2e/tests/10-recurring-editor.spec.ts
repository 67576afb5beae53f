import { type Page, expect, test } from '@playwright/test';
import { createWorkflow, openTab, signIn } from './session.ts';

// The editor's side of recurring jobs: a builder makes a new workflow recurring from the palette
// (its parameter and the condition using it would break, so it asks first; undo brings them back),
// types a cron expression that is wrong and reads why under the field, fixes it and watches the
// next five fire times follow each keystroke, picks a time zone and the missed-runs policy, saves,
// and finds it all again after a reload. The test endpoint still runs its draft.

/** Names unique to this run of the spec, so it also passes against a server that has run it before. */
const suffix = Date.now().toString(36);
const NAME = `nightly-report-${suffix}`;

async function saved(page: Page) {
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByTestId('save-status')).toHaveText('All changes saved');
}

/** The fire times the preview lists, as shown (first column: the schedule's zone). */
async function fireTimes(page: Page): Promise<string[]> {
  return page.getByTestId('fire-time').locator('td:first-child').allInnerTexts();
}

test('a builder switches a workflow to Recurring, fixes a cron expression from its explanation and sees the next fire times', async ({ page }, testInfo) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await signIn(page);
  await createWorkflow(page, NAME);
  const event = page.getByTestId('node-event');
  await expect(event).toContainText('API workflow');

  // An API event with a parameter that its condition uses.
  await event.click();
  await page.getByRole('button', { name: 'Add parameter' }).click();
  await page.getByLabel('Key', { exact: true }).fill('amount');
  await page.getByLabel('Type', { exact: true }).selectOption('number');
  await page.getByLabel('Only when').fill('amount > 0');

  // The palette offers both events; the current one is pressed.
  const palette = page.getByRole('complementary', { name: 'Palette' });
  const api = palette.getByRole('button', { name: 'API workflow', exact: true });
  const recurring = palette.getByRole('button', { name: 'Recurring', exact: true });
  await expect(api).toHaveAttribute('aria-pressed', 'true');
  await expect(recurring).toHaveAttribute('aria-pressed', 'false');

  // Switching asks first, from the keyboard too, and says what breaks; Escape keeps the API event.
  await recurring.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Switch to a Recurring event?' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('amount');
  await expect(dialog).toContainText('API workflow · Only when');
  await page.screenshot({ path: testInfo.outputPath('switch-confirmation.png') });
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(event).toContainText('API workflow');

  await recurring.click();
  await dialog.getByRole('button', { name: 'Switch to Recurring' }).click();
  await expect(event).toContainText('Recurring');
  await expect(recurring).toHaveAttribute('aria-pressed', 'true');
  // The same node: its condition now names a parameter that no longer exists.
  await expect(page.getByLabel('Only when')).toHaveValue('amount > 0');
  await expect(page.getByText('Unknown name "amount"').first()).toBeVisible();
  await expect(page.getByRole('note', { name: 'Recurring jobs' }).getByRole('link', { name: 'Recurring jobs' })).toHaveAttribute('href', '/recurring');
  // No live endpoint for a recurring job.
  await expect(page.getByLabel('Endpoints')).toContainText('No endpoint: runs on its schedule');

  // One undo step back to the API event with its parameter, and redo.
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(event).toContainText('API workflow');
  await expect(event).toContainText('amount');
  await expect(page.getByText('Unknown name "amount"')).toHaveCount(0);
  await page.getByRole('button', { name: 'Redo' }).click();
  await expect(event).toContainText('Recurring');
  await page.getByLabel('Only when').fill('');
  await expect(event).not.toHaveClass(/has-error/);

  // A bad cron expression is explained under the field, and the preview waits for it.
  const cron = page.getByRole('textbox', { name: 'Cron expression' });
  await expect(cron).toHaveValue('0 0 3 * * *');
  await expect(page.getByTestId('fire-time')).toHaveCount(5);
  await cron.fill('0 0 25 * * *');
  await expect(cron).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('The hour field "25" must be 0–23').first()).toBeVisible();
  await expect(page.getByRole('region', { name: 'Schedule preview' })).toContainText('No preview until the cron expression is fixed');
  await expect(event).toHaveClass(/has-error/);
  await expect(event).toContainText('Cron expression: The hour field "25" must be 0–23');
  await page.locator('.side-panel').screenshot({ path: testInfo.outputPath('cron-invalid.png') });

  // Fixed one keystroke at a time: the fire times follow.
  await cron.fill('');
  await expect(page.getByText('Enter a cron expression').first()).toBeVisible();
  await cron.pressSequentially('0 30 9 * * MON-FRI');
  await expect(cron).not.toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('schedule-words')).toContainText('Every weekday at 09:30');
  await expect(page.getByTestId('fire-time')).toHaveCount(5);
  const weekdays = await fireTimes(page);
  for (const time of weekdays) expect(time).toMatch(/09:30/);
  expect(weekdays.join(' ')).not.toMatch(/Sat|Sun/);
  await cron.fill('0 0 */6 * * *');
  await expect(page.getByTestId('schedule-words')).toContainText('Every 6 hours at :00');
  await expect.poll(() => fireTimes(page)).not.toEqual(weekdays);
  await cron.fill('0 30 9 * * MON-FRI');

  // The schedule's own zone, and the missed-runs policy.
  await page.getByLabel('Time zone', { exact: true }).selectOption('Asia/Tokyo');
  await expect(page.getByTestId('schedule-words')).toContainText('Every weekday at 09:30, Asia/Tokyo');
  await expect(page.getByRole('table', { name: 'Next fire times' })).toContainText('Asia/Tokyo');
  await expect(page.getByRole('radio', { name: /Run once for all missed/ })).toBeChecked();
  await page.getByRole('radio', { name: /^Skip/ }).check();
  await expect(event).toContainText('every weekday at 09:30, Asia/Tokyo');
  await page.locator('.side-panel').screenshot({ path: testInfo.outputPath('cron-valid.png') });

  // Saved: the server compiles it without a problem, and it is all there after a reload.
  await saved(page);
  await expect(page.getByRole('button', { name: /error/ })).toHaveCount(0);
  await page.reload();
  await page.getByTestId('node-event').click();
  await expect(page.getByRole('textbox', { name: 'Cron expression' })).toHaveValue('0 30 9 * * MON-FRI');
  await expect(page.getByLabel('Time zone', { exact: true })).toHaveValue('Asia/Tokyo');
  await expect(page.getByRole('radio', { name: /^Skip/ })).toBeChecked();
  await expect(page.getByTestId('fire-time')).toHaveCount(5);

  // Its draft can still be run from the Test tab: it has no parameters.
  await openTab(page, 'Test');
  await expect(page.getByText('This workflow has no parameters.')).toBeVisible();
  await page.getByRole('button', { name: 'Run draft' }).click();
  await expect(page.getByRole('region', { name: 'Test result' })).toContainText('200');

  // The Recurring jobs page (when this build has it) lists the job.
  await page.goto('/recurring');
  const listed = await page
    .getByRole('heading', { name: 'Recurring jobs' })
    .first()
    .waitFor({ timeout: 5_000 })
    .then(
      () => true,
      () => false,
    );
  if (listed) await expect(page.getByText(NAME).first()).toBeVisible();

  expect(pageErrors).toEqual([]);
});
