import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DestinationStream } from 'pino';
import { type ActionConfig, DEFAULT_SETTINGS, type Parameter, type WorkflowGraph, type WorkflowSettings, emptyGraph } from '@switchyard/workflow';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { type RunningServer, startServer } from '../src/server.ts';
import { type SessionUser, createUser } from '../src/services/accounts.ts';
import { LoginLimiter } from '../src/services/loginLimiter.ts';
import type { RequestTarget } from '../src/trpc/context.ts';
import { createCaller } from '../src/trpc/router.ts';

export interface TestServer extends RunningServer {
  dataDir: string;
  /** A tRPC caller acting as `user` (null: signed out); cookies it sets land in `cookies`. */
  caller(user: SessionUser | null, options?: { ip?: string; cookies?: Map<string, string | null>; request?: RequestTarget }): ReturnType<typeof createCaller>;
  stop(): Promise<void>;
}

/** A real server on a random port, on a fresh SQLite file in a temporary folder. */
export async function startTestServer(
  env: Record<string, string> = {},
  options: {
    clock?: () => Date;
    /** Start on the data of a server closed before (a restart). */
    dataDir?: string;
    /** Where log lines go instead of stdout (set LOG_LEVEL in `env` to see them). */
    logTo?: DestinationStream;
  } = {},
): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'switchyard-test-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    WEB_DIST: path.join(dataDir, 'no-web-build'),
    ...env,
  });
  const log = createLogger(config, options.logTo);
  const server = await startServer(config, log, options);
  const loginLimiter = new LoginLimiter();
  return {
    ...server,
    dataDir,
    caller(user, { ip = '127.0.0.1', cookies = new Map(), request = { host: '127.0.0.1', origin: null, protocol: 'http' as const } } = {}) {
      return createCaller({
        db: server.db,
        scheduler: server.engine.scheduling,
        metrics: server.metrics,
        gate: server.gate,
        secrets: server.secrets,
        clock: options.clock ?? (() => new Date()),
        config,
        log,
        loginLimiter,
        user,
        sessionToken: null,
        ip,
        request,
        setSessionCookie: (token) => void cookies.set('session', token),
        clearSessionCookie: () => void cookies.set('session', null),
      });
    },
    async stop() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** An API workflow with an `amount` (number) and `note` (optional text) parameter, a log and a return. */
export function sampleGraph(): WorkflowGraph {
  const graph = emptyGraph();
  graph.nodes[0] = {
    id: 'event',
    type: 'apiEvent',
    position: { x: 0, y: 0 },
    data: {
      parameters: [
        { id: 'p_amount', key: 'amount', type: 'number', list: false, optional: false },
        { id: 'p_note', key: 'note', type: 'text', list: false, optional: true },
      ],
      settings: DEFAULT_SETTINGS,
    },
  };
  graph.nodes.push(
    { id: 'log', type: 'action', position: { x: 0, y: 150 }, data: { action: { type: 'log', message: 'Charging {{amount}} ({{note}})' } } },
    {
      id: 'ret',
      type: 'action',
      position: { x: 0, y: 300 },
      data: {
        action: {
          type: 'returnData',
          entries: [
            { id: 'e1', key: 'doubled', value: '{{amount * 2}}' },
            { id: 'e2', key: 'message', value: 'Thanks, {{note}}' },
          ],
        },
      },
    },
  );
  graph.edges.push({ id: 'e_1', source: 'event', target: 'log' }, { id: 'e_2', source: 'log', target: 'ret' });
  return graph;
}

export const admin: SessionUser = { id: 'u-admin', email: 'admin@example.com', role: 'admin' };
export const viewer: SessionUser = { id: 'u-viewer', email: 'viewer@example.com', role: 'viewer' };
export const builder: SessionUser = { id: 'u-builder', email: 'builder@example.com', role: 'builder' };

/** Polls until `check` returns a value (not undefined); the test's own timeout bounds the wait. */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, intervalMs = 20): Promise<T> {
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** A graph with one text parameter `name` and the given actions chained after the event. */
export function graphWith(
  actions: { id: string; title?: string; onlyWhen?: string; action: ActionConfig }[],
  event: { parameters?: Parameter[]; onlyWhen?: string; settings?: Partial<WorkflowSettings> } = {},
): WorkflowGraph {
  const ids = ['event', ...actions.map((a) => a.id)];
  return {
    schemaVersion: 2,
    nodes: [
      {
        id: 'event',
        type: 'apiEvent',
        position: { x: 0, y: 0 },
        data: {
          parameters: event.parameters ?? [{ id: 'p_name', key: 'name', type: 'text', list: false, optional: true }],
          ...(event.onlyWhen && { onlyWhen: event.onlyWhen }),
          settings: { ...DEFAULT_SETTINGS, ...event.settings },
        },
      },
      ...actions.map((a, index) => ({
        id: a.id,
        type: 'action' as const,
        position: { x: 0, y: 150 * (index + 1) },
        data: { ...(a.title && { title: a.title }), ...(a.onlyWhen && { onlyWhen: a.onlyWhen }), action: a.action },
      })),
    ],
    edges: ids.slice(1).map((id, i) => ({ id: `edge_${i}`, source: ids[i]!, target: id })),
  };
}

/** Creates and saves a workflow as `builder`; returns its id. */
export async function saveWorkflow(server: TestServer, name: string, graph: WorkflowGraph): Promise<string> {
  const caller = server.caller(builder);
  const { id } = await caller.workflow.create({ name, label: '' });
  await caller.workflow.save({ id, graph });
  return id;
}

/**
 * A real session cookie of a new builder account, signed in over HTTP: what the editor's test
 * panel sends (with `x-switchyard-trigger: test`) to run a draft as a test run.
 */
export async function builderCookie(server: TestServer): Promise<string> {
  const email = `panel-${Math.random().toString(36).slice(2)}@example.com`;
  const password = 'a long enough password';
  await createUser(server.db, { email, password, role: 'builder' });
  const response = await fetch(`${server.url}/trpc/auth.login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ json: { email, password } }),
  });
  if (!response.ok) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
  return response.headers.get('set-cookie')!.split(';')[0]!;
}
