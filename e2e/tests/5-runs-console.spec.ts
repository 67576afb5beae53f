import { type APIRequestContext, type Locator, type Page, expect, test } from '@playwright/test';
import { signIn, trpc } from './session.ts';

// The runs console: filters kept in the URL, live updates that keep loaded pages, keyset paging,
// and a failed run's detail with its timeline folded and "Jump to first failure".

/** Names unique to this run of the spec, so it also passes against a server that has run it before. */
const suffix = Date.now().toString(36);
const names = {
  ok: `console-ok-${suffix}`,
  divide: `console-divide-${suffix}`,
  onlyWhen: `console-only-${suffix}`,
  long: `console-long-${suffix}`,
  slow: `console-slow-${suffix}`,
};

interface NodeSpec {
  id: string;
  action: Record<string, unknown>;
}

/** A saved draft: an event with an `amount` number parameter, then the actions in a chain. */
async function createWorkflow(
  request: APIRequestContext,
  name: string,
  actions: NodeSpec[],
  { onlyWhen, mode }: { onlyWhen?: string; mode?: 'sync' | 'async' } = {},
) {
  const { id } = await trpc<{ id: string }>(request, 'workflow.create', { name, label: '' });
  const graph = {
    schemaVersion: 2,
    nodes: [
      {
        id: 'event',
        type: 'apiEvent',
        position: { x: 0, y: 0 },
        data: {
          parameters: [{ id: 'p_amount', key: 'amount', type: 'number', list: false, optional: false }],
          ...(onlyWhen && { onlyWhen }),
          ...(mode && { settings: { mode } }),
        },
      },
      ...actions.map((node, i) => ({ id: node.id, type: 'action', position: { x: 0, y: 150 * (i + 1) }, data: { action: node.action } })),
    ],
    edges: actions.map((node, i) => ({ id: `e_${i}`, source: i === 0 ? 'event' : actions[i - 1]!.id, target: node.id })),
  };
  await trpc(request, 'workflow.save', { id, graph });
  return id;
}

const log = (id: string, message: string): NodeSpec => ({ id, action: { type: 'log', message } });

async function call(request: APIRequestContext, name: string, amount: number, times = 1) {
  const statuses = await Promise.all(
    Array.from({ length: times }, () => request.post(`/version-test/api/1.1/wf/${name}`, { data: { amount } }).then((r) => r.status())),
  );
  return statuses;
}

const runRows = (page: Page) => page.locator('tbody tr.run-row');

/** Makes the page believe its tab was hidden or shown again (as switching tabs does). */
async function setHidden(page: Page, hidden: boolean) {
  await page.evaluate((value) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (value ? 'hidden' : 'visible') });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => value });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

async function expectAllStatuses(rows: Locator, status: string) {
  const count = await rows.count();
  for (let i = 0; i < count; i += 1) await expect(rows.nth(i).locator('.cell-status .status')).toHaveText(status);
}

test('the runs console filters, updates live, pages, and opens a failed run at its failure', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  await signIn(page);
  const request = page.request;

  // Runs of every kind the API can make: succeeded, failed (division by zero), skipped ("Only when").
  await createWorkflow(request, names.ok, [
    log('log', 'Charging {{amount}}'),
    { id: 'ret', action: { type: 'returnData', entries: [{ id: 'k1', key: 'doubled', value: '{{amount * 2}}' }] } },
  ]);
  const divideId = await createWorkflow(request, names.divide, [log('log', 'Share: {{100 / amount}}')]);
  await createWorkflow(request, names.onlyWhen, [log('log', 'Big: {{amount}}')], { onlyWhen: 'amount > 10' });
  // "Respond at once" (202), then a Wait step keeps the run going for 3 s.
  await createWorkflow(request, names.slow, [{ id: 'wait', action: { type: 'wait', seconds: '3' } }, log('log', 'Done {{amount}}')], {
    mode: 'async',
  });
  // A long run: 24 steps that pass, the 25th divides by zero.
  await createWorkflow(request, names.long, [
    ...Array.from({ length: 24 }, (_, i) => log(`s${i + 1}`, `Step ${i + 1} of {{amount}}`)),
    log('s25', 'Boom: {{100 / amount}}'),
  ]);

  // Runs created in batches so the keyset pages are full: 55 successes.
  for (let i = 0; i < 5; i += 1) expect(await call(request, names.ok, 2, 11)).toEqual(Array(11).fill(200));
  expect(await call(request, names.divide, 0, 2)).toEqual([500, 500]);
  expect(await call(request, names.onlyWhen, 1)).toEqual([400]);
  expect(await call(request, names.long, 0)).toEqual([500]);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Runs' }).click();
  await expect(page).toHaveURL(/\/runs$/);
  await expect(page.getByTestId('live-indicator')).toHaveText('Live');
  await expect(runRows(page)).toHaveCount(50);
  await expect(runRows(page).first()).toContainText(names.long);
  await expect(runRows(page).first().locator('.cell-status')).toContainText('Failed');
  await page.screenshot({ path: testInfo.outputPath('runs-list.png') });

  // A hidden tab stops polling; showing it again resumes at once.
  let listCalls = 0;
  page.on('request', (r) => {
    if (r.url().includes('run.list')) listCalls += 1;
  });
  await setHidden(page, true);
  await expect(page.getByTestId('live-indicator')).toHaveText('Paused');
  listCalls = 0;
  await page.waitForTimeout(6_000);
  expect(listCalls).toBe(0);
  await setHidden(page, false);
  await expect(page.getByTestId('live-indicator')).toHaveText('Live');
  await expect.poll(() => listCalls).toBeGreaterThan(0);

  // Status filter: only failed runs (other journeys may have made some too); the URL holds it.
  await page.getByRole('group', { name: 'Status' }).getByText('Failed').click();
  await expect(page).toHaveURL(/status=failed/);
  await expect(runRows(page).filter({ hasText: names.ok })).toHaveCount(0);
  await expect(runRows(page).filter({ hasText: names.divide })).toHaveCount(2);
  await expect(runRows(page).filter({ hasText: names.long })).toHaveCount(1);
  await expectAllStatuses(runRows(page), 'Failed');

  // ... and one workflow.
  await page.getByLabel('Workflow').selectOption({ label: names.divide });
  await expect(page).toHaveURL(new RegExp(`workflow=${divideId}`));
  await expect(runRows(page)).toHaveCount(2);
  await expect(runRows(page).first().locator('.cell-error')).toContainText('Message: Division by zero');
  await page.screenshot({ path: testInfo.outputPath('runs-filtered.png') });

  // The filtered view survives a reload, and a new matching run appears by itself.
  await page.reload();
  await expect(page.getByLabel('Workflow')).toHaveValue(divideId);
  await expect(page.getByRole('checkbox', { name: 'Failed' })).toBeChecked();
  await expect(runRows(page)).toHaveCount(2);
  expect(await call(request, names.divide, 0)).toEqual([500]);
  await expect(runRows(page)).toHaveCount(3, { timeout: 8_000 });

  // A filter that matches nothing says so, and clearing filters brings everything back.
  await page.getByRole('checkbox', { name: 'Failed' }).uncheck();
  await page.getByRole('checkbox', { name: 'Cancelled' }).check();
  await expect(page.getByRole('heading', { name: 'No matching runs' })).toBeVisible();
  await expect(page.getByText(`There are no cancelled runs of “${names.divide}”`)).toBeVisible();
  await page.getByRole('button', { name: 'Clear filters' }).first().click();
  await expect(page).toHaveURL(/\/runs$/);
  await expect(runRows(page)).toHaveCount(50);

  // The skipped run ("Only when" was false).
  await page.getByRole('checkbox', { name: 'Skipped' }).check();
  await expect(runRows(page).filter({ hasText: names.onlyWhen })).toHaveCount(1);
  await expectAllStatuses(runRows(page), 'Skipped');
  await page.getByRole('checkbox', { name: 'Skipped' }).uncheck();

  // Keyset paging: 55 runs of one workflow, 50 a page; new runs join without dropping the loaded page.
  await page.getByLabel('Workflow').selectOption({ label: names.ok });
  await expect(runRows(page)).toHaveCount(50);
  await page.getByRole('button', { name: 'Load more' }).click();
  await expect(runRows(page)).toHaveCount(55);
  await expect(page.getByText('55 runs shown · the oldest run is loaded')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Load more' })).toHaveCount(0);
  await page.mouse.wheel(0, 2000);
  const scrolled = await page.evaluate(() => window.scrollY);
  expect(scrolled).toBeGreaterThan(0);
  expect(await call(request, names.ok, 3, 2)).toEqual([200, 200]);
  await expect(runRows(page)).toHaveCount(57, { timeout: 8_000 });
  // The rows the person was looking at stay where they were (the browser's scroll anchoring).
  expect(await page.evaluate(() => window.scrollY)).toBeGreaterThanOrEqual(scrolled);

  // More new runs than one page while the tab was hidden: a gap row marks where runs are missing,
  // and loading it fills the list without losing the pages below.
  await setHidden(page, true);
  for (let i = 0; i < 5; i += 1) expect(await call(request, names.ok, 4, 12)).toEqual(Array(12).fill(200));
  await setHidden(page, false);
  const gap = page.getByRole('button', { name: 'Load the runs in between' });
  await expect(gap).toBeVisible();
  await expect(runRows(page)).toHaveCount(57 + 50);
  await gap.scrollIntoViewIfNeeded();
  await page.screenshot({ path: testInfo.outputPath('runs-gap.png') });
  await gap.click();
  await expect(gap).toHaveCount(0);
  await expect(runRows(page)).toHaveCount(57 + 60);
  await expect(page.getByText('117 runs shown · the oldest run is loaded')).toBeVisible();
  const ids = await runRows(page).getByRole('link').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
  expect(new Set(ids).size).toBe(117);

  // A run in flight shows as running, with its time so far, and turns succeeded by itself.
  const accepted = await request.post(`/version-test/api/1.1/wf/${names.slow}`, { data: { amount: 1 } });
  expect(accepted.status()).toBe(202);
  await page.getByLabel('Workflow').selectOption({ label: names.slow });
  const inFlight = runRows(page).first();
  await expect(inFlight.locator('.cell-status')).toContainText(/Queued|Running/);
  await expect(inFlight.locator('.cell-duration')).toContainText(/waiting|running/);
  await expect(inFlight.locator('.cell-status')).toContainText('Succeeded', { timeout: 10_000 });
  // Its detail refreshes too, from running to succeeded with its steps.
  const second = await request.post(`/version-test/api/1.1/wf/${names.slow}`, { data: { amount: 2 } });
  await page.goto(`/runs/${second.headers()['x-switchyard-run-id']}`);
  await expect(page.getByRole('heading', { level: 1 })).toContainText(/Queued|Running/);
  await expect(page.locator('.fact').filter({ hasText: 'Trigger' })).toContainText('Async: answered 202 at once');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Succeeded', { timeout: 10_000 });
  await expect(page.locator('.timeline-item')).toHaveCount(2);
  await expect(page.locator('.timeline-item').first()).toContainText(/3\.\d\d s/);
  await page.goBack();

  // Open the long failed run with the keyboard.
  await page.getByLabel('Workflow').selectOption({ label: names.long });
  await expect(runRows(page)).toHaveCount(1);
  await runRows(page).first().getByRole('link').focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/runs\/[\w-]+$/);
  await expect(page.getByRole('heading', { level: 1 })).toContainText(names.long);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Failed');
  await expect(page.getByRole('alert').filter({ hasText: 'Error' })).toContainText('Division by zero');
  await expect(page.locator('.fact').filter({ hasText: 'Attempts' })).toContainText('1 of');
  await expect(page.locator('.fact').filter({ hasText: 'Retention' })).toContainText(/Deleted on .+ \(retention\)/);
  // 25 steps: the middle is folded, the failure stays in view.
  await expect(page.locator('.timeline-item')).toHaveCount(13);
  await expect(page.getByRole('button', { name: /Show 12 more steps/ })).toBeVisible();
  await page.getByRole('button', { name: 'Jump to first failure' }).click();
  const failed = page.locator('.timeline-item.step-failed');
  await expect(failed).toBeFocused();
  await expect(failed).toBeInViewport();
  await expect(failed).toContainText('Message: Division by zero');
  // Inputs and outputs are folded until asked for.
  const before = page.locator('.timeline-item.step-succeeded').last();
  await expect(before.locator('.json')).toHaveCount(0);
  await before.getByRole('button', { name: 'Output' }).click();
  await expect(before.locator('.json')).toContainText('"message": "Step 24 of 0"');
  await page.screenshot({ path: testInfo.outputPath('run-detail-failed.png'), fullPage: true });
  await page.getByRole('button', { name: /Show 12 more steps/ }).click();
  await expect(page.locator('.timeline-item')).toHaveCount(25);

  // A narrow window: the list stacks its rows; filters and rows stay usable.
  await page.setViewportSize({ width: 800, height: 900 });
  await page.goto('/runs?status=failed,succeeded');
  await expect(runRows(page).first()).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.screenshot({ path: testInfo.outputPath('runs-narrow.png') });
  await runRows(page).first().click();
  await expect(page).toHaveURL(/\/runs\/[\w-]+$/);
  await page.screenshot({ path: testInfo.outputPath('run-detail-narrow.png'), fullPage: true });
});
