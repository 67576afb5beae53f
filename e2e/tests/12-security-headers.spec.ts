import { type Page, expect, test } from '@playwright/test';
import { canvasNode, createWorkflow, signIn } from './session.ts';

// The app works under its Content-Security-Policy: the editor (React Flow's inline styles), the
// Scheduler's charts (uPlot on a canvas), the runs console and the recurring jobs page load and draw
// without a single violation the browser reports. Also: the headers arrive, and HEAD / is answered.

const suffix = Date.now().toString(36);

/** Every CSP violation the page reports (the `securitypolicyviolation` event), from its first script on. */
async function watchViolations(page: Page): Promise<() => Promise<string[]>> {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __cspViolations: string[] }).__cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (event) => {
      seen.push(`${event.violatedDirective} blocked ${event.blockedURI || '(inline)'} at ${event.sourceFile}:${event.lineNumber}`);
    });
  });
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) consoleErrors.push(message.text());
  });
  return async () => [...(await page.evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? [])), ...consoleErrors];
}

test('the app runs under its Content-Security-Policy, with no violation on any page', async ({ page, request }) => {
  const document = await request.get('/');
  expect(document.status()).toBe(200);
  const csp = document.headers()['content-security-policy'];
  expect(csp).toContain("frame-ancestors 'none'");
  expect(document.headers()['x-content-type-options']).toBe('nosniff');
  expect(document.headers()['referrer-policy']).toBe('no-referrer');

  const head = await request.head('/');
  expect(head.status()).toBe(200);
  expect(await head.body()).toHaveLength(0);

  const violations = await watchViolations(page);
  await signIn(page);
  await createWorkflow(page, `csp-${suffix}`);
  // The editor: the canvas with its nodes (inline transforms), the palette, a node's form.
  await expect(page.getByTestId('node-event')).toBeVisible();
  await page.getByRole('button', { name: 'Add Log a value' }).click();
  await expect(canvasNode(page, 'Log a value')).toBeVisible();
  await expect(page.getByTestId('save-status')).toHaveText('All changes saved');
  expect(await violations()).toEqual([]);

  // The Scheduler's charts (uPlot, on a canvas, once a few minutes of points exist on this server).
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Scheduler' }).click();
  await expect(page.locator('.time-chart canvas, .chart-collecting').first()).toBeVisible();
  expect(await violations()).toEqual([]);

  for (const link of ['Runs', 'Recurring', 'Workflows']) {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link }).click();
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    expect(await violations()).toEqual([]);
  }
});
