import type { EndpointSettings, Parameter, ParameterType } from '@switchyard/workflow';

/** A value of each type to show in examples. */
const SAMPLES: Record<ParameterType, unknown> = { text: 'text', number: 1, boolean: true, date: '2026-12-01T09:00:00Z', object: {} };

function sample(parameter: Parameter): unknown {
  const one = parameter.type === 'object' && parameter.fields?.length ? Object.fromEntries(parameter.fields.map((f) => [f.key, SAMPLES[f.type]])) : SAMPLES[parameter.type];
  return parameter.list ? [one] : one;
}

/** Single quotes for a POSIX shell: a ' inside becomes '\''. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export interface CurlInput {
  /** The instance's base URL, such as https://flows.example.com */
  baseUrl: string;
  environment: 'draft' | 'live';
  name: string;
  endpoint: EndpointSettings;
  parameters: Parameter[];
}

/**
 * A ready curl command for a workflow endpoint: its method, a token placeholder when a token is
 * required, the parameters with sample values (in the query string for GET and for parameters read
 * from it, else a JSON body), and the signature header named when calls must be signed.
 */
export function curlExample({ baseUrl, environment, name, endpoint, parameters }: CurlInput): string {
  const path = `${environment === 'draft' ? '/version-test' : ''}/api/1.1/wf/${name}`;
  const keyed = parameters.filter((p) => p.key.trim() !== '');
  const inQuery = keyed.filter((p) => endpoint.method === 'GET' || p.fromQuery);
  const inBody = endpoint.method === 'GET' ? [] : keyed.filter((p) => !p.fromQuery);
  // A list repeats its key, as forms do.
  const query = new URLSearchParams(inQuery.flatMap((p) => (p.list ? [sample(p)].flat() : [sample(p)]).map((v) => [p.key, formatQueryValue(v)]))).toString();
  const lines = [`curl -X ${endpoint.method} ${shellQuote(`${baseUrl}${path}${query ? `?${query}` : ''}`)}`];
  if (endpoint.auth === 'admin_token') lines.push(`-H ${shellQuote('authorization: Bearer <token>')}`);
  if (endpoint.signature) lines.push(`-H ${shellQuote(`${signatureHeader(endpoint.signature.scheme)}: <signature>`)}`);
  if (endpoint.method === 'POST') {
    lines.push(`-H ${shellQuote('content-type: application/json')}`);
    lines.push(`-d ${shellQuote(JSON.stringify(Object.fromEntries(inBody.map((p) => [p.key, sample(p)]))))}`);
  }
  return lines.join(' \\\n  ');
}

function formatQueryValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function signatureHeader(scheme: NonNullable<EndpointSettings['signature']>['scheme']): string {
  return { standard_webhooks: 'webhook-signature', stripe: 'stripe-signature', github: 'x-hub-signature-256' }[scheme];
}
