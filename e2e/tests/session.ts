import { type Page, expect } from '@playwright/test';

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
