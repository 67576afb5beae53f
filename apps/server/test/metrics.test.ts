import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, eventually, graphWith, saveWorkflow, startTestServer, viewer } from './helpers.ts';

const post = (server: TestServer, url: string, body: unknown) =>
  fetch(`${server.url}${url}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('/metrics', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    await saveWorkflow(server, 'greet', graphWith([{ id: 'log', action: { type: 'log', message: 'Hello {{name}}' } }]));
  });
  afterAll(() => server.stop());

  it('serves runs, lateness, queue depth and refused calls in Prometheus text format to this machine', async () => {
    expect((await post(server, '/version-test/api/1.1/wf/greet', { name: 'Ada' })).status).toBe(200);
    const scheduled = await post(server, '/version-test/api/1.1/wf/greet/schedule', { scheduled_date: Date.now(), parameters: { name: 'Bo' } });
    const { response } = (await scheduled.json()) as { response: { run_id: string } };
    await eventually(async () => ((await server.caller(viewer).run.byId({ id: response.run_id })).status === 'succeeded' ? true : undefined));
    await post(server, '/version-test/api/1.1/wf/greet/schedule', { scheduled_date: Date.now() + 86_400_000, parameters: { name: 'Cy' } });
    expect((await post(server, '/version-test/api/1.1/wf/nobody', {})).status).toBe(404);

    const metrics = await fetch(`${server.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await metrics.text();
    expect(text).toContain('switchyard_runs_total{workflow="greet",environment="draft",trigger="api",status="succeeded"} 1');
    expect(text).toContain('switchyard_runs_total{workflow="greet",environment="draft",trigger="schedule",status="succeeded"} 1');
    expect(text).toMatch(/switchyard_run_lateness_seconds_count\{environment="draft",trigger="schedule"\} 1/);
    expect(text).toMatch(/switchyard_run_duration_seconds_bucket\{le="\+Inf",environment="draft",trigger="api"\} 1/);
    expect(text).toContain('switchyard_queue_depth{environment="draft"} 1');
    expect(text).toContain('switchyard_queue_depth{environment="live"} 0');
    expect(text).toContain('switchyard_refused_calls_total{reason="unknown_workflow",environment="draft"} 1');
  });

  it('refuses other machines unless METRICS_PUBLIC opens it', async () => {
    const remote = await server.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '203.0.113.7' });
    expect(remote.statusCode).toBe(403);
    expect(remote.json()).toMatchObject({ message: expect.stringMatching(/METRICS_PUBLIC/) });
    // A proxy on this machine: the request comes from loopback but says whom it forwards.
    const proxied = await fetch(`${server.url}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.7' } });
    expect(proxied.status).toBe(403);
    const open = await startTestServer({ METRICS_PUBLIC: 'true' });
    try {
      expect((await open.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '203.0.113.7' })).statusCode).toBe(200);
    } finally {
      await open.stop();
    }
  });
});
