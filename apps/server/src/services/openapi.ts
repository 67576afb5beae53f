import {
  CONDITION_NOT_MET,
  type FieldSpec,
  EndpointSettings,
  OPEN_ENDPOINT,
  type ParameterSpec,
  type ParameterType,
  SIGNATURE_SCHEMES,
  type WorkflowDefinition,
  compile,
  endpointSettings,
  isEventNode,
  parseDefinition,
} from '@switchyard/workflow';
import type { Db } from '../db/index.ts';
import { catalogOf, fromRow } from './workflows.ts';

/**
 * The OpenAPI 3.1 description of an environment's workflow endpoints, built from compiled
 * definitions and the saved endpoint settings. `buildOpenApi` is pure; `openApiWorkflows` reads what
 * it describes from the database; the HTTP route adds the base URL (PUBLIC_URL) and serves it. Only exposed API workflows appear, so the
 * document never names an endpoint that answers 404.
 */

export type OpenApiEnvironment = 'live' | 'draft';

export interface OpenApiWorkflow {
  id: string;
  name: string;
  label: string;
  definition: WorkflowDefinition;
  /** The saved workflow's settings (they apply to draft and live alike), not the release's copy. */
  endpoint: EndpointSettings;
}

export interface OpenApiInput {
  environment: OpenApiEnvironment;
  /** Where callers reach this instance, without a trailing slash: `https://flows.example.com`. */
  baseUrl: string;
  title: string;
  /** info.version: the release number for live, the draft for draft. */
  version?: string;
  workflows: readonly OpenApiWorkflow[];
}

/** A JSON Schema (2020-12, OpenAPI 3.1's dialect), as plain JSON. */
export type JsonSchema = { [key: string]: unknown };

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  servers: { url: string; description: string }[];
  tags: { name: string; description: string }[];
  paths: Record<string, Record<string, unknown>>;
  components: {
    schemas: Record<string, JsonSchema>;
    responses: Record<string, unknown>;
    parameters: Record<string, unknown>;
    securitySchemes: Record<string, unknown>;
  };
}

/** Path prefixes of the two environments, as the endpoints are registered. */
export const API_PREFIX: Record<OpenApiEnvironment, string> = { live: '/api/1.1', draft: '/version-test/api/1.1' };

/** Header names the endpoints use (see http/workflowEndpoints.ts). */
const RUN_ID_HEADER = 'x-switchyard-run-id';
const REPLAYED_HEADER = 'idempotent-replayed';
const TOKEN_QUERY_KEY = 'api_token';

const ref = (kind: 'schemas' | 'responses' | 'parameters', name: string) => ({ $ref: `#/components/${kind}/${name}` });

/** The JSON Schema of one value of a parameter's type (not a list). */
function scalarSchema(type: ParameterType, fields?: readonly FieldSpec[]): JsonSchema {
  switch (type) {
    case 'text':
      return { type: 'string' };
    case 'number':
      return { type: 'number' };
    case 'boolean':
      return { type: 'boolean', description: 'Form bodies and query strings may also say yes/no or true/false' };
    case 'date':
      return {
        oneOf: [
          { type: 'string', format: 'date-time', description: 'ISO 8601; a time without an offset is read as UTC' },
          { type: 'integer', description: 'Milliseconds since 1970-01-01T00:00:00Z' },
        ],
      };
    case 'object':
      if (!fields || fields.length === 0) return { type: 'object', additionalProperties: true };
      return objectSchema(fields, true);
  }
}

/** A parameter's or field's schema: its type, or an array of it. */
export function fieldSchema(spec: FieldSpec & { fields?: readonly FieldSpec[] }): JsonSchema {
  const one = scalarSchema(spec.type, spec.fields);
  return spec.list ? { type: 'array', items: one } : one;
}

/** An object of fields; undeclared keys are kept as sent (objects) or ignored (bodies). */
function objectSchema(fields: readonly FieldSpec[], additional: boolean): JsonSchema {
  const required = fields.filter((f) => !f.optional).map((f) => f.key);
  return {
    type: 'object',
    properties: Object.fromEntries(fields.map((f) => [f.key, fieldSchema(f)])),
    ...(required.length > 0 && { required }),
    additionalProperties: additional,
  };
}

/** The keys a successful call returns: every "Return data from API" step's keys, in order, once each. */
export function returnedKeys(definition: WorkflowDefinition): string[] {
  const keys = new Set<string>();
  for (const step of definition.steps) {
    if (step.type !== 'returnData') continue;
    const entries = (step.config as { entries?: { key?: unknown }[] } | null)?.entries;
    for (const entry of entries ?? []) if (typeof entry.key === 'string') keys.add(entry.key);
  }
  return [...keys];
}

/** camelCase of a workflow name (`send-invoice` -> `sendInvoice`), the base of its operationIds. */
export function operationBase(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function isApiWorkflow(w: OpenApiWorkflow): w is OpenApiWorkflow & { definition: WorkflowDefinition & { trigger: { type: 'api' } } } {
  return w.definition.trigger.type === 'api' && w.endpoint.exposed;
}

export function buildOpenApi(input: OpenApiInput): OpenApiDocument {
  const prefix = API_PREFIX[input.environment];
  const workflows = input.workflows.filter(isApiWorkflow).sort((a, b) => a.name.localeCompare(b.name));
  const anyToken = workflows.some((w) => w.endpoint.auth === 'admin_token');

  const paths: OpenApiDocument['paths'] = {};
  for (const workflow of workflows) {
    const base = operationBase(workflow.name);
    paths[`${prefix}/wf/${workflow.name}`] = { [workflow.endpoint.method.toLowerCase()]: callOperation(workflow, base) };
    paths[`${prefix}/wf/${workflow.name}/schedule`] = { post: scheduleOperation(workflow, base) };
  }
  if (workflows.length > 0) paths[`${prefix}/scheduled/{run_id}`] = { delete: cancelOperation(anyToken) };

  const environmentWords = input.environment === 'live' ? 'the deployed release (live)' : 'the saved drafts (version-test)';
  return {
    openapi: '3.1.0',
    info: {
      title: input.title,
      version: input.version ?? (input.environment === 'live' ? 'live' : 'draft'),
      description:
        `The workflow endpoints of ${environmentWords}. Bodies are JSON or form-encoded; form values are text, ` +
        'converted to each parameter\'s type. Every answer about a run carries its id in the ' +
        `\`${RUN_ID_HEADER}\` header.`,
    },
    servers: [{ url: input.baseUrl.replace(/\/+$/, ''), description: input.environment === 'live' ? 'Live' : 'Draft (version-test)' }],
    tags: workflows.map((w) => ({ name: w.name, description: w.label || w.name })),
    paths,
    components: {
      schemas: SHARED_SCHEMAS,
      responses: SHARED_RESPONSES,
      parameters: SHARED_PARAMETERS,
      securitySchemes: {
        bearerToken: { type: 'http', scheme: 'bearer', description: 'An API token made by an admin in Settings: `Authorization: Bearer <token>`' },
        apiTokenQuery: {
          type: 'apiKey',
          in: 'query',
          name: TOKEN_QUERY_KEY,
          description: 'The same token in the query string, for callers that cannot set headers. It ends up in proxies\' logs: prefer the header.',
        },
      },
    },
  };
}

/** Operation-level security: a token for admin_token endpoints, none (an empty requirement) otherwise. */
function securityOf(endpoint: EndpointSettings): Record<string, string[]>[] {
  return endpoint.auth === 'admin_token' ? [{ bearerToken: [] }, { apiTokenQuery: [] }] : [{}];
}

/** The header parameters a signed endpoint needs, described with the scheme. */
function signatureParameters(endpoint: EndpointSettings): unknown[] {
  if (!endpoint.signature) return [];
  const scheme = SIGNATURE_SCHEMES[endpoint.signature.scheme];
  return scheme.headers.map((header) => ({
    name: header,
    in: 'header',
    required: true,
    description: `${scheme.label} signature header, checked over the raw body with a 5-minute timestamp tolerance`,
    schema: { type: 'string' },
  }));
}

function signatureWords(endpoint: EndpointSettings): string {
  if (!endpoint.signature) return '';
  const scheme = SIGNATURE_SCHEMES[endpoint.signature.scheme];
  return ` Calls must be signed (${scheme.label}: ${scheme.headers.join(', ')}); a missing or wrong signature gets 401 before any run exists.`;
}

function queryParameter(spec: ParameterSpec): unknown {
  return {
    name: spec.key,
    in: 'query',
    required: !spec.optional,
    schema: fieldSchema(spec),
    ...(spec.list && { style: 'form', explode: true }),
  };
}

function callOperation(workflow: OpenApiWorkflow & { definition: { trigger: { type: 'api' } } }, base: string) {
  const { endpoint, definition } = workflow;
  const parameters = definition.trigger.parameters;
  const inQuery = endpoint.method === 'GET' ? parameters : parameters.filter((p) => p.fromQuery);
  const inBody = endpoint.method === 'GET' ? [] : parameters.filter((p) => !p.fromQuery);
  const keys = returnedKeys(definition);
  const responseSchema: JsonSchema =
    keys.length > 0
      ? { type: 'object', properties: Object.fromEntries(keys.map((k) => [k, { description: 'Any JSON value the step returns' }])) }
      : { type: 'object' };
  const token = endpoint.auth === 'admin_token';
  const signed = endpoint.signature !== null;

  const responses: Record<string, unknown> = {
    '200': {
      description: endpoint.okWhenSkipped
        ? `The run succeeded, with the returned data. Also when the "Only when" condition was not met: then \`response\` is empty and \`message\` says "${CONDITION_NOT_MET}".`
        : 'The run succeeded, with the returned data',
      headers: { [RUN_ID_HEADER]: RUN_ID_HEADER_OBJECT, [REPLAYED_HEADER]: REPLAYED_HEADER_OBJECT },
      content: {
        'application/json': {
          schema: {
            type: 'object',
            properties: { status: { const: 'success' }, response: responseSchema, message: { type: 'string' }, run_id: { type: 'string' } },
            required: ['status', 'response'],
          },
        },
      },
    },
    '202': ref('responses', 'Accepted'),
    '400': endpoint.okWhenSkipped ? ref('responses', 'BadRequest') : ref('responses', 'BadRequestOrSkipped'),
    ...((token || signed) && { '401': ref('responses', 'Unauthorized') }),
    ...(token && { '403': ref('responses', 'Forbidden') }),
    '404': ref('responses', 'NotFound'),
    '409': ref('responses', 'Conflict'),
    '413': ref('responses', 'TooLarge'),
    '415': ref('responses', 'UnsupportedMediaType'),
    '422': ref('responses', 'IdempotencyKeyReused'),
    '429': ref('responses', 'TooManyRequests'),
    '500': ref('responses', 'StepFailed'),
    '503': ref('responses', 'Unavailable'),
  };
  return {
    operationId: base,
    tags: [workflow.name],
    summary: workflow.label || workflow.name,
    description:
      `Runs the workflow "${workflow.name}".` +
      (token ? ' Needs an API token whose scope includes this workflow.' : ' Needs no credentials.') +
      signatureWords(endpoint),
    security: securityOf(endpoint),
    parameters: [...inQuery.map(queryParameter), ref('parameters', 'IdempotencyKey'), ...signatureParameters(endpoint)],
    ...(endpoint.method === 'POST' && {
      requestBody: {
        required: inBody.some((p) => !p.optional),
        content: {
          'application/json': { schema: objectSchema(inBody, true) },
          'application/x-www-form-urlencoded': { schema: objectSchema(inBody, true) },
        },
      },
    }),
    responses,
  };
}

function scheduleOperation(workflow: OpenApiWorkflow & { definition: { trigger: { type: 'api' } } }, base: string) {
  const { endpoint, definition } = workflow;
  const token = endpoint.auth === 'admin_token';
  return {
    operationId: `${base}Schedule`,
    tags: [workflow.name],
    summary: `Schedule ${workflow.label || workflow.name} for later`,
    description:
      'Records a run due at `scheduled_date`, its parameters checked as the endpoint checks them. ' +
      'Takes JSON only (the parameters nest). Cancel it with DELETE .../scheduled/{run_id} while it has not started.' +
      (token ? ' Needs an API token whose scope includes this workflow.' : '') +
      signatureWords(endpoint),
    security: securityOf(endpoint),
    parameters: signatureParameters(endpoint),
    requestBody: {
      required: true,
      content: {
        'application/json': {
          schema: {
            type: 'object',
            properties: {
              scheduled_date: scalarSchema('date'),
              parameters: objectSchema(definition.trigger.parameters, true),
            },
            required: ['scheduled_date'],
            additionalProperties: false,
          },
        },
      },
    },
    responses: {
      '200': ref('responses', 'Scheduled'),
      '400': ref('responses', 'BadRequest'),
      ...(token || endpoint.signature ? { '401': ref('responses', 'Unauthorized') } : {}),
      ...(token && { '403': ref('responses', 'Forbidden') }),
      '404': ref('responses', 'NotFound'),
      '413': ref('responses', 'TooLarge'),
      '415': ref('responses', 'UnsupportedMediaType'),
      '429': ref('responses', 'TooManyRequests'),
      '503': ref('responses', 'Unavailable'),
    },
  };
}

function cancelOperation(anyToken: boolean) {
  return {
    operationId: 'cancelScheduledRun',
    summary: 'Cancel a scheduled run',
    description: 'Cancels a run of this environment that has not started. The credentials needed are those of the run\'s workflow.',
    // Which requirement applies depends on the run's workflow: a token, or none.
    security: anyToken ? [{ bearerToken: [] }, { apiTokenQuery: [] }, {}] : [{}],
    parameters: [{ name: 'run_id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
    responses: {
      '200': ref('responses', 'Scheduled'),
      ...(anyToken && { '401': ref('responses', 'Unauthorized'), '403': ref('responses', 'Forbidden') }),
      '404': ref('responses', 'NotFound'),
      '409': { description: 'The run has already started, ended or been cancelled', content: errorContent() },
      '429': ref('responses', 'TooManyRequests'),
    },
  };
}

const RUN_ID_HEADER_OBJECT = { description: 'The id of the run this answer is about', schema: { type: 'string', format: 'uuid' } };
const REPLAYED_HEADER_OBJECT = { description: '"true" when this is the stored first answer to a repeated Idempotency-Key', schema: { type: 'string', enum: ['true'] } };

function errorContent(extra: JsonSchema = {}) {
  return { 'application/json': { schema: { allOf: [ref('schemas', 'Error'), extra] } } };
}

const SHARED_SCHEMAS: Record<string, JsonSchema> = {
  Error: {
    type: 'object',
    properties: {
      status: { const: 'error' },
      message: { type: 'string', description: 'What is wrong, in a sentence' },
      run_id: { type: 'string', description: 'The run this answer is about, when one exists' },
    },
    required: ['status', 'message'],
  },
  ParameterErrors: {
    type: 'object',
    properties: {
      errors: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            parameter: { type: ['string', 'null'], description: 'The parameter (`items[2]`, `order.total`); null for the body as a whole' },
            message: { type: 'string' },
          },
          required: ['parameter', 'message'],
        },
      },
    },
  },
  RunId: {
    type: 'object',
    properties: { run_id: { type: 'string', format: 'uuid' } },
    required: ['run_id'],
  },
};

const runIdHeaders = { [RUN_ID_HEADER]: RUN_ID_HEADER_OBJECT };

const SHARED_RESPONSES: Record<string, unknown> = {
  Accepted: {
    description: 'The run is durably queued: the workflow responds at once, or it had not ended within the synchronous wait limit',
    headers: { ...runIdHeaders, [REPLAYED_HEADER]: REPLAYED_HEADER_OBJECT },
    content: {
      'application/json': {
        schema: { type: 'object', properties: { status: { const: 'accepted' }, response: ref('schemas', 'RunId') }, required: ['status', 'response'] },
      },
    },
  },
  Scheduled: {
    description: 'Done; the run id is in the body and the header',
    headers: runIdHeaders,
    content: {
      'application/json': {
        schema: { type: 'object', properties: { status: { const: 'success' }, response: ref('schemas', 'RunId') }, required: ['status', 'response'] },
      },
    },
  },
  BadRequest: {
    description: 'A missing or wrongly typed parameter, or a malformed body; `errors` names each parameter',
    content: errorContent(ref('schemas', 'ParameterErrors')),
  },
  BadRequestOrSkipped: {
    description: `A missing or wrongly typed parameter, or a malformed body (\`errors\` names each parameter); or "${CONDITION_NOT_MET}" (the run is recorded as skipped, with \`run_id\`)`,
    content: errorContent(ref('schemas', 'ParameterErrors')),
  },
  Unauthorized: { description: 'A missing or unknown API token, or a missing or wrong signature', content: errorContent() },
  Forbidden: { description: 'The token may not run this workflow', content: errorContent() },
  NotFound: { description: 'No such workflow here (not deployed, not exposed, or the Workflow API is disabled)', content: errorContent() },
  Conflict: { description: 'A call with the same Idempotency-Key is still running, or the run was cancelled', content: errorContent() },
  TooLarge: { description: 'The body is over the instance\'s limit', content: errorContent() },
  UnsupportedMediaType: { description: 'The body is neither JSON nor form-encoded', content: errorContent() },
  IdempotencyKeyReused: { description: 'This Idempotency-Key was already used with a different request body', content: errorContent() },
  TooManyRequests: {
    description: 'Over the rate limit of the token or the client address',
    headers: { 'retry-after': { description: 'Seconds to wait before trying again', schema: { type: 'integer' } } },
    content: errorContent(),
  },
  StepFailed: { description: 'A step failed (after the workflow\'s retries); the message names it', headers: runIdHeaders, content: errorContent() },
  Unavailable: { description: 'The server is starting, stopping or cannot write its database; try again', content: errorContent() },
};

const SHARED_PARAMETERS: Record<string, unknown> = {
  IdempotencyKey: {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description:
      'Makes a repeat within 24 hours return the first answer (status, body and run id, with `idempotent-replayed: true`) without a second run. ' +
      'The same key with a different body gets 422; a repeat while the first is running gets 409.',
    schema: { type: 'string', maxLength: 255 },
  },
};

/**
 * The workflows an environment's document describes, read from the database: for `draft`, every
 * saved workflow that compiles (one with errors answers 400 until fixed, and has no definition to
 * describe); for `live`, the latest release's definitions under their released names. Both take
 * the endpoint settings of the saved workflow, as calls do (locking an endpoint down applies to
 * live at once); a workflow deleted while still live keeps the settings it was released with.
 */
export async function openApiWorkflows(db: Db, environment: OpenApiEnvironment): Promise<{ workflows: OpenApiWorkflow[]; version: string }> {
  const saved = (await db.workflow.findMany({ orderBy: { name: 'asc' } })).map(fromRow);
  const savedById = new Map(saved.map((w) => [w.id, w]));
  const savedEndpoint = (id: string) => {
    const workflow = savedById.get(id);
    return workflow ? endpointSettings(workflow.graph.nodes.find(isEventNode)) : undefined;
  };
  if (environment === 'draft') {
    const catalog = catalogOf(saved);
    const workflows = saved.flatMap((workflow) => {
      const { definition } = compile(workflow.name, workflow.graph, { workflowId: workflow.id, workflows: catalog });
      const endpoint = savedEndpoint(workflow.id);
      return definition && endpoint ? [{ id: workflow.id, name: workflow.name, label: workflow.label, definition, endpoint }] : [];
    });
    return { workflows, version: 'draft' };
  }
  const release = await db.release.findFirst({ orderBy: { number: 'desc' }, select: { number: true, workflows: true } });
  if (!release) return { workflows: [], version: 'no release yet' };
  // Deleted workflows still live answer with the settings they were last saved with (as calls do).
  const deleted = new Map(
    (await db.deletedLiveEndpoint.findMany({ where: { workflowId: { in: release.workflows.filter((w) => !savedById.has(w.workflowId)).map((w) => w.workflowId) } } })).map(
      (row) => [row.workflowId, EndpointSettings.parse(JSON.parse(row.endpoint))],
    ),
  );
  const workflows = release.workflows.flatMap((row) => {
    const definition = parseDefinition(JSON.parse(row.definition));
    if (definition.trigger.type !== 'api') return [];
    // A saved workflow whose event is no longer an API event: its live endpoint follows the release.
    const endpoint = savedEndpoint(row.workflowId) ?? deleted.get(row.workflowId) ?? definition.trigger.endpoint ?? OPEN_ENDPOINT;
    return [{ id: row.workflowId, name: row.name, label: savedById.get(row.workflowId)?.label ?? '', definition, endpoint }];
  });
  return { workflows, version: `release ${release.number}` };
}
