import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type APIRequestContext, type Browser, type Page, expect } from '@playwright/test';

const CLI = fileURLToPath(new URL('../../apps/server/bin/switchyard.mjs', import.meta.url));

export const ADMIN = { email: 'admin@example.com', password: 'correct horse battery staple' };

/** Signs in as the admin, creating it first when the server is new (specs may run alone). */
export async function signIn(page: Page): Promise<void> {
  await page.goto('/');
  await expect(page).toHaveURL(/\/(setup|login)$/);
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
  const creating = page.url().endsWith('/setup');
  await page.getByRole('button', { name: creating ? 'Create admin account' : 'Sign in' }).click();
  await expect(page).toHaveURL(/\/workflows$/);
}

export async function createWorkflow(page: Page, name: string, label = ''): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Workflows' }).click();
  await page.getByRole('button', { name: 'New workflow' }).first().click();
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Label').fill(label);
  await page.getByRole('button', { name: 'Create workflow' }).click();
  await expect(page).toHaveURL(/\/workflows\/[\w-]+$/);
}

/** Opens a tab of the editor's side panel ("Properties" or "Test"). */
export async function openTab(page: Page, name: 'Properties' | 'Test'): Promise<void> {
  await page.getByRole('tab', { name }).click();
}

/** A node on the canvas by the text it shows (its title or action name). */
export function canvasNode(page: Page, text: string) {
  return page.locator('.react-flow__node').filter({ hasText: text });
}

/** A tRPC mutation through the page's (signed-in) request context. */
export async function trpc<T = unknown>(request: APIRequestContext, procedure: string, input: unknown): Promise<T> {
  const response = await request.post(`/trpc/${procedure}`, { data: { json: input } });
  expect(response.ok(), `${procedure}: ${await response.text()}`).toBe(true);
  return ((await response.json()) as { result: { data: { json: T } } }).result.data.json;
}

/** A tRPC query through the page's (signed-in) request context. */
export async function trpcQuery<T = unknown>(request: APIRequestContext, procedure: string, input?: unknown): Promise<T> {
  const query = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
  const response = await request.get(`/trpc/${procedure}${query}`);
  expect(response.ok(), `${procedure}: ${await response.text()}`).toBe(true);
  return ((await response.json()) as { result: { data: { json: T } } }).result.data.json;
}

/** Creates an account with the CLI, on the data the journeys' server uses. */
export function createUser(user: { email: string; password: string }, role: 'builder' | 'viewer') {
  const out = execFileSync(process.execPath, [CLI, 'create-user', '--email', user.email, '--password', user.password, '--role', role], {
    env: { ...process.env, DATA_DIR: process.env.E2E_DATA_DIR },
    encoding: 'utf8',
  });
  expect(out).toContain(`Created ${role} ${user.email}`);
}

/** A page of its own (own cookies) signed in as `user`. */
export async function signedIn(browser: Browser, user: { email: string; password: string }): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto('/login');
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password', { exact: true }).fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/workflows$/);
  return page;
}
