import { expect, test } from '@playwright/test';
import { createUser, signIn, signedIn, trpc } from './session.ts';

// The Workflow API journey: an admin makes a token in Settings; a builder locks an open workflow
// (one made before tokens existed, so "anyone can call" it) down to "Admin token" and sees its curl
// command; a call without the token gets 401 and with it 200; the admin switches the API off and on.

const suffix = Date.now().toString(36);
const BUILDER = { email: `api-builder-${suffix}@example.com`, password: 'builder password 123' };
const NAME = `api-open-${suffix}`;

test('an admin makes a token, a builder requires it, callers without it get 401 and with it 200', async ({ page, browser, baseURL }, testInfo) => {
  test.setTimeout(120_000);
  await signIn(page);
  createUser(BUILDER, 'builder');

  // A workflow whose event has no endpoint settings: as saved before tokens existed, open to anyone.
  const { id } = await trpc<{ id: string }>(page.request, 'workflow.create', { name: NAME, label: 'Open' });
  const graph = {
    schemaVersion: 2,
    nodes: [
      { id: 'event', type: 'apiEvent', position: { x: 0, y: 0 }, data: { parameters: [{ id: 'p_name', key: 'name', type: 'text', list: false, optional: false }] } },
      { id: 'ret', type: 'action', position: { x: 0, y: 150 }, data: { action: { type: 'returnData', entries: [{ id: 'e', key: 'hello', value: 'Hi {{name}}' }] } } },
    ],
    edges: [{ id: 'e1', source: 'event', target: 'ret' }],
  };
  await trpc(page.request, 'workflow.save', { id, graph });
  const url = `${baseURL}/version-test/api/1.1/wf/${NAME}`;
  const post = (headers: Record<string, string> = {}) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"name":"Ada"}' });
  expect((await post()).status).toBe(200);

  // The admin makes a token for this workflow only.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByRole('heading', { name: 'Workflow API' })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('settings.png') });
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'API tokens' }).click();
  await page.getByRole('button', { name: 'New token' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Label').fill('Partner');
  await dialog.getByLabel('Only these workflows').check();
  await dialog.getByRole('group', { name: 'Workflows this token may run' }).getByLabel(NAME).check();
  await dialog.getByRole('button', { name: 'Create token' }).click();
  const token = (await page.getByTestId('new-token').textContent())!;
  await page.getByRole('button', { name: 'I have stored it' }).click();
  await expect(page.getByRole('row').filter({ hasText: 'Partner' })).toContainText(NAME);
  await page.screenshot({ path: testInfo.outputPath('tokens.png') });

  // The builder sees the warning, and requires a token.
  const builder = await signedIn(browser, BUILDER);
  await builder.goto(`/workflows/${id}`);
  await expect(builder.getByText('Anyone can call')).toBeVisible();
  await builder.getByTestId('node-event').click();
  await expect(builder.getByTestId('open-endpoint-warning')).toBeVisible();
  await builder.getByLabel('Authentication').selectOption('admin_token');
  await expect(builder.getByTestId('save-status')).toHaveText('All changes saved');
  await expect(builder.getByText('Token required')).toBeVisible();
  await expect(builder.getByTestId('open-endpoint-warning')).toHaveCount(0);
  await expect(builder.getByTestId('curl-draft')).toContainText(`/version-test/api/1.1/wf/${NAME}`);
  await expect(builder.getByTestId('curl-draft')).toContainText("-H 'authorization: Bearer <token>'");
  await builder.getByTestId('curl-draft').scrollIntoViewIfNeeded();
  await builder.screenshot({ path: testInfo.outputPath('endpoint-section.png') });

  const refused = await post();
  expect(refused.status).toBe(401);
  const ok = await post({ authorization: `Bearer ${token}` });
  expect(ok.status).toBe(200);
  expect(await ok.json()).toEqual({ status: 'success', response: { hello: 'Hi Ada' } });

  // The builder's test panel still runs the draft, with the builder's session.
  await builder.getByRole('tab', { name: 'Test' }).click();
  await builder.getByRole('textbox', { name: /^name\b/ }).fill('Bo');
  await builder.getByRole('button', { name: 'Run draft' }).click();
  await expect(builder.getByLabel('Test result')).toContainText('Hi Bo');

  // Switching the whole API off answers 404 with a message; on again, calls go through.
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Workflow API' }).click();
  await page.getByRole('switch', { name: 'Enable Workflow API' }).click();
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByText('Settings saved')).toBeVisible();
  const disabled = await post({ authorization: `Bearer ${token}` });
  expect(disabled.status).toBe(404);
  expect(((await disabled.json()) as { message: string }).message).toMatch(/Workflow API is disabled/);
  await page.getByRole('switch', { name: 'Enable Workflow API' }).click();
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect.poll(async () => (await post({ authorization: `Bearer ${token}` })).status).toBe(200);
});

test('an admin sees who waits after failed sign-ins and clears it; nobody is held up from elsewhere', async ({ page, playwright, baseURL }, testInfo) => {
  await signIn(page);
  const person = { email: `delayed-${suffix}@example.com`, password: 'delayed password 123' };
  createUser(person, 'builder');
  const guesser = await playwright.request.newContext({ baseURL: baseURL! });
  const attempt = (password: string) => guesser.post('/trpc/auth.login', { data: { json: { email: person.email, password } } });
  for (let i = 0; i < 6; i++) await attempt('wrong password!!');
  expect((await attempt(person.password)).status()).toBe(429);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
  const delays = page.getByRole('region', { name: 'Sign-in delays' });
  await expect(delays.getByRole('row').filter({ hasText: person.email })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('sign-in-delays.png'), fullPage: true });
  await delays.getByRole('button', { name: `Clear delays of ${person.email}` }).click();
  await expect(page.getByText(`${person.email} can sign in again`)).toBeVisible();
  await expect(delays).toHaveCount(0);
  expect((await attempt(person.password)).status()).toBe(200);
  await guesser.dispose();
});
