import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type APIRequestContext, type Page, type TestInfo, expect, test } from '@playwright/test';
import { createUser, signIn, signedIn, trpc, trpcQuery } from './session.ts';

// A scheduled run's page tells its story: when it is due (and how late it started), who or what
// scheduled it (the API, a run, the recurring job, a batch), how deep in a chain of runs scheduling
// runs it is, and what it is pinned to. A builder cancels a pending run there, after confirming; a
// viewer gets no cancel button. Runs called directly show none of it.

/** Names unique to this run of the spec, so it also passes against a server that has run it before. */
const suffix = Date.now().toString(36);
const BUILDER = { email: `rd-builder-${suffix}@example.com`, password: 'builder password 123' };
const VIEWER = { email: `rd-viewer-${suffix}@example.com`, password: 'viewer password 123' };
const names = {
  target: `rd-target-${suffix}`,
  chainer: `rd-chainer-${suffix}`,
  recurring: `rd-every-second-${suffix}`,
  item: `rd-item-${suffix}`,
  fanOut: `rd-fan-out-${suffix}`,
};
const DAY = 24 * 3600 * 1000;
/** "tomorrow" or "in 24 hours": a day ahead, as the console words it (a few seconds under a day is hours). */
const ABOUT_A_DAY = /tomorrow|in 2[34] hours/;





type Param = { key: string; type: 'text' | 'number'; list?: boolean; optional?: boolean };
const apiEvent = (parameters: Param[]) => ({
  type: 'apiEvent',
  data: {
    parameters: parameters.map((p) => ({ id: `p_${p.key}`, key: p.key, type: p.type, list: p.list ?? false, optional: p.optional ?? false })),
  },
});

/** Saves a draft made of `event` followed by `actions` in a chain; returns the workflow's id. */
async function saveWorkflow(request: APIRequestContext, name: string, event: Record<string, unknown>, actions: { id: string; action: Record<string, unknown> }[]) {
  const { id } = await trpc<{ id: string }>(request, 'workflow.create', { name, label: '' });
  const graph = {
    schemaVersion: 2,
    nodes: [
      { id: 'event', position: { x: 0, y: 0 }, ...event },
      ...actions.map((node, i) => ({ id: node.id, type: 'action', position: { x: 0, y: 150 * (i + 1) }, data: { action: node.action } })),
    ],
    edges: actions.map((node, i) => ({ id: `e_${i}`, source: i === 0 ? 'event' : actions[i - 1]!.id, target: node.id })),
  };
  await trpc(request, 'workflow.save', { id, graph });
  return id;
}

/** The target: an `amount` number and an optional `note`, logged. */
const saveTarget = (request: APIRequestContext, name: string) =>
  saveWorkflow(request, name, apiEvent([{ key: 'amount', type: 'number' }, { key: 'note', type: 'text', optional: true }]), [
    { id: 'log', action: { type: 'log', message: 'Amount {{amount}}' } },
  ]);

/** Schedules a run of the draft of `name` over HTTP; returns its id. */
async function schedule(request: APIRequestContext, name: string, at: number, parameters: Record<string, unknown>): Promise<string> {
  const response = await request.post(`/version-test/api/1.1/wf/${name}/schedule`, { data: { scheduled_date: at, parameters } });
  expect(response.status(), await response.text()).toBe(200);
  return ((await response.json()) as { response: { run_id: string } }).response.run_id;
}

type RunRow = { id: string; status: string; trigger: string };
const runsOf = async (request: APIRequestContext, workflowId: string, trigger?: string) =>
  (await trpcQuery<{ items: RunRow[] }>(request, 'run.list', { workflowId, ...(trigger && { trigger }), limit: 50 })).items;

/** Screenshots go to RUN_DETAIL_SHOTS when set (for a person to look at), else to the test's output. */
function shot(testInfo: TestInfo, name: string): string {
  const dir = process.env.RUN_DETAIL_SHOTS;
  if (!dir) return testInfo.outputPath(name);
  mkdirSync(dir, { recursive: true });
  return path.join(dir, name);
}

const fact = (page: Page, id: string) => page.getByTestId(`fact-${id}`);
const statusBadge = (page: Page) => page.locator('.run-title .status');

test('a run scheduled over HTTP: pending, due in a day, by the API; a builder cancels it on its page, a viewer cannot', async ({ page, browser }, testInfo) => {
  test.setTimeout(90_000);
  await signIn(page);
  createUser(BUILDER, 'builder');
  createUser(VIEWER, 'viewer');
  const builder = await signedIn(browser, BUILDER);
  await saveTarget(builder.request, names.target);

  const dueAt = Date.now() + DAY;
  const runId = await schedule(builder.request, names.target, dueAt, { amount: 42, note: 'tomorrow' });

  // A viewer sees the story, but no cancel button.
  const viewer = await signedIn(browser, VIEWER);
  await viewer.goto(`/runs/${runId}`);
  await expect(statusBadge(viewer)).toHaveText('Pending');
  await expect(fact(viewer, 'scheduled-by')).toContainText('The API');
  await expect(viewer.getByRole('button', { name: /^Cancel/ })).toHaveCount(0);

  await builder.setViewportSize({ width: 1280, height: 900 });
  await builder.goto(`/runs/${runId}`);
  await expect(statusBadge(builder)).toHaveText('Pending');
  await expect(builder.getByRole('status').filter({ hasText: 'Pending until' })).toBeVisible();
  const due = fact(builder, 'due');
  await expect(due.locator('dt')).toHaveText('Due at');
  await expect(due.locator('time')).toHaveAttribute('datetime', new Date(dueAt).toISOString());
  await expect(due).toContainText('pending: starts');
  await expect(due).toContainText(ABOUT_A_DAY);
  await expect(fact(builder, 'scheduled-by')).toContainText('The API');
  await expect(fact(builder, 'environment')).toContainText(/Pinned to draft revision \d+/);
  await expect(fact(builder, 'chain-depth')).toHaveCount(0);
  await expect(fact(builder, 'started')).toHaveCount(0);
  await expect(builder.locator('.run-summary')).toContainText('Scheduled for a date');
  await builder.screenshot({ path: shot(testInfo, 'run-pending.png'), fullPage: true });

  // At 420 px nothing spills sideways.
  await builder.setViewportSize({ width: 420, height: 900 });
  await expect(builder.getByRole('button', { name: 'Cancel run…' })).toBeVisible();
  expect(await builder.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(420);
  await builder.screenshot({ path: shot(testInfo, 'run-pending-narrow-420.png'), fullPage: true });
  await builder.setViewportSize({ width: 1280, height: 900 });

  // Cancel, after confirming ("Keep it" first: nothing happens).
  await builder.getByRole('button', { name: 'Cancel run…' }).click();
  const dialog = builder.getByRole('dialog');
  await expect(dialog).toContainText('Cancel this run?');
  await expect(dialog).toContainText(`The run of ${names.target} due`);
  await dialog.getByRole('button', { name: 'Keep it' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(statusBadge(builder)).toHaveText('Pending');
  await builder.getByRole('button', { name: 'Cancel run…' }).click();
  await builder.screenshot({ path: shot(testInfo, 'run-cancel-dialog.png') });
  await dialog.getByRole('button', { name: 'Cancel run', exact: true }).click();
  await expect(dialog).toHaveCount(0);
  await expect(statusBadge(builder)).toHaveText('Cancelled');
  await expect(builder.getByRole('status').filter({ hasText: `Cancelled the run of ${names.target}` })).toBeVisible();
  await expect(builder.getByRole('note').filter({ hasText: `Cancelled by ${BUILDER.email}` })).toBeVisible();
  await expect(builder.getByRole('button', { name: 'Cancel run…' })).toHaveCount(0);
  await expect(fact(builder, 'due')).toContainText('cancelled before it started');
  await expect(builder.getByRole('heading', { name: 'No steps ran' })).toBeVisible();
  await expect(builder.getByText('It was cancelled before it started.')).toBeVisible();
  // The server agrees.
  expect((await trpcQuery<{ status: string }>(builder.request, 'run.byId', { id: runId })).status).toBe('cancelled');
  await builder.getByRole('button', { name: 'Dismiss' }).click();
  await builder.reload();
  await expect(statusBadge(builder)).toHaveText('Cancelled');
  await builder.screenshot({ path: shot(testInfo, 'run-cancelled.png'), fullPage: true });

  // A run cancelled elsewhere while the dialog is open: the server refuses, and the page says why.
  const other = await schedule(builder.request, names.target, Date.now() + 2 * DAY, { amount: 1 });
  await builder.goto(`/runs/${other}`);
  await builder.getByRole('button', { name: 'Cancel run…' }).click();
  expect((await builder.request.delete(`/version-test/api/1.1/scheduled/${other}`)).status()).toBe(200);
  await dialog.getByRole('button', { name: 'Cancel run', exact: true }).click();
  const refused = builder.locator('.run-cancel-error');
  await expect(refused).toContainText('Could not cancel this run: This run has already ended');
  await expect(statusBadge(builder)).toHaveText('Cancelled');
  await expect(builder.getByRole('note').filter({ hasText: 'Cancelled by api' })).toBeVisible();
  await builder.screenshot({ path: shot(testInfo, 'run-cancel-refused.png'), fullPage: true });
  await refused.getByRole('button', { name: 'Dismiss' }).click();
  await expect(refused).toHaveCount(0);
});

test('a run scheduled by a step links to the run that scheduled it and shows its chain depth; the parent, called directly, shows none of it', async ({
  page,
}, testInfo) => {
  await signIn(page);
  const targetId = await saveTarget(page.request, `${names.target}-chained`);
  await saveWorkflow(page.request, names.chainer, apiEvent([{ key: 'amount', type: 'number' }]), [
    {
      id: 'sched',
      action: { type: 'scheduleWorkflow', workflowId: targetId, parameters: { p_amount: 'amount + 1', p_note: '"from a step"' }, scheduledDate: 'addDays(now, 1)' },
    },
  ]);
  const call = await page.request.post(`/version-test/api/1.1/wf/${names.chainer}`, { data: { amount: 7 } });
  expect(call.status(), await call.text()).toBe(200);
  const parentId = call.headers()['x-switchyard-run-id']!;
  expect(parentId).toMatch(/^[\w-]+$/);
  const [child] = await runsOf(page.request, targetId);
  expect(child).toBeDefined();

  await page.goto(`/runs/${child!.id}`);
  await expect(statusBadge(page)).toHaveText('Pending');
  await expect(fact(page, 'due')).toContainText(ABOUT_A_DAY);
  const by = fact(page, 'scheduled-by');
  const parentLink = by.getByRole('link', { name: `run …${parentId.slice(-8)}` });
  await expect(parentLink).toHaveAttribute('href', `/runs/${parentId}`);
  await expect(fact(page, 'chain-depth').locator('dd')).toContainText('1');
  await expect(fact(page, 'chain-depth')).toContainText('Runs scheduled by runs; the environment’s limit stops runaway loops');
  await expect(page.locator('.io-grid')).toContainText('"from a step"');
  await page.screenshot({ path: shot(testInfo, 'run-scheduled-by-a-run.png'), fullPage: true });

  // The parent was called directly: no due time, no "scheduled by", no chain depth, no empty rows.
  await parentLink.click();
  await expect(page).toHaveURL(new RegExp(`/runs/${parentId}$`));
  await expect(statusBadge(page)).toHaveText('Succeeded');
  await expect(page.locator('.fact dt')).toHaveText(['Environment', 'Trigger', 'Created', 'Wait (queued → started)', 'Duration', 'Attempts', 'Retention']);
  await expect(fact(page, 'environment').locator('dd')).toHaveText(/^draft\s*Draft revision \d+$/);
  await expect(page.locator('.fact dd:empty')).toHaveCount(0);
});

test('a recurring run and a batch item say who scheduled them and how late they started', async ({ page }, testInfo) => {
  test.setTimeout(60_000);
  await signIn(page);

  // The recurring job, every second, switched on until its first run has ended.
  const recurringId = await saveWorkflow(
    page.request,
    names.recurring,
    { type: 'recurringEvent', data: { schedule: { kind: 'cron', cron: '* * * * * *', startAt: null, timeZone: null, missed: 'once' } } },
    [{ id: 'log', action: { type: 'log', message: 'tick' } }],
  );
  await trpc(page.request, 'recurring.setEnabled', { workflowId: recurringId, environment: 'draft', enabled: true });
  let tick: RunRow | undefined;
  await expect
    .poll(async () => {
      tick = (await runsOf(page.request, recurringId, 'recurring')).find((r) => r.status === 'succeeded');
      return tick?.status;
    })
    .toBe('succeeded');
  await trpc(page.request, 'recurring.setEnabled', { workflowId: recurringId, environment: 'draft', enabled: false });

  await page.goto(`/runs/${tick!.id}`);
  await expect(statusBadge(page)).toHaveText('Succeeded');
  await expect(fact(page, 'scheduled-by').getByRole('link', { name: 'The recurring job' })).toHaveAttribute('href', '/recurring');
  await expect(fact(page, 'due').locator('dt')).toHaveText('Due at');
  await expect(fact(page, 'started')).toContainText(/started (.+ (after|before) it was due|when it was due)/);
  await expect(page.locator('.run-summary')).toContainText('A recurring job');
  await page.screenshot({ path: shot(testInfo, 'run-recurring.png'), fullPage: true });

  // A list scheduled one run per item, now: each item says which one it is, and links to the batches.
  const itemId = await saveWorkflow(page.request, names.item, apiEvent([{ key: 'name', type: 'text' }]), [
    { id: 'log', action: { type: 'log', message: 'Hello {{name}}' } },
  ]);
  await saveWorkflow(page.request, names.fanOut, apiEvent([{ key: 'names', type: 'text', list: true }]), [
    {
      id: 'fan',
      action: { type: 'scheduleOnList', workflowId: itemId, list: 'names', itemParameterId: 'p_name', parameters: {}, startDate: 'now', intervalSeconds: '0', ordered: true, onFinishWorkflowId: '' },
    },
  ]);
  const fanOut = await page.request.post(`/version-test/api/1.1/wf/${names.fanOut}`, { data: { names: ['ada', 'grace'] } });
  expect(fanOut.status(), await fanOut.text()).toBe(200);
  await expect.poll(async () => (await runsOf(page.request, itemId)).filter((r) => r.status === 'succeeded').length).toBe(2);
  // One after another: the newest run is the second item's.
  const [second] = await runsOf(page.request, itemId);
  expect(second!.trigger).toBe('batch_item');
  await page.goto(`/runs/${second!.id}`);
  const by = fact(page, 'scheduled-by');
  await expect(by.locator('dd')).toContainText(/^item 2 of batch …[0-9a-f]{8}/);
  await expect(by.getByRole('link', { name: /^batch …[0-9a-f]{8}$/ })).toHaveAttribute('href', '/scheduler?env=draft');
  await expect(by).toContainText('2 items in all; the batch has finished');
  await expect(page.locator('.io-grid')).toContainText('"grace"');
  await page.screenshot({ path: shot(testInfo, 'run-batch-item.png'), fullPage: true });
});
