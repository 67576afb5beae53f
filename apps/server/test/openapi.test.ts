import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SETTINGS,
  type EndpointSettings,
  NEW_ENDPOINT,
  OPEN_ENDPOINT,
  type Parameter,
  RecurrenceSpec,
  type WorkflowDefinition,
  type WorkflowGraph,
  compile,
} from '@switchyard/workflow';
import { type OpenApiDocument, type OpenApiWorkflow, buildOpenApi, openApiWorkflows, operationBase } from '../src/services/openapi.ts';
import { builder, graphWith, sampleGraph, startTestServer } from './helpers.ts';

// Pure: compiled definitions in, a document out. Each document is validated against the
// OpenAPI 3.1 schema, then its content is checked.

function definitionOf(name: string, graph: WorkflowGraph): WorkflowDefinition {
  const { definition, diagnostics } = compile(name, graph);
  if (!definition) throw new Error(`${name} does not compile: ${JSON.stringify(diagnostics)}`);
  return definition;
}

const p = (key: string, type: Parameter['type'], extra: Partial<Parameter> = {}): Parameter => ({ id: `p_${key}`, key, type, list: false, optional: false, ...extra });

function workflow(name: string, parameters: Parameter[], endpoint: Partial<EndpointSettings> = {}, returns: string[] = ['ok']): OpenApiWorkflow {
  const actions = returns.length > 0 ? [{ id: 'ret', action: { type: 'returnData' as const, entries: returns.map((key, i) => ({ id: `e${i}`, key, value: 'x' })) } }] : [];
  return {
    id: `wf-${name}`,
    name,
    label: `The ${name} workflow`,
    definition: definitionOf(name, graphWith(actions, { parameters })),
    endpoint: { ...OPEN_ENDPOINT, ...endpoint },
  };
}

function recurringWorkflow(): OpenApiWorkflow {
  const graph: WorkflowGraph = {
    schemaVersion: 2,
    nodes: [
      {
        id: 'event',
        type: 'recurringEvent',
        position: { x: 0, y: 0 },
        data: { schedule: RecurrenceSpec.parse({ kind: 'every', every: 1, unit: 'hours' }), settings: DEFAULT_SETTINGS },
      },
    ],
    edges: [],
  };
  return { id: 'wf-nightly', name: 'nightly', label: '', definition: definitionOf('nightly', graph), endpoint: OPEN_ENDPOINT };
}

async function valid(document: OpenApiDocument) {
  const validator = new Validator();
  const result = await validator.validate(structuredClone(document) as unknown as Parameters<Validator['validate']>[0]);
  expect(result.errors ?? [], JSON.stringify(result.errors, null, 2)).toEqual([]);
  expect(result.valid).toBe(true);
  expect(validator.version).toBe('3.1');
  return document;
}

const build = (workflows: OpenApiWorkflow[], environment: 'live' | 'draft' = 'live') =>
  buildOpenApi({ environment, baseUrl: 'https://flows.example.com/', title: 'Switchyard', workflows });

type Op = {
  operationId: string;
  security: Record<string, string[]>[];
  parameters: { name?: string; in?: string; required?: boolean; schema?: unknown; $ref?: string }[];
  requestBody?: { required: boolean; content: Record<string, { schema: { properties: Record<string, unknown>; required?: string[] } }> };
  responses: Record<string, { $ref?: string; content?: { 'application/json': { schema: { properties: { response: { properties?: Record<string, unknown> } } } } } }>;
};
const op = (doc: OpenApiDocument, path: string, method: string) => doc.paths[path]?.[method] as Op;

describe('buildOpenApi', () => {
  it('describes no workflows at all as a valid, empty document', async () => {
    const doc = await valid(build([]));
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths).toEqual({});
    expect(doc.servers).toEqual([{ url: 'https://flows.example.com', description: 'Live' }]);
  });

  it('types every kind of parameter, and marks the required ones', async () => {
    const parameters = [
      p('name', 'text'),
      p('amount', 'number', { optional: true }),
      p('paid', 'boolean'),
      p('due', 'date'),
      p('tags', 'text', { list: true, optional: true }),
      p('meta', 'object', { optional: true }),
      p('order', 'object', {
        fields: [
          { id: 'f_total', key: 'total', type: 'number', list: false, optional: false },
          { id: 'f_items', key: 'items', type: 'object', list: true, optional: true },
        ],
      }),
      p('orders', 'object', { list: true, optional: true, fields: [{ id: 'f_id', key: 'id', type: 'text', list: false, optional: false }] }),
    ];
    const doc = await valid(build([workflow('send-invoice', parameters)]));
    const call = op(doc, '/api/1.1/wf/send-invoice', 'post');
    expect(call.operationId).toBe('sendInvoice');
    const json = call.requestBody!.content['application/json']!.schema;
    expect(call.requestBody!.content['application/x-www-form-urlencoded']!.schema).toEqual(json);
    expect(json.required).toEqual(['name', 'paid', 'due', 'order']);
    expect(json.properties).toMatchObject({
      name: { type: 'string' },
      amount: { type: 'number' },
      paid: { type: 'boolean' },
      due: { oneOf: [{ type: 'string', format: 'date-time' }, { type: 'integer' }] },
      tags: { type: 'array', items: { type: 'string' } },
      meta: { type: 'object', additionalProperties: true },
      order: {
        type: 'object',
        properties: { total: { type: 'number' }, items: { type: 'array', items: { type: 'object' } } },
        required: ['total'],
      },
      orders: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } },
    });
    expect(call.requestBody!.required).toBe(true);
  });

  it('lists the returned keys under a 200 and every error status', async () => {
    const doc = await valid(build([workflow('greet', [p('name', 'text')], {}, ['greeting', 'count'])]));
    const call = op(doc, '/api/1.1/wf/greet', 'post');
    expect(Object.keys(call.responses['200']!.content!['application/json'].schema.properties.response.properties!)).toEqual(['greeting', 'count']);
    expect(Object.keys(call.responses).sort()).toEqual(['200', '202', '400', '404', '409', '413', '415', '422', '429', '500', '503']);
    // Open to anyone: an empty security requirement, and no 401/403.
    expect(call.security).toEqual([{}]);
    expect(call.parameters.some((x) => x.$ref === '#/components/parameters/IdempotencyKey')).toBe(true);
    expect(doc.components.responses.TooManyRequests).toMatchObject({ headers: { 'retry-after': {} } });
  });

  it('reads GET parameters, and POST parameters marked fromQuery, from the query string', async () => {
    const doc = await valid(
      build([
        workflow('lookup', [p('id', 'text'), p('ids', 'number', { list: true, optional: true })], { method: 'GET' }),
        workflow('hook', [p('shop', 'text', { fromQuery: true }), p('payload', 'object')]),
      ]),
    );
    const get = op(doc, '/api/1.1/wf/lookup', 'get');
    expect(get.requestBody).toBeUndefined();
    expect(get.parameters.filter((x) => x.in === 'query')).toEqual([
      { name: 'id', in: 'query', required: true, schema: { type: 'string' } },
      { name: 'ids', in: 'query', required: false, schema: { type: 'array', items: { type: 'number' } }, style: 'form', explode: true },
    ]);
    expect(doc.paths['/api/1.1/wf/lookup']!.post).toBeUndefined();
    const post = op(doc, '/api/1.1/wf/hook', 'post');
    expect(post.parameters.filter((x) => x.in === 'query').map((x) => x.name)).toEqual(['shop']);
    expect(Object.keys(post.requestBody!.content['application/json']!.schema.properties)).toEqual(['payload']);
  });

  it('asks for a token (header or api_token) on admin_token endpoints, with 401 and 403', async () => {
    const doc = await valid(build([workflow('secure', [], NEW_ENDPOINT)]));
    const call = op(doc, '/api/1.1/wf/secure', 'post');
    expect(call.security).toEqual([{ bearerToken: [] }, { apiTokenQuery: [] }]);
    expect(call.responses['401']).toBeDefined();
    expect(call.responses['403']).toBeDefined();
    expect(doc.components.securitySchemes).toMatchObject({
      bearerToken: { type: 'http', scheme: 'bearer' },
      apiTokenQuery: { type: 'apiKey', in: 'query', name: 'api_token' },
    });
    expect(op(doc, '/api/1.1/wf/secure/schedule', 'post').security).toEqual(call.security);
    expect(op(doc, '/api/1.1/scheduled/{run_id}', 'delete').security).toContainEqual({ bearerToken: [] });
  });

  it('describes the signature headers of a signed endpoint, and its 401', async () => {
    const doc = await valid(
      build([
        workflow('stripe-hook', [], { signature: { scheme: 'stripe', secretIds: ['s1'] } }),
        workflow('svix-hook', [], { signature: { scheme: 'standard_webhooks', secretIds: ['s2'] } }),
      ]),
    );
    const stripe = op(doc, '/api/1.1/wf/stripe-hook', 'post');
    expect(stripe.parameters.filter((x) => x.in === 'header' && x.required).map((x) => x.name)).toEqual(['stripe-signature']);
    expect(stripe.responses['401']).toBeDefined();
    expect(stripe.responses['403']).toBeUndefined();
    const svix = op(doc, '/api/1.1/wf/svix-hook', 'post');
    expect(svix.parameters.filter((x) => x.in === 'header' && x.required).map((x) => x.name)).toEqual(['webhook-id', 'webhook-timestamp', 'webhook-signature']);
  });

  it('leaves out endpoints that are not exposed and recurring workflows', async () => {
    const doc = await valid(build([workflow('hidden', [], { exposed: false }), recurringWorkflow(), workflow('shown', [])]));
    expect(Object.keys(doc.paths)).toEqual(['/api/1.1/wf/shown', '/api/1.1/wf/shown/schedule', '/api/1.1/scheduled/{run_id}']);
    expect(doc.tags.map((t) => t.name)).toEqual(['shown']);
  });

  it('describes the scheduling endpoints with the parameters nested, under /version-test for the draft', async () => {
    const doc = await valid(build([workflow('greet', [p('name', 'text'), p('when', 'date', { optional: true })])], 'draft'));
    expect(Object.keys(doc.paths)).toEqual(['/version-test/api/1.1/wf/greet', '/version-test/api/1.1/wf/greet/schedule', '/version-test/api/1.1/scheduled/{run_id}']);
    const schedule = op(doc, '/version-test/api/1.1/wf/greet/schedule', 'post');
    expect(schedule.operationId).toBe('greetSchedule');
    const body = schedule.requestBody!.content['application/json']!.schema;
    expect(body.required).toEqual(['scheduled_date']);
    expect(body.properties.parameters).toMatchObject({ properties: { name: { type: 'string' } }, required: ['name'] });
    expect(Object.keys(schedule.requestBody!.content)).toEqual(['application/json']);
    expect(op(doc, '/version-test/api/1.1/scheduled/{run_id}', 'delete').parameters[0]).toMatchObject({ name: 'run_id', in: 'path', required: true });
    expect(doc.servers[0]!.description).toMatch(/Draft/);
  });

  it('describes "Return 200 if the condition is not met" on the 200', async () => {
    const doc = await valid(build([workflow('soft', [], { okWhenSkipped: true }), workflow('strict', [])]));
    expect(op(doc, '/api/1.1/wf/soft', 'post').responses['400']!.$ref).toBe('#/components/responses/BadRequest');
    expect(op(doc, '/api/1.1/wf/strict', 'post').responses['400']!.$ref).toBe('#/components/responses/BadRequestOrSkipped');
  });

  it('gives every operation a unique id, even for many workflows', async () => {
    const many = Array.from({ length: 40 }, (_, i) => workflow(`flow-${i}`, [p('n', 'number')], i % 2 ? NEW_ENDPOINT : {}));
    const doc = await valid(build(many));
    const ids = Object.values(doc.paths).flatMap((item) => Object.values(item).map((o) => (o as Op).operationId));
    expect(new Set(ids).size).toBe(ids.length);
    expect(operationBase('a-b-2c')).toBe('aB2c');
  });
});

describe('openApiWorkflows (from the database)', () => {
  it('describes the drafts and the latest release, with the saved endpoint settings applied to both', async () => {
    const server = await startTestServer();
    try {
      const caller = server.caller(builder);
      const { id: greetId } = await caller.workflow.create({ name: 'greet', label: 'Say hello' });
      await caller.workflow.save({ id: greetId, graph: sampleGraph() });
      const { id: brokenId } = await caller.workflow.create({ name: 'broken', label: '' });
      await caller.workflow.save({ id: brokenId, graph: graphWith([{ id: 'log', action: { type: 'log', message: '{{nope}}' } }]) });

      // Nothing deployed yet: the live document is valid and empty.
      const live0 = await openApiWorkflows(server.db, 'live');
      expect(live0.workflows).toEqual([]);
      await valid(buildOpenApi({ environment: 'live', baseUrl: server.url, title: 't', ...live0 }));

      // The draft describes what compiles; a draft with errors has no definition to describe.
      const draft = await openApiWorkflows(server.db, 'draft');
      expect(draft.workflows.map((w) => [w.name, w.label])).toEqual([['greet', 'Say hello']]);

      await caller.workflow.save({ id: brokenId, graph: graphWith([]) });
      await caller.release.deploy();
      const live = await openApiWorkflows(server.db, 'live');
      expect(live.version).toBe('release 1');
      expect(live.workflows.map((w) => w.name)).toEqual(['broken', 'greet']);
      const doc = await valid(buildOpenApi({ environment: 'live', baseUrl: server.url, title: 't', ...live }));
      expect(op(doc, '/api/1.1/wf/greet', 'post').requestBody!.content['application/json']!.schema.required).toEqual(['amount']);

      // Locking an endpoint down applies to live at once, without a deploy.
      const locked = sampleGraph();
      const event = locked.nodes[0]!;
      if (event.type === 'apiEvent') event.data.endpoint = { ...NEW_ENDPOINT, exposed: false };
      await caller.workflow.save({ id: greetId, graph: locked });
      const after = buildOpenApi({ environment: 'live', baseUrl: server.url, title: 't', ...(await openApiWorkflows(server.db, 'live')) });
      expect(Object.keys(after.paths)).not.toContain('/api/1.1/wf/greet');
      expect(Object.keys(after.paths)).toContain('/api/1.1/wf/broken');
    } finally {
      await server.stop();
    }
  });
});
