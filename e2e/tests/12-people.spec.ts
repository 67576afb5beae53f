import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Page, type TestInfo, expect, test } from '@playwright/test';
import { signIn, trpc } from './session.ts';

// People: an admin invites a builder from the Users page and is shown a one-time link; the invitee
// opens it in a browser of their own, sets a password and is signed in; the link then stops
// working. The admin changes the new account's role, the invitee's next page load has it, and the
// change is in the audit log, filterable by action.

/** Names unique to this run of the spec, so it also passes against a server that has run it before. */
const suffix = Date.now().toString(36);
const INVITEE = { email: `invited-builder-${suffix}@example.com`, password: 'invitee password 123' };

/** Screenshots go to PEOPLE_SHOTS when set (for a person to look at), else to the test's output. */
function shot(testInfo: TestInfo, name: string): string {
  const dir = process.env.PEOPLE_SHOTS;
  if (!dir) return testInfo.outputPath(name);
  mkdirSync(dir, { recursive: true });
  return path.join(dir, name);
}

const nav = (page: Page) => page.getByRole('navigation', { name: 'Main' });

test('an admin invites a builder, who signs in with the link; a role change shows in the audit log', async ({ page, browser }, testInfo) => {
  await signIn(page);
  await nav(page).getByRole('link', { name: 'Users' }).click();
  await expect(page).toHaveURL(/\/users$/);
  await expect(page.getByRole('heading', { name: 'Users' })).toBeVisible();

  await page.getByRole('button', { name: 'Invite someone' }).click();
  const invite = page.getByRole('dialog', { name: 'Invite someone' });
  await invite.getByLabel('Email').fill(INVITEE.email);
  await invite.getByLabel('Role').selectOption('builder');
  await invite.getByRole('button', { name: 'Create invitation' }).click();

  const shown = page.getByRole('dialog', { name: 'Invitation link' });
  await expect(shown).toContainText(INVITEE.email);
  const link = await shown.getByTestId('one-time-link').inputValue();
  expect(link).toMatch(new RegExp(`^${page.url().replace(/\/users$/, '')}/invite/[\\w-]{43}$`));
  await page.screenshot({ path: shot(testInfo, 'people-invite-link.png') });
  await shown.getByRole('button', { name: 'Done' }).click();

  const row = page.locator('tr.user-row', { hasText: INVITEE.email });
  await expect(row.getByText('Invited', { exact: true })).toBeVisible();
  await expect(row.getByRole('cell', { name: 'Never' })).toBeVisible();

  // The invitee, in a browser of their own.
  const inviteeContext = await browser.newContext();
  const invitee = await inviteeContext.newPage();
  await invitee.goto(link);
  await expect(invitee.getByRole('heading', { name: 'Welcome to Switchyard' })).toBeVisible();
  await expect(invitee.getByTestId('link-email')).toHaveText(INVITEE.email);
  await invitee.getByLabel('Password', { exact: true }).fill('too short');
  await invitee.getByRole('button', { name: 'Set password and sign in' }).click();
  await expect(invitee.getByText('Use at least 12 characters')).toBeVisible();
  await invitee.getByLabel('Password', { exact: true }).fill(INVITEE.password);
  await invitee.getByLabel('Repeat password').fill(INVITEE.password);
  await invitee.screenshot({ path: shot(testInfo, 'people-accept-invite.png') });
  await invitee.getByRole('button', { name: 'Set password and sign in' }).click();
  await expect(invitee).toHaveURL(/\/workflows$/);
  await expect(invitee.locator('.topbar-user')).toContainText(INVITEE.email);
  await expect(invitee.locator('.topbar-user .role')).toHaveText('Builder');
  // Builders have no Users or Audit log links.
  await expect(nav(invitee).getByRole('link', { name: 'Users' })).toHaveCount(0);

  // The link worked once.
  const again = await browser.newContext();
  const replay = await again.newPage();
  await replay.goto(link);
  await expect(replay.getByRole('heading', { name: 'This link does not work' })).toBeVisible();
  await replay.screenshot({ path: shot(testInfo, 'people-link-used.png') });
  await again.close();

  // The admin sees the account active with a sign-in, and makes it a viewer.
  await page.reload();
  await expect(row.getByText('Active', { exact: true })).toBeVisible();
  await expect(row.getByRole('cell', { name: 'Never' })).toHaveCount(0);
  await row.getByLabel(`Role of ${INVITEE.email}`).selectOption('viewer');
  await expect(page.getByText(`${INVITEE.email} is now viewer`)).toBeVisible();

  // The role is the server's: the invitee's next page load shows it.
  await invitee.reload();
  await expect(invitee.locator('.topbar-user .role')).toHaveText('Viewer');
  await expect(invitee.getByRole('button', { name: 'New workflow' })).toHaveCount(0);
  await inviteeContext.close();

  // The audit log has it, newest first, and filters to it.
  await nav(page).getByRole('link', { name: 'Audit log' }).click();
  await expect(page).toHaveURL(/\/audit$/);
  const first = page.locator('tr.audit-row').first();
  await expect(first).toHaveAttribute('data-action', 'user.role_changed');
  await expect(first).toContainText('Role changed');
  await expect(first).toContainText(INVITEE.email);
  await expect(first).toContainText('Builder → Viewer');
  await expect(page.locator('tr.audit-row[data-action="user.invitation_accepted"]', { hasText: INVITEE.email })).toHaveCount(1);
  await expect(page.locator('tr.audit-row[data-action="user.invited"]', { hasText: INVITEE.email })).toHaveCount(1);
  await page.screenshot({ path: shot(testInfo, 'people-audit.png'), fullPage: true });

  await page.getByLabel('What').selectOption('user.role_changed');
  await expect(page).toHaveURL(/action=user\.role_changed/);
  await expect(page.locator('tr.audit-row')).not.toHaveCount(0);
  for (const action of await page.locator('tr.audit-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')))) {
    expect(action).toBe('user.role_changed');
  }
  // A range with nothing in it: the empty state, with a way back.
  await page.getByLabel('From').fill('2001-01-01');
  await page.getByLabel('To').fill('2001-01-02');
  await expect(page.getByRole('heading', { name: 'No events match these filters' })).toBeVisible();
  await page.screenshot({ path: shot(testInfo, 'people-audit-empty.png') });
  await page.getByRole('button', { name: 'Clear filters' }).first().click();
  await expect(page.locator('tr.audit-row').first()).toBeVisible();
});

test('the Users and Audit log pages with many accounts and events, and in a narrow window', async ({ page }, testInfo) => {
  await signIn(page);
  // Enough accounts (one with a very long address) for a long list; each invitation is an event.
  for (let i = 0; i < 55; i++) {
    const email = i === 0 ? `a-very-long-address-for-someone-with-many-names-${suffix}@a-long-company-domain.example.com` : `person-${i}-${suffix}@example.com`;
    await trpc(page.request, 'users.invite', { email, role: i % 3 === 0 ? 'viewer' : 'builder' });
  }
  await page.goto('/users');
  await expect(page.locator('tr.user-row')).not.toHaveCount(0);
  await page.screenshot({ path: shot(testInfo, 'people-users-long.png'), fullPage: true });

  // Paging: 50 at a time, then older ones on request, none twice.
  await page.goto('/audit');
  await expect(page.locator('tr.audit-row')).toHaveCount(50);
  await page.getByRole('button', { name: 'Load older events' }).click();
  await expect.poll(() => page.locator('tr.audit-row').count()).toBeGreaterThan(50);

  // The two admin links in the top bar: nothing spills sideways at a tablet's or a phone's width.
  for (const width of [800, 390]) {
    await page.setViewportSize({ width, height: 800 });
    await page.goto('/users');
    await expect(page.locator('tr.user-row').first()).toBeVisible();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    if (width === 800) await page.screenshot({ path: shot(testInfo, 'people-users-800.png') });
  }
  await page.screenshot({ path: shot(testInfo, 'people-users-narrow.png') });
  await page.goto('/audit');
  await expect(page.locator('tr.audit-row').first()).toBeVisible();
  await page.screenshot({ path: shot(testInfo, 'people-audit-narrow.png') });
});
