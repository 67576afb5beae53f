import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { createUser, signIn, signedIn, trpc, trpcQuery } from './session.ts';

// Signing secrets in Settings: create (generated and pasted), the value shown once with a copy
// button, rotate, delete refused while a workflow uses the secret, and the empty, error,
// long-list and narrow-window states (screenshots in test-results/secrets/).

const SHOTS = path.join(import.meta.dirname, '..', 'test-results', 'secrets');
const BUILDER = { email: 'secrets-builder@example.com', password: 'builder password 123' };
const VIEWER = { email: 'secrets-viewer@example.com', password: 'viewer password 123' };

test('an admin creates, copies once, rotates and deletes signing secrets', async ({ page, context }) => {
  mkdirSync(SHOTS, { recursive: true });
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await signIn(page);
  await page.goto('/settings/secrets');
  const section = page.getByRole('region', { name: 'Signing secrets' });
  await expect(section.getByRole('heading', { name: 'No signing secrets yet' })).toBeVisible();
  await page.screenshot({ path: path.join(SHOTS, '1-empty.png') });

  // Generated: shown once, copied with the button.
  await section.getByRole('button', { name: 'New secret' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Name').fill('Svix deliveries');
  await expect(dialog.getByRole('radio', { name: /Generate a new secret/ })).toBeChecked();
  await dialog.getByRole('button', { name: 'Create secret' }).click();
  await expect(dialog.getByRole('heading', { name: 'Svix deliveries created' })).toBeVisible();
  const shown = await dialog.getByLabel('Secret value').inputValue();
  expect(shown).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
  await dialog.getByRole('button', { name: 'Copy secret value' }).click();
  await expect(dialog.getByRole('button', { name: 'Copied' })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(shown);
  await page.screenshot({ path: path.join(SHOTS, '2-shown-once.png') });
  await dialog.getByRole('button', { name: 'Done' }).click();
  await expect(section.getByRole('row').filter({ hasText: 'Svix deliveries' })).toBeVisible();
  // Once closed, nothing shows the value again.
  expect(await page.content()).not.toContain(shown);

  // Pasted, with a name that is taken first.
  await section.getByRole('button', { name: 'New secret' }).click();
  await dialog.getByLabel('Name').fill('Svix deliveries');
  await dialog.getByRole('radio', { name: /Paste a value/ }).check();
  await dialog.getByRole('button', { name: 'Create secret' }).click();
  await expect(dialog.getByText('The value is empty: paste the secret, or leave it out to generate one')).toBeVisible();
  await dialog.getByLabel('Secret value').fill("It's a Secret to Everybody");
  await dialog.getByRole('button', { name: 'Create secret' }).click();
  await expect(dialog.getByText('A secret called "Svix deliveries" already exists')).toBeVisible();
  await page.screenshot({ path: path.join(SHOTS, '3-error.png') });
  await dialog.getByLabel('Name').fill('GitHub deliveries');
  await dialog.getByRole('button', { name: 'Create secret' }).click();
  await expect(dialog.getByLabel('Secret value')).toHaveValue("It's a Secret to Everybody");
  await dialog.getByRole('button', { name: 'Done' }).click();

  // A workflow checks signatures with it: the list says so, and deleting it is refused.
  const secrets = await trpcQuery<{ id: string; name: string }[]>(page.request, 'secrets.list');
  const github = secrets.find((s) => s.name === 'GitHub deliveries')!;
  const { id: workflowId } = await trpc<{ id: string }>(page.request, 'workflow.create', { name: 'github-push', label: '' });
  const detail = await trpcQuery<{ graph: { nodes: { type: string; data: Record<string, unknown> }[] } }>(page.request, 'workflow.byId', { id: workflowId });
  const event = detail.graph.nodes.find((n) => n.type === 'apiEvent')!;
  event.data.endpoint = { ...(event.data.endpoint as object), signature: { scheme: 'github', secretIds: [github.id] } };
  await trpc(page.request, 'workflow.save', { id: workflowId, graph: detail.graph });
  await page.reload();
  const githubRow = section.getByRole('row').filter({ hasText: 'GitHub deliveries' });
  await expect(githubRow.getByRole('link', { name: 'github-push' })).toBeVisible();
  await githubRow.getByRole('button', { name: 'Delete GitHub deliveries' }).click();
  await expect(dialog.getByText('github-push checks signatures with it')).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Delete secret' })).toBeDisabled();
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  // Rotate: same row, a new value shown once.
  await githubRow.getByRole('button', { name: 'Rotate GitHub deliveries' }).click();
  await expect(dialog.getByText(/replaces the current one at once for github-push/)).toBeVisible();
  await dialog.getByRole('button', { name: 'Rotate secret' }).click();
  await expect(dialog.getByRole('heading', { name: 'GitHub deliveries: new value' })).toBeVisible();
  const rotated = await dialog.getByLabel('Secret value').inputValue();
  expect(rotated).toMatch(/^whsec_/);
  await dialog.getByRole('button', { name: 'Done' }).click();
  expect((await trpcQuery<{ id: string }[]>(page.request, 'secrets.list')).map((s) => s.id)).toContain(github.id);

  // Delete the unused one.
  await section.getByRole('button', { name: 'Delete Svix deliveries' }).click();
  await dialog.getByRole('button', { name: 'Delete secret' }).click();
  await expect(page.getByText('Deleted Svix deliveries')).toBeVisible();
  await expect(section.getByRole('row').filter({ hasText: 'Svix deliveries' })).toHaveCount(0);

  // A long list with long names, then a narrow window.
  for (let i = 1; i <= 25; i++) {
    await trpc(page.request, 'secrets.create', { name: `Partner ${String(i).padStart(2, '0')} ${'with a rather long descriptive name '.repeat(i % 5 === 0 ? 2 : 0)}`.trim() });
  }
  await page.reload();
  await expect(section.getByRole('row')).toHaveCount(27);
  await page.screenshot({ path: path.join(SHOTS, '4-long-list.png'), fullPage: true });
  await page.setViewportSize({ width: 420, height: 800 });
  await page.screenshot({ path: path.join(SHOTS, '5-narrow.png'), fullPage: true });
  await githubRow.getByRole('button', { name: 'Rotate GitHub deliveries' }).click();
  await page.screenshot({ path: path.join(SHOTS, '6-narrow-dialog.png') });
});

test('a builder creates and rotates but cannot delete; a viewer sees a note', async ({ browser, page }) => {
  await signIn(page);
  await trpc(page.request, 'secrets.create', { name: 'Made for the builder' });
  createUser(BUILDER, 'builder');
  createUser(VIEWER, 'viewer');

  const builderPage = await signedIn(browser, BUILDER);
  await builderPage.goto('/settings/secrets');
  const section = builderPage.getByRole('region', { name: 'Signing secrets' });
  await expect(section.getByRole('button', { name: 'Rotate Made for the builder' })).toBeVisible();
  await expect(section.getByRole('button', { name: /^Delete / })).toHaveCount(0);

  const viewerPage = await signedIn(browser, VIEWER);
  await viewerPage.goto('/settings/secrets');
  await expect(viewerPage.getByText('Only builders and admins see signing secrets.')).toBeVisible();
  await viewerPage.screenshot({ path: path.join(SHOTS, '7-viewer.png') });
});
