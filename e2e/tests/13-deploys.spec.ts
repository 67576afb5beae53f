import { type APIRequestContext, type Page, expect, test } from '@playwright/test';
import { createUser, signIn, signedIn, trpc } from './session.ts';

// Deploys per workflow. A builder deploys one workflow from the workflow list, changes it, and
// deploys it again from the editor after seeing its diff (a step retitled, a parameter added, the
// response mode); the Releases page lists both deploys, and the builder restores the earlier one,
// which puts the first version back on the live endpoint. Deleting the workflow asks whether to
// take it off live. Screenshots: the diff dialog, the refusals with a long list, the lists, a
// narrow window.

/** Names unique to this run of the spec, so it also passes against a server that has run it before. */
const suffix = Date.now().toString(36);
const BUILDER = { email: `deployer-${suffix}@example.com`, password: 'builder password 123' };
const NAME = `deploy-a-${suffix}`;

/** Anyone may call it: the journey is about deploys, not tokens. */
const OPEN = { exposed: true, method: 'POST', auth: 'none', signature: null, okWhenSkipped: false };

/** A workflow answering `{ says: <text> }`, with the given parameters, title and run settings. */
function saying(text: string, options: { title?: string; parameters?: unknown[]; settings?: Record<string, unknown> } = {}) {
  return {
    schemaVersion: 2,
    nodes: [
      { id: 'event', type: 'apiEvent', position: { x: 0, y: 0 }, data: { parameters: options.parameters ?? [], settings: options.settings ?? {}, endpoint: OPEN } },
      {
        id: 'ret',
        type: 'action',
        position: { x: 0, y: 150 },
        data: { ...(options.title && { title: options.title }), action: { type: 'returnData', entries: [{ id: 'e', key: 'says', value: text }] } },
      },
    ],
    edges: [{ id: 'edge', source: 'event', target: 'ret' }],
  };
}

async function saveWorkflow(request: APIRequestContext, name: string, graph: unknown): Promise<string> {
  const { id } = await trpc<{ id: string }>(request, 'workflow.create', { name, label: '' });
  await trpc(request, 'workflow.save', { id, graph });
  return id;
}

/** What the live endpoint says, or its status when it does not answer 200. */
async function live(page: Page, name: string): Promise<string | number> {
  const response = await page.request.post(`/api/1.1/wf/${name}`, { data: {} });
  if (response.status() !== 200) return response.status();
  return ((await response.json()) as { response: { says: string } }).response.says;
}

const row = (page: Page, name: string) => page.getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });

/** The release number in a toast such as "Deployed release #4 (1 workflow)". */
async function releaseFromToast(page: Page, pattern: RegExp): Promise<number> {
  const toast = page.locator('.toast').filter({ hasText: pattern }).last();
  await expect(toast).toBeVisible();
  return Number((await toast.textContent())!.match(pattern)![1]);
}

test('a builder deploys one workflow with its diff, then restores the earlier release', async ({ page, browser }, testInfo) => {
  const shot = (name: string, target: Page = builder) => target.screenshot({ path: testInfo.outputPath(`${name}.png`), fullPage: true });
  await signIn(page);
  createUser(BUILDER, 'builder');
  const builder = await signedIn(browser, BUILDER);

  // The Releases page before anything is deployed (only when this spec runs alone).
  await builder.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Releases' }).click();
  await expect(builder.getByRole('heading', { name: 'Releases', level: 1 })).toBeVisible();
  const empty = builder.getByText('Nothing deployed yet');
  await expect(empty.or(builder.locator('table.releases-table'))).toBeVisible();
  if (await empty.isVisible()) await shot('releases-empty');

  const id = await saveWorkflow(builder.request, NAME, saying('first'));
  await builder.goto('/workflows');
  await expect(row(builder, NAME).getByTestId('live-state')).toHaveText('Never deployed');

  // First deploy, of this workflow alone, from its row.
  await row(builder, NAME).getByRole('button', { name: `Deploy… ${NAME}` }).click();
  const first = builder.getByRole('dialog', { name: `Deploy ${NAME}?` });
  await expect(first.getByRole('listitem', { name: `Changes to ${NAME}` })).toContainText('Goes live');
  await first.getByRole('button', { name: `Deploy ${NAME}` }).click();
  const firstRelease = await releaseFromToast(builder, /Deployed release #(\d+)/);
  await expect(row(builder, NAME).getByTestId('live-state')).toHaveText(`Live · #${firstRelease}`);
  expect(await live(builder, NAME)).toBe('first');

  // The draft changes: the list says so, and the live endpoint still runs the deployed version.
  await trpc(builder.request, 'workflow.save', {
    id,
    graph: saying('second', {
      title: 'Answer',
      parameters: [{ id: 'p_currency', key: 'currency', type: 'text', list: false, optional: true }],
      settings: { mode: 'async' },
    }),
  });
  await builder.reload();
  await expect(row(builder, NAME).getByTestId('live-state')).toHaveText('Changed since deploy');
  expect(await live(builder, NAME)).toBe('first');
  await shot('workflows-live-states');

  // Deploy from the editor: the dialog shows what changes.
  await row(builder, NAME).getByRole('link', { name: NAME, exact: true }).click();
  await expect(builder.getByTestId('save-status')).toBeVisible();
  await builder.getByRole('button', { name: 'Deploy', exact: true }).click();
  const dialog = builder.getByRole('dialog', { name: `Deploy ${NAME}?` });
  const changes = dialog.getByRole('listitem', { name: `Changes to ${NAME}` });
  await expect(changes).toContainText('Changed');
  await expect(changes.getByRole('region', { name: 'Steps' })).toContainText('Answer: title: "Return data from API" → "Answer", Response');
  await expect(changes.getByRole('region', { name: 'Parameters' })).toContainText('currency');
  await expect(changes.getByRole('region', { name: 'Run settings' })).toContainText('Response: Wait for the result → Respond at once');
  await expect(dialog).toContainText(`Compared with release #`);
  await dialog.getByLabel('Note (optional)').fill('Answer renamed, currency added');
  await shot('deploy-dialog');
  await dialog.getByRole('button', { name: `Deploy ${NAME}` }).click();
  const secondRelease = await releaseFromToast(builder, /Deployed release #(\d+)/);
  await expect(builder.getByText(`Live · #${secondRelease}`)).toBeVisible();
  // Respond at once: the live endpoint now answers 202 with the run id.
  expect(await live(builder, NAME)).toBe(202);

  // The Releases page lists both deploys; the builder restores the first one.
  await builder.getByRole('link', { name: 'Workflows', exact: true }).first().click();
  await builder.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Releases' }).click();
  const latest = builder.locator(`tr[data-release="${secondRelease}"]`);
  await expect(latest).toContainText(`Deploy of ${NAME}`);
  await expect(latest).toContainText('Live');
  await expect(latest).toContainText('Answer renamed, currency added');
  await expect(latest).toContainText(BUILDER.email);
  await shot('releases-list');
  await builder.locator(`tr[data-release="${firstRelease}"]`).getByRole('button', { name: `Restore… release #${firstRelease}` }).click();
  const restore = builder.getByRole('dialog', { name: `Restore release #${firstRelease}?` });
  await expect(restore.getByRole('listitem', { name: `Changes to ${NAME}` }).getByRole('region', { name: 'Run settings' })).toContainText(
    'Response: Respond at once → Wait for the result',
  );
  await shot('restore-dialog');
  await restore.getByRole('button', { name: `Restore release #${firstRelease}` }).click();
  const restored = await releaseFromToast(builder, new RegExp(`Restored release #${firstRelease} as release #(\\d+)`));
  await expect(builder.locator(`tr[data-release="${restored}"]`)).toContainText(`Restore of #${firstRelease}`);
  expect(await live(builder, NAME)).toBe('first');

  // A narrow window: the list and a dialog still fit.
  await builder.setViewportSize({ width: 480, height: 800 });
  await shot('releases-narrow');
  await builder.setViewportSize({ width: 1280, height: 800 });

  // Deleting it asks about live; taking it off makes its live endpoint answer 404.
  await builder.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Workflows' }).click();
  await row(builder, NAME).getByRole('button', { name: `Delete ${NAME}` }).click();
  const remove = builder.getByRole('dialog', { name: `Delete ${NAME}?` });
  await expect(remove.getByRole('button', { name: 'Delete workflow' })).toBeDisabled();
  await remove.getByRole('radio', { name: /Take it off live now/ }).check();
  await shot('delete-dialog');
  await remove.getByRole('button', { name: 'Delete workflow' }).click();
  await releaseFromToast(builder, /took it off live \(release #(\d+)\)/);
  expect(await live(builder, NAME)).toBe(404);
});

test('deploying all names each refused workflow and deploys the others; a long list scrolls in the dialog', async ({ page, browser }, testInfo) => {
  await signIn(page);
  const user = { ...BUILDER, email: `many-${BUILDER.email}` };
  createUser(user, 'builder');
  const builder = await signedIn(browser, user);
  const broken = `broken-${suffix}`;
  await saveWorkflow(builder.request, broken, saying('{{ nope }}'));
  for (let i = 0; i < 12; i++) await saveWorkflow(builder.request, `many-${suffix}-${String(i).padStart(2, '0')}`, saying(`n${i}`));

  await builder.reload();
  await builder.getByRole('button', { name: 'Deploy all…' }).click();
  const dialog = builder.getByRole('dialog', { name: 'Deploy all workflows?' });
  await expect(dialog.getByRole('region', { name: 'Not deployed' })).toContainText(`${broken}: Unknown name "nope"`);
  await expect(dialog.getByRole('listitem', { name: `Changes to many-${suffix}-11` })).toContainText('Goes live');
  await builder.screenshot({ path: testInfo.outputPath('deploy-all-refused.png') });
  await dialog.getByRole('button', { name: 'Deploy all' }).click();
  await expect(builder.locator('.toast').filter({ hasText: new RegExp(`not deployed: .*${broken}`) })).toBeVisible();
  await expect(row(builder, `many-${suffix}-00`).getByTestId('live-state')).toContainText('Live');
  await expect(row(builder, broken).getByTestId('live-state')).toHaveText('Never deployed');
  expect(await live(builder, `many-${suffix}-05`)).toBe('n5');
});
