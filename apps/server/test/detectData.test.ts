import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, RecurrenceSpec, detectParameters } from '@switchyard/workflow';
import { type TestServer, admin, builder, sampleGraph, saveWorkflow, startTestServer, viewer } from './helpers.ts';

// "Detect data" over real HTTP: a builder opens it (tRPC), a sender posts one sample to
// /version-test/api/1.1/wf/<name>/initialize, the editor polls the result.

let server: TestServer;
let now = new Date('2026-11-28T10:00:00Z');
const url = (name: string, query = '') => `${server.url}/version-test/api/1.1/wf/${name}/initialize${query}`;
const post = (name: string, body: string, contentType = 'application/json', headers: Record<string, string> = {}, query = '') =>
  fetch(url(name, query), { method: 'POST', headers: { 'content-type': contentType, ...headers }, body });

beforeAll(async () => {
  server = await startTestServer({}, { clock: () => now });
});
afterAll(async () => {
  await server.stop();
});

describe('Detect data', () => {
  it('answers 404 with a message saying to open Detect data, for unknown workflows and closed sessions', async () => {
    await saveWorkflow(server, 'closed-flow', sampleGraph());
    for (const name of ['closed-flow', 'no-such-flow']) {
      const response = await post(name, '{"a":1}');
      expect(response.status).toBe(404);
      const body = (await response.json()) as { status: string; message: string };
      expect(body.status).toBe('error');
      expect(body.message).toMatch(/open the API event's "Detect data" in the editor/);
    }
  });

  it('captures one sample while open, answers 200 saying what it took, then closes', async () => {
    const id = await saveWorkflow(server, 'capture-flow', sampleGraph());
    const caller = server.caller(builder);
    expect(await caller.workflow.detect.result({ workflowId: id })).toEqual({ state: 'closed' });
    const { expiresAt } = await caller.workflow.detect.start({ workflowId: id, includeHeaders: false });
    expect(expiresAt.getTime() - now.getTime()).toBe(10 * 60_000);
    expect(await caller.workflow.detect.result({ workflowId: id })).toMatchObject({ state: 'waiting', includeHeaders: false });

    const response = await post('capture-flow', JSON.stringify({ amount: 12.5, customer: { email: 'a@b.c' }, tags: ['x'] }), 'application/json', { authorization: 'Bearer abc' }, '?shop=acme&api_token=secret');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'success', message: 'Sample captured: 4 keys (amount, customer, tags, shop). Review the proposed parameters in the editor.' });

    const result = await caller.workflow.detect.result({ workflowId: id });
    expect(result).toMatchObject({
      state: 'captured',
      sample: { body: { amount: 12.5, customer: { email: 'a@b.c' }, tags: ['x'] }, contentType: 'json', query: { shop: 'acme' } },
    });
    // Headers were not asked for; the token in the query string is never kept.
    expect(result.state === 'captured' && result.sample.headers).toBeUndefined();
    expect(JSON.stringify(result)).not.toContain('secret');

    // Once only: the next request finds the session closed.
    const again = await post('capture-flow', '{"other":1}');
    expect(again.status).toBe(404);
    expect(await caller.workflow.detect.result({ workflowId: id })).toMatchObject({ state: 'captured', sample: { body: { amount: 12.5 } } });

    // What the editor proposes from it.
    const sample = result.state === 'captured' ? result.sample : null;
    let n = 0;
    const { proposals } = detectParameters(sample!.body, { newId: (p) => `${p}_${++n}`, query: sample!.query, takenKeys: ['amount'] });
    expect(proposals.map((p) => [p.parameter.key, p.parameter.type, p.suggested])).toEqual([
      ['shop', 'text', true],
      ['amount', 'number', false],
      ['customer', 'object', true],
      ['tags', 'text', true],
    ]);
  });

  it('takes exactly one of many concurrent samples', async () => {
    const id = await saveWorkflow(server, 'race-flow', sampleGraph());
    await server.caller(builder).workflow.detect.start({ workflowId: id, includeHeaders: false });
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => post('race-flow', JSON.stringify({ i }))));
    expect(answers.map((a) => a.status).sort()).toEqual([200, ...Array<number>(9).fill(404)]);
  });

  it('keeps headers when asked, without credentials or signatures', async () => {
    const id = await saveWorkflow(server, 'header-flow', sampleGraph());
    await server.caller(admin).workflow.detect.start({ workflowId: id, includeHeaders: true });
    const response = await post('header-flow', 'amount=12&paid=yes', 'application/x-www-form-urlencoded', {
      authorization: 'Bearer tok_123',
      cookie: 'switchyard_session=abc',
      'stripe-signature': 't=1,v1=deadbeef',
      'x-hub-signature-256': 'sha256=beef',
      'webhook-signature': 'v1,abc',
      'x-github-event': 'push',
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { message: string }).message).toMatch(/Sample captured: 2 keys \(amount, paid\) and \d+ headers/);
    const result = await server.caller(builder).workflow.detect.result({ workflowId: id });
    if (result.state !== 'captured') throw new Error(`expected a sample, got ${result.state}`);
    expect(result.sample.contentType).toBe('form');
    expect(result.sample.body).toEqual({ amount: '12', paid: 'yes' });
    expect(result.sample.headers).toMatchObject({ 'x-github-event': 'push', 'content-type': 'application/x-www-form-urlencoded' });
    for (const dropped of ['authorization', 'cookie', 'stripe-signature', 'x-hub-signature-256', 'webhook-signature']) {
      expect(result.sample.headers).not.toHaveProperty(dropped);
    }
    expect(JSON.stringify(result)).not.toMatch(/tok_123|deadbeef|switchyard_session/);
  });

  it('expires after 10 minutes, and opening again forgets the old sample', async () => {
    const id = await saveWorkflow(server, 'expiry-flow', sampleGraph());
    const caller = server.caller(builder);
    await caller.workflow.detect.start({ workflowId: id, includeHeaders: false });
    now = new Date(now.getTime() + 10 * 60_000 + 1);
    expect((await post('expiry-flow', '{"a":1}')).status).toBe(404);
    expect(await caller.workflow.detect.result({ workflowId: id })).toMatchObject({ state: 'expired' });

    await caller.workflow.detect.start({ workflowId: id, includeHeaders: false });
    expect((await post('expiry-flow', '{"b":2}')).status).toBe(200);
    await caller.workflow.detect.start({ workflowId: id, includeHeaders: false });
    expect(await caller.workflow.detect.result({ workflowId: id })).toMatchObject({ state: 'waiting' });

    await caller.workflow.detect.stop({ workflowId: id });
    expect(await caller.workflow.detect.result({ workflowId: id })).toEqual({ state: 'closed' });
    expect((await post('expiry-flow', '{"c":3}')).status).toBe(404);
  });

  it('is for builders and admins only, on API workflows that exist', async () => {
    const id = await saveWorkflow(server, 'roles-flow', sampleGraph());
    await expect(server.caller(viewer).workflow.detect.start({ workflowId: id, includeHeaders: false })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(server.caller(viewer).workflow.detect.result({ workflowId: id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(server.caller(null).workflow.detect.result({ workflowId: id })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(server.caller(builder).workflow.detect.start({ workflowId: 'nope', includeHeaders: false })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // Over HTTP too: the editor's API refuses a signed-out caller.
    const anonymous = await fetch(`${server.url}/trpc/workflow.detect.result?input=${encodeURIComponent(JSON.stringify({ json: { workflowId: id } }))}`);
    expect(anonymous.status).toBe(401);
  });

  it('takes a GET sample from the query string, for endpoints called with GET', async () => {
    const id = await saveWorkflow(server, 'get-flow', sampleGraph());
    await server.caller(builder).workflow.detect.start({ workflowId: id, includeHeaders: false });
    const response = await fetch(url('get-flow', '?order=42&tag=a&tag=b'));
    expect(response.status).toBe(200);
    expect(await server.caller(builder).workflow.detect.result({ workflowId: id })).toMatchObject({
      state: 'captured',
      sample: { body: null, contentType: 'none', query: { order: '42', tag: ['a', 'b'] } },
    });
  });

  it('is refused for a workflow whose event has no endpoint (Recurring)', async () => {
    const graph = sampleGraph();
    graph.nodes = [
      { id: 'event', type: 'recurringEvent', position: { x: 0, y: 0 }, data: { schedule: RecurrenceSpec.parse({ kind: 'every', every: 1, unit: 'hours' }), settings: DEFAULT_SETTINGS } },
    ];
    graph.edges = [];
    const id = await saveWorkflow(server, 'recurring-flow', graph);
    await expect(server.caller(builder).workflow.detect.start({ workflowId: id, includeHeaders: false })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/needs an API workflow/),
    });
  });

  it('refuses bodies the endpoints refuse, and writes nothing', async () => {
    const id = await saveWorkflow(server, 'bad-flow', sampleGraph());
    const caller = server.caller(builder);
    await caller.workflow.detect.start({ workflowId: id, includeHeaders: false });
    expect((await post('bad-flow', '{"a":', 'application/json')).status).toBe(400);
    expect((await post('bad-flow', '{"__proto__":{"x":1}}', 'application/json')).status).toBe(400);
    expect((await post('bad-flow', 'hello', 'text/plain')).status).toBe(415);
    expect((await post('bad-flow', JSON.stringify({ big: 'x'.repeat(1_100_000) }))).status).toBe(413);
    expect(await caller.workflow.detect.result({ workflowId: id })).toMatchObject({ state: 'waiting' });
  });
});
