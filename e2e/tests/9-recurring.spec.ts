import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type APIRequestContext, type Page, type TestInfo, expect, test } from '@playwright/test';
import { ADMIN, createUser, signIn, signedIn, trpc, trpcQuery } from './session.ts';

// Recurring jobs and batches in the console. An admin finds a recurring workflow on the Recurring
// page with its schedule in words and its next fire times, switches its draft job on, sees its
// first run arrive as the last run, and switches it off; a viewer sees the switches disabled. On
// the Scheduler page, lists scheduled one run per item show their progress, and a builder cancels
// a running one.

/** Names unique to this run of the spec, so it also passes against a server that has run it before. */
const suffix = Date.now().toString(36);
const VIEWER = { email: `rec-viewer-${suffix}@example.com`, password: 'viewer password 123' };
const BUILDER = { email: `batch-builder-${suffix}@example.com`, password: 'builder password 123' };
const VIEWER_2 = { email: `batch-viewer-${suffix}@example.com`, password: 'viewer password 123' };
const names = {
  recurring: `every-second-${suffix}`,
  item: `batch-item-${suffix}`,
  done: `batch-done-${suffix}`,
  fanOut: `fan-out-${suffix}`,
};





type Node = { id: string; title?: string; action: Record<string, unknown> };

/** Saves a draft made of `event` followed by `actions` in a chain; returns the workflow's id. */
async function saveWorkflow(request: APIRequestContext, name: string, event: Record<string, unknown>, actions: Node[]): Promise<string> {
  const { id } = await trpc<{ id: string }>(request, 'workflow.create', { name, label: '' });
  const graph = {
    schemaVersion: 2,
    nodes: [
      { id: 'event', position: { x: 0, y: 0 }, ...event },
      ...actions.map((node, i) => ({
        id: node.id,
        type: 'action',
        position: { x: 0, y: 150 * (i + 1) },
        data: { ...(node.title ? { title: node.title } : {}), action: node.action },
      })),
    ],
    edges: actions.map((node, i) => ({ id: `e_${i}`, source: i === 0 ? 'event' : actions[i - 1]!.id, target: node.id })),
  };
  await trpc(request, 'workflow.save', { id, graph });
  return id;
}

type Param = { key: string; type: 'text' | 'number'; list?: boolean };
const apiEvent = (parameters: Param[]) => ({
  type: 'apiEvent',
  data: { parameters: parameters.map((p) => ({ id: `p_${p.key}`, key: p.key, type: p.type, list: p.list ?? false, optional: false })) },
});

/** Screenshots go to RECURRING_SHOTS when set (for a person to look at), else to the test's output. */
function shot(testInfo: TestInfo, name: string): string {
  const dir = process.env.RECURRING_SHOTS;
  if (!dir) return testInfo.outputPath(name);
  mkdirSync(dir, { recursive: true });
  return path.join(dir, name);
}

const nav = (page: Page) => page.getByRole('navigation', { name: 'Main' });

test('recurring jobs: an admin reads the schedule, switches the draft job on and sees it run, then off; a viewer cannot switch', async ({
  page,
  browser,
}, testInfo) => {
  test.setTimeout(90_000);
  await signIn(page);
  createUser(VIEWER, 'viewer');
  const id = await saveWorkflow(
    page.request,
    names.recurring,
    { type: 'recurringEvent', data: { schedule: { kind: 'cron', cron: '* * * * * *', startAt: null, timeZone: null, missed: 'once' } } },
    [{ id: 'log', action: { type: 'log', message: 'tick' } }],
  );

  await nav(page).getByRole('link', { name: 'Recurring' }).click();
  await expect(page).toHaveURL(/\/recurring$/);
  await expect(page.getByRole('heading', { name: 'Recurring jobs', level: 1 })).toBeVisible();
  await expect(page.getByTestId('zone-note')).toContainText('UTC');
  const card = page.locator(`li.recurring-job[data-workflow-id="${id}"]`);
  await expect(card.getByRole('link', { name: names.recurring, exact: true })).toHaveAttribute('href', `/workflows/${id}`);
  const draft = card.locator('section[data-environment="draft"]');
  const live = card.locator('section[data-environment="live"]');

  // The schedule in words and its next five fire times, a second apart.
  await expect(draft.getByTestId('schedule')).toHaveText('every second, UTC');
  await expect(draft.locator('.fire-times time')).toHaveCount(5);
  const fires = (await draft.locator('.fire-times time').evaluateAll((els) => els.map((e) => e.getAttribute('datetime')))).map((t) => Date.parse(t!));
  expect(fires.slice(1).map((t, i) => t - fires[i]!)).toEqual([1000, 1000, 1000, 1000]);
  await expect(draft.getByTestId('last-run')).toContainText('None yet');
  await expect(draft.getByRole('link', { name: /^All its runs/ })).toHaveAttribute('href', `/runs?workflow=${id}&env=draft&trigger=recurring`);

  // Live has no job until the workflow is deployed: its switch is disabled, with the reason.
  const liveSwitch = live.getByRole('switch');
  await expect(liveSwitch).toBeDisabled();
  await expect(liveSwitch).toHaveAttribute('title', 'Not deployed as a recurring job');
  await expect(live).toContainText('Not deployed as a recurring job');

  // The switch moves at once; when the server fails, it goes back and says why.
  const toggle = draft.getByRole('switch', { name: `Run ${names.recurring} on its schedule in draft` });
  await expect(toggle).toHaveAttribute('aria-checked', 'false');
  const setEnabled = /\/trpc\/recurring\.setEnabled/;
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route(setEnabled, async (route) => {
    await held;
    const error = { json: { message: 'The database is busy', code: -32603, data: { code: 'INTERNAL_SERVER_ERROR', httpStatus: 500 } } };
    await route.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify([{ error }]) });
  });
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-checked', 'true');
  release();
  await expect(toggle).toHaveAttribute('aria-checked', 'false');
  await expect(draft.getByRole('alert')).toHaveText('Could not switch it on: The database is busy');
  await page.unroute(setEnabled);

  // Switched on, the draft job fires every second: a run arrives as its last run.
  await toggle.click();
  await expect(draft.getByRole('alert')).toHaveCount(0);
  await expect(toggle).toHaveAttribute('aria-checked', 'true');
  await expect(draft.locator('.recurring-changed')).toContainText(`by ${ADMIN.email}`);
  const lastRun = draft.getByTestId('last-run').locator('a.recurring-last-link');
  await expect(lastRun).toHaveAttribute('href', /^\/runs\/[\w-]+$/);
  await expect(lastRun.locator('.status')).toHaveText(/Succeeded|Running|Queued|Pending/);
  await expect(draft.locator('.history-line').first()).toContainText(`Switched on by ${ADMIN.email}`);
  await page.screenshot({ path: shot(testInfo, 'recurring-on.png'), fullPage: true });

  // Switched off: it says so, and the server agrees.
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-checked', 'false');
  await expect(draft.locator('.history-line').first()).toContainText(`Switched off by ${ADMIN.email}`);
  await expect
    .poll(async () => {
      const list = await trpcQuery<{ jobs: { workflowId: string; environments: { environment: string; enabled: boolean }[] }[] }>(
        page.request,
        'recurring.list',
      );
      return list.jobs.find((j) => j.workflowId === id)?.environments.find((e) => e.environment === 'draft')?.enabled;
    })
    .toBe(false);

  // The last run opens its run; "All its runs" opens the runs console filtered to the job.
  const runHref = await lastRun.getAttribute('href');
  await lastRun.click();
  await expect(page).toHaveURL(new RegExp(`${runHref}$`));
  await page.goBack();
  await draft.getByRole('link', { name: /^All its runs/ }).click();
  await expect(page).toHaveURL(new RegExp(`/runs\\?workflow=${id}&env=draft&trigger=recurring$`));
  await expect(page.locator('tbody tr.run-row').first()).toBeVisible();
  await page.goBack();

  // At 420 px the environments stack and nothing spills sideways.
  await page.setViewportSize({ width: 420, height: 900 });
  await expect(toggle).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(420);
  await page.screenshot({ path: shot(testInfo, 'recurring-narrow-420.png'), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });

  // --- a viewer sees the jobs, and every switch disabled with the reason
  const viewer = await signedIn(browser, VIEWER);
  await nav(viewer).getByRole('link', { name: 'Recurring' }).click();
  const viewerDraft = viewer.locator(`li.recurring-job[data-workflow-id="${id}"] section[data-environment="draft"]`);
  await expect(viewerDraft.getByTestId('schedule')).toHaveText('every second, UTC');
  for (const env of ['draft', 'live']) {
    const sw = viewer.locator(`li.recurring-job[data-workflow-id="${id}"] section[data-environment="${env}"]`).getByRole('switch');
    await expect(sw).toBeDisabled();
    await expect(sw).toHaveAttribute('title', 'Only admins can switch recurring jobs');
  }
  await expect(viewer.getByRole('note')).toContainText('Only admins can switch recurring jobs');
  await viewer.screenshot({ path: shot(testInfo, 'recurring-viewer.png'), fullPage: true });
  // The server refuses the viewer whatever the page shows.
  const refused = await viewer.request.post('/trpc/recurring.setEnabled', { data: { json: { workflowId: id, environment: 'draft', enabled: true } } });
  expect(refused.status()).toBe(403);
});

test('batches: a list scheduled one run per item shows its progress; a builder cancels a running one, a viewer cannot', async ({
  page,
  browser,
}, testInfo) => {
  test.setTimeout(90_000);
  await signIn(page);
  createUser(BUILDER, 'builder');
  const builder = await signedIn(browser, BUILDER);

  // The item workflow fails for an item that is not a number; the end workflow gets the counts.
  const item = await saveWorkflow(builder.request, names.item, apiEvent([{ key: 'name', type: 'text' }]), [
    { id: 'log', action: { type: 'log', message: 'Item {{toNumber(name) + 0}}' } },
  ]);
  const done = await saveWorkflow(builder.request, names.done, apiEvent([{ key: 'total', type: 'number' }]), [
    { id: 'log', action: { type: 'log', message: '{{total}} items' } },
  ]);
  await saveWorkflow(
    builder.request,
    names.fanOut,
    apiEvent([
      { key: 'names', type: 'text', list: true },
      { key: 'days', type: 'number' },
      { key: 'interval', type: 'number' },
    ]),
    [
      {
        id: 'fan',
        title: 'Fan out',
        action: {
          type: 'scheduleOnList',
          workflowId: item,
          list: 'names',
          itemParameterId: 'p_name',
          parameters: {},
          startDate: 'addDays(now, days)',
          intervalSeconds: 'interval',
          ordered: false,
          onFinishWorkflowId: done,
        },
      },
      { id: 'ret', action: { type: 'returnData', entries: [{ id: 'e1', key: 'batch', value: '{{steps.fan_out}}' }] } },
    ],
  );
  const fanOut = async (body: { names: string[]; days: number; interval: number }) => {
    const response = await builder.request.post(`/version-test/api/1.1/wf/${names.fanOut}`, { data: body });
    expect(response.status(), await response.text()).toBe(200);
    return ((await response.json()) as { response: { batch: string } }).response.batch;
  };
  const now = await fanOut({ names: ['1', '2', 'x'], days: 0, interval: 0 });
  const later = await fanOut({ names: ['1', '2', '3', '4'], days: 1, interval: 3600 });

  await nav(builder).getByRole('link', { name: 'Scheduler' }).click();
  const batches = builder.getByRole('list', { name: 'Batches in draft' }).locator('li.batch');
  await expect(batches.first()).toHaveAttribute('data-batch-id', later);

  // The batch that ran: finished, two succeeded and one failed, its end workflow ran.
  const ran = builder.locator(`li.batch[data-batch-id="${now}"]`);
  await expect(ran.getByTestId('batch-status')).toHaveText('Finished');
  const ranBar = ran.getByRole('progressbar');
  await expect(ranBar).toHaveAttribute('aria-valuetext', '3 of 3 done: 2 succeeded, 1 failed, 0 cancelled');
  await expect(ranBar).toHaveAttribute('aria-valuenow', '3');
  await expect(ranBar).toHaveAttribute('aria-valuemax', '3');
  await expect(ran.getByRole('link', { name: names.item })).toHaveAttribute('href', `/workflows/${item}`);
  await expect(ran.locator('.batch-by a')).toHaveAttribute('href', /^\/runs\/[\w-]+$/);
  await expect(ran.locator('.batch-end')).toContainText(names.done);
  await expect(ran.locator('.batch-end').getByRole('link', { name: 'end run' })).toHaveAttribute('href', /^\/runs\/[\w-]+$/);
  await expect(ran).toContainText('All at once');
  await expect(ran.getByRole('button', { name: /^Cancel/ })).toHaveCount(0);

  // The batch due tomorrow: running, nothing started, an hour between starts.
  const waiting = builder.locator(`li.batch[data-batch-id="${later}"]`);
  await expect(waiting.getByTestId('batch-status')).toHaveText('Running');
  await expect(waiting.getByRole('progressbar')).toHaveAttribute('aria-valuetext', '0 of 4 done: 0 succeeded, 0 failed, 0 cancelled; 0 running, 4 waiting');
  await expect(waiting).toContainText('Starts 1 h apart');
  await expect(waiting).toContainText(/Starts\s*(tomorrow|in \d+ hours)/);

  // The charts of the last hour are there (collecting at first: the server takes a point a minute).
  await expect(builder.getByRole('heading', { name: 'Last hour' })).toBeVisible();
  for (const title of ['Queue depth', 'Lateness']) {
    const figure = builder.getByRole('figure', { name: title });
    await expect(figure.getByText('Collecting…').or(figure.getByRole('img'))).toBeVisible();
  }
  await builder.screenshot({ path: shot(testInfo, 'scheduler-batches.png'), fullPage: true });

  // A viewer sees the batches but cannot cancel them.
  createUser(VIEWER_2, 'viewer');
  const viewer = await signedIn(browser, VIEWER_2);
  await viewer.goto('/scheduler');
  await expect(viewer.locator(`li.batch[data-batch-id="${later}"]`).getByRole('progressbar')).toBeVisible();
  await expect(viewer.getByRole('button', { name: /^Cancel/ })).toHaveCount(0);
  const refused = await viewer.request.post('/trpc/scheduler.cancelBatch', { data: { json: { environment: 'draft', batchId: later } } });
  expect(refused.status()).toBe(403);

  // The builder cancels the running batch, after confirming.
  await waiting.getByRole('button', { name: /^Cancel…/ }).click();
  const dialog = builder.getByRole('dialog');
  await expect(dialog).toContainText(`Cancel the batch of ${names.item}?`);
  await expect(dialog).toContainText('The 4 items not started yet will be cancelled.');
  await builder.screenshot({ path: shot(testInfo, 'scheduler-cancel-batch-dialog.png') });
  await dialog.getByRole('button', { name: 'Cancel batch' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(builder.getByRole('status').filter({ hasText: `Cancelled the batch of ${names.item}` })).toBeVisible();
  await expect(waiting.getByTestId('batch-status')).toHaveText('Cancelled');
  await expect(waiting.getByRole('progressbar')).toHaveAttribute('aria-valuetext', '4 of 4 done: 0 succeeded, 0 failed, 4 cancelled');
  await expect(waiting).toContainText(`by ${BUILDER.email}`);
  await expect(waiting.getByRole('button', { name: /^Cancel/ })).toHaveCount(0);

  // At 420 px nothing spills sideways.
  await builder.getByRole('button', { name: 'Dismiss' }).click();
  await builder.setViewportSize({ width: 420, height: 900 });
  await expect(waiting.getByRole('progressbar')).toBeVisible();
  expect(await builder.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(420);
  await builder.screenshot({ path: shot(testInfo, 'scheduler-batches-narrow-420.png'), fullPage: true });
});
