import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type APIRequestContext, type Page, type TestInfo, expect, test } from '@playwright/test';
import { createUser, signIn, signedIn, trpc, trpcQuery } from './session.ts';

// The Scheduler page: a builder schedules runs for later over HTTP, sees them in due order and
// cancels one; an admin pauses and resumes the draft scheduler, sets the chain depth limit and
// cancels everything; a viewer sees the state but no control works for them.

/** Names unique to this run of the spec, so it also passes against a server that has run it before. */
const suffix = Date.now().toString(36);
const BUILDER = { email: `sched-builder-${suffix}@example.com`, password: 'builder password 123' };
const VIEWER = { email: `sched-viewer-${suffix}@example.com`, password: 'viewer password 123' };
const names = { target: `sched-target-${suffix}`, chainer: `sched-chainer-${suffix}` };
const DAY = 24 * 3600 * 1000;





/** A saved draft: an event with an `amount` number and a `note` text, then the given actions. */
async function createWorkflow(request: APIRequestContext, name: string, actions: { id: string; action: Record<string, unknown> }[]) {
  const { id } = await trpc<{ id: string }>(request, 'workflow.create', { name, label: '' });
  const graph = {
    schemaVersion: 2,
    nodes: [
      {
        id: 'event',
        type: 'apiEvent',
        position: { x: 0, y: 0 },
        data: {
          parameters: [
            { id: 'p_amount', key: 'amount', type: 'number', list: false, optional: false },
            { id: 'p_note', key: 'note', type: 'text', list: false, optional: true },
          ],
        },
      },
      ...actions.map((node, i) => ({ id: node.id, type: 'action', position: { x: 0, y: 150 * (i + 1) }, data: { action: node.action } })),
    ],
    edges: actions.map((node, i) => ({ id: `e_${i}`, source: i === 0 ? 'event' : actions[i - 1]!.id, target: node.id })),
  };
  await trpc(request, 'workflow.save', { id, graph });
  return id;
}

/** Screenshots go to SCHEDULER_SHOTS when set (for a person to look at), else to the test's output. */
function shot(testInfo: TestInfo, name: string): string {
  const dir = process.env.SCHEDULER_SHOTS;
  if (!dir) return testInfo.outputPath(name);
  mkdirSync(dir, { recursive: true });
  return path.join(dir, name);
}

const rows = (page: Page) => page.locator('tbody tr.pending-row');
const nav = (page: Page) => page.getByRole('navigation', { name: 'Main' });

test('the scheduler lists pending runs in due order; builders cancel, admins pause and cancel all, viewers look', async ({ page, browser }, testInfo) => {
  test.setTimeout(120_000);
  await signIn(page);
  createUser(BUILDER, 'builder');
  createUser(VIEWER, 'viewer');

  // --- the builder schedules runs for later over HTTP and finds them on the Scheduler page
  const builder = await signedIn(browser, BUILDER);
  const targetId = await createWorkflow(builder.request, names.target, [{ id: 'log', action: { type: 'log', message: 'Amount {{amount}}' } }]);
  // A workflow whose step schedules the target two days ahead (scheduled by a run, one deep in a chain).
  await createWorkflow(builder.request, names.chainer, [
    {
      id: 'sched',
      action: { type: 'scheduleWorkflow', workflowId: targetId, parameters: { p_amount: 'amount + 1', p_note: '"from a step"' }, scheduledDate: 'addDays(now, 2)' },
    },
  ]);

  const tomorrow = new Date(Date.now() + DAY);
  const later = new Date(Date.now() + 3 * DAY);
  const scheduled: string[] = [];
  for (const [date, amount] of [
    [later, 3],
    [tomorrow, 42],
  ] as const) {
    const response = await builder.request.post(`/version-test/api/1.1/wf/${names.target}/schedule`, {
      data: { scheduled_date: date.toISOString(), parameters: { amount, note: 'a note that is long enough to be cut off in a narrow column of the table' } },
    });
    expect(response.status(), await response.text()).toBe(200);
    scheduled.push(((await response.json()) as { response: { run_id: string } }).response.run_id);
  }
  const [laterRunId, tomorrowRunId] = scheduled as [string, string];
  expect((await builder.request.post(`/version-test/api/1.1/wf/${names.chainer}`, { data: { amount: 7 } })).status()).toBe(200);
  // And one from the console (scheduled by the builder's email), due in two and a half days.
  const fromConsole = await builder.request.post('/trpc/scheduler.schedule', {
    data: {
      json: { environment: 'draft', workflowId: targetId, runAt: new Date(Date.now() + 2.5 * DAY).toISOString(), parameters: { amount: 5 } },
      meta: { values: { runAt: ['Date'] } },
    },
  });
  expect(fromConsole.ok(), await fromConsole.text()).toBe(true);

  await nav(builder).getByRole('link', { name: 'Scheduler' }).click();
  await expect(builder).toHaveURL(/\/scheduler$/);
  await expect(builder.getByRole('link', { name: /Draft \(test\)/ })).toHaveAttribute('aria-current', 'page');
  await builder.getByLabel('Workflow').selectOption({ label: names.target });
  await expect(builder).toHaveURL(new RegExp(`env=draft&workflow=${targetId}`));
  await expect(rows(builder)).toHaveCount(4);
  await expect(builder.getByTestId('live-indicator')).toHaveText('Live');

  // Due order: tomorrow's run (from the API), the chained run (in two days), the console's, the API's in three days.
  const first = rows(builder).nth(0);
  await expect(first).toHaveAttribute('data-run-id', tomorrowRunId);
  await expect(first.locator('.cell-workflow')).toHaveText(names.target);
  await expect(first.locator('.cell-workflow a')).toHaveAttribute('href', `/workflows/${targetId}`);
  await expect(first.locator('.cell-due time')).toHaveAttribute('datetime', tomorrow.toISOString());
  await expect(first.locator('.cell-due a')).toHaveAttribute('href', `/runs/${tomorrowRunId}`);
  await expect(first.locator('.cell-due a')).toContainText(/tomorrow|in \d+ hours/);
  await expect(first.locator('.cell-params')).toContainText('"amount":42');
  await expect(first.locator('.cell-by')).toHaveText('API');
  await expect(first.locator('.cell-pinned')).toHaveText(/^draft rev \d+$/);
  const chained = rows(builder).nth(1);
  await expect(chained.locator('.cell-params')).toContainText('"amount":8');
  await expect(chained.locator('.cell-by')).toContainText('run');
  await expect(chained.locator('.cell-by a')).toHaveAttribute('href', /^\/runs\/[\w-]+$/);
  await expect(chained.locator('.cell-chain')).toHaveText('1');
  await expect(rows(builder).nth(2).locator('.cell-by')).toHaveText(BUILDER.email);
  await expect(rows(builder).nth(3)).toHaveAttribute('data-run-id', laterRunId);
  await expect(builder.getByTestId('page-range')).toHaveText('Showing 1–4');

  // A builder cancels runs, but neither pauses nor cancels everything.
  await expect(builder.getByRole('button', { name: 'Pause' })).toBeDisabled();
  await expect(builder.getByRole('button', { name: 'Pause' })).toHaveAttribute('title', 'Only admins can pause or resume the scheduler');
  await expect(builder.getByRole('button', { name: 'Cancel all…' })).toHaveCount(0);
  await builder.setViewportSize({ width: 1280, height: 900 });
  await builder.screenshot({ path: shot(testInfo, 'scheduler-rows.png'), fullPage: true });

  await first.getByRole('button', { name: /^Cancel/ }).click();
  await expect(builder.locator(`tr[data-run-id="${tomorrowRunId}"]`)).toHaveCount(0);
  await expect(rows(builder)).toHaveCount(3);
  await expect(builder.getByRole('status').filter({ hasText: `Cancelled the run of ${names.target}` })).toBeVisible();
  // Gone for good: the next refresh does not bring it back, and its run says cancelled.
  await builder.waitForTimeout(3_000);
  await expect(rows(builder)).toHaveCount(3);
  const cancelled = await trpcQuery<{ status: string }>(builder.request, 'run.byId', { id: tomorrowRunId });
  expect(cancelled.status).toBe('cancelled');

  // A narrow window: the rows become cards, nothing spills sideways.
  await builder.getByRole('button', { name: 'Dismiss' }).click();
  await builder.setViewportSize({ width: 420, height: 900 });
  await expect(rows(builder).first().locator('.cell-workflow')).toBeVisible();
  expect(await builder.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(420);
  await builder.screenshot({ path: shot(testInfo, 'scheduler-narrow-420.png'), fullPage: true });
  await builder.setViewportSize({ width: 1280, height: 900 });

  // A row opens its run.
  await rows(builder).first().locator('.cell-params').click();
  await expect(builder).toHaveURL(/\/runs\/[\w-]+$/);
  await builder.goBack();
  await expect(rows(builder)).toHaveCount(3);

  // --- the admin pauses draft and resumes it, sets the chain depth limit, then cancels everything
  await page.goto(`/scheduler?env=draft&workflow=${targetId}`);
  await expect(rows(page)).toHaveCount(3);
  await expect(page.getByTestId('scheduler-state')).toHaveText('Running');
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByTestId('scheduler-state')).toHaveText('Paused');
  await expect(page.getByText('The draft scheduler is paused')).toBeVisible();
  await expect(page.getByRole('link', { name: /Draft \(test\)/ })).toContainText('paused');
  await expect(page.locator('.strip-changed')).toContainText(`by ${'admin@example.com'}`);
  // The builder's page picks it up by itself.
  await expect(builder.getByTestId('scheduler-state')).toHaveText('Paused', { timeout: 8_000 });
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect(page.getByTestId('scheduler-state')).toHaveText('Running');
  await expect(page.getByText('The draft scheduler is paused')).toHaveCount(0);

  const limit = page.getByLabel('Chain depth limit');
  await limit.fill('0');
  await expect(page.getByText('A whole number from 1 to')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Save' })).toBeDisabled();
  await limit.fill('25');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Chain depth limit set to 25' })).toBeVisible();
  await page.reload();
  await expect(page.getByLabel('Chain depth limit')).toHaveValue('25');

  // The live tab: its own queue, empty.
  await page.getByRole('link', { name: /^Live/ }).click();
  await expect(page).toHaveURL(/env=live/);
  await page.getByRole('button', { name: 'Clear filters' }).first().click();
  await expect(page.getByRole('heading', { name: 'Nothing scheduled in live.' })).toBeVisible();
  await expect(page.getByText('/api/1.1/wf/<name>/schedule')).toBeVisible();
  await page.screenshot({ path: shot(testInfo, 'scheduler-empty.png'), fullPage: true });

  // Keyset pages of 50: 53 runs of one workflow, due an hour apart.
  await page.getByRole('link', { name: /Draft \(test\)/ }).click();
  const statuses = await Promise.all(
    Array.from({ length: 53 }, (_, i) =>
      page.request
        .post(`/version-test/api/1.1/wf/${names.chainer}/schedule`, {
          data: { scheduled_date: new Date(Date.now() + (i + 1) * 3600_000).toISOString(), parameters: { amount: i } },
        })
        .then((r) => r.status()),
    ),
  );
  expect(statuses).toEqual(Array(53).fill(200));
  await page.getByLabel('Workflow').selectOption({ label: names.chainer });
  await expect(rows(page)).toHaveCount(50);
  await expect(page.getByTestId('page-range')).toHaveText('Showing 1–50');
  await page.getByRole('button', { name: 'Next page' }).click();
  await expect(rows(page)).toHaveCount(3);
  await expect(page.getByTestId('page-range')).toHaveText('Showing 51–53');
  await expect(rows(page).first().locator('.cell-params')).toContainText('"amount":50');
  await expect(page.getByRole('button', { name: 'Next page' })).toBeDisabled();
  await page.getByRole('button', { name: 'Previous page' }).click();
  await expect(rows(page)).toHaveCount(50);
  await expect(rows(page).first().locator('.cell-params')).toContainText('"amount":0');
  await expect(page.getByRole('button', { name: 'Previous page' })).toBeDisabled();
  await page.getByRole('button', { name: 'Clear filters' }).first().click();

  await page.getByRole('button', { name: 'Cancel all…' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText('Cancel every pending run in draft?');
  const confirm = dialog.getByRole('button', { name: 'Cancel all pending runs' });
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel('Type draft to confirm').fill('live');
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel('Type draft to confirm').fill('draft');
  await expect(confirm).toBeEnabled();
  await page.screenshot({ path: shot(testInfo, 'scheduler-cancel-all-dialog.png') });
  await confirm.click();
  await expect(dialog.getByTestId('cancel-all-result')).toHaveText(/^Cancelled \d+ runs?\.$/);
  await page.screenshot({ path: shot(testInfo, 'scheduler-cancel-all-done.png') });
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(page.getByRole('heading', { name: 'Nothing scheduled in draft.' })).toBeVisible();
  await expect(page.getByTestId('pending-count')).toHaveText('0');

  // --- a viewer sees the state and the limit, and no control
  const viewer = await signedIn(browser, VIEWER);
  const again = await page.request.post(`/version-test/api/1.1/wf/${names.target}/schedule`, {
    data: { scheduled_date: later.getTime(), parameters: { amount: 1 } },
  });
  expect(again.status()).toBe(200);
  const againId = ((await again.json()) as { response: { run_id: string } }).response.run_id;
  await viewer.goto('/scheduler');
  await expect(rows(viewer)).toHaveCount(1);
  await expect(viewer.getByRole('button', { name: 'Pause' })).toBeDisabled();
  await expect(viewer.getByRole('button', { name: /^Cancel/ })).toHaveCount(0);
  await expect(viewer.getByTestId('chain-depth-limit')).toHaveText('25');
  await expect(viewer.getByLabel('Chain depth limit')).toHaveCount(0);
  // The server refuses the viewer's cancel whatever the page shows.
  const refused = await viewer.request.post('/trpc/scheduler.cancel', { data: { json: { environment: 'draft', runId: againId } } });
  expect(refused.status()).toBe(403);
});
