import { z } from 'zod';
import { SIGNATURE_SCHEMES, endpointSettings, isEventNode } from '@switchyard/workflow';
import type { Db } from '../db/index.ts';
import { badRequest, notFound } from './errors.ts';
import { fromRow } from './workflows.ts';

/**
 * "Detect data": a builder opens it on a workflow's API event, sends one sample request to
 * `.../wf/<name>/initialize`, and the editor proposes parameters from it (the kernel's
 * `detectParameters`). The session is the gate: the endpoint takes a request only while one is open
 * for that workflow, once, for ten minutes.
 */

/** How long a session waits for its sample. */
export const DETECT_MINUTES = 10;

/** Headers never kept, even when asked: credentials and signatures. */
const DROPPED_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'x-hub-signature',
  ...Object.values(SIGNATURE_SCHEMES).flatMap((scheme) => scheme.headers.filter((h) => /signature/.test(h))),
]);

/** The query string's token parameter (`?api_token=`) is a credential too. */
const DROPPED_QUERY_KEYS = new Set(['api_token']);

/** What a capture keeps of the request: the same shape in the database and in `detect.result`. */
export const DetectSample = z.object({
  /** The parsed body: a JSON value, or a form's fields (text, or lists of text). */
  body: z.unknown(),
  /** `form`: every value is text, read by what it looks like. */
  contentType: z.enum(['json', 'form', 'none']),
  query: z.record(z.string(), z.union([z.string(), z.array(z.string())])),
  /** Only when the builder asked, lower-cased names, credentials and signatures dropped. */
  headers: z.record(z.string(), z.string()).optional(),
});
export type DetectSample = z.infer<typeof DetectSample>;

export type DetectState =
  | { state: 'closed' }
  | { state: 'waiting'; expiresAt: Date; includeHeaders: boolean }
  | { state: 'expired'; expiresAt: Date }
  | { state: 'captured'; capturedAt: Date; sample: DetectSample };

/** Opens (or opens again, forgetting an earlier sample) Detect data on an API workflow. */
export async function startDetect(db: Db, input: { workflowId: string; includeHeaders: boolean; userId: string; now: Date }): Promise<{ expiresAt: Date }> {
  const row = await db.workflow.findUnique({ where: { id: input.workflowId } });
  if (!row) throw notFound('This workflow does not exist (it may have been deleted)');
  const event = fromRow(row).graph.nodes.find(isEventNode);
  if (!endpointSettings(event)) throw badRequest('Detect data needs an API workflow: this workflow\'s event has no endpoint');
  const expiresAt = new Date(input.now.getTime() + DETECT_MINUTES * 60_000);
  const data = { openedBy: input.userId, includeHeaders: input.includeHeaders, openedAt: input.now, expiresAt, sample: null, capturedAt: null };
  await db.detectSession.upsert({ where: { workflowId: input.workflowId }, create: { workflowId: input.workflowId, ...data }, update: data });
  return { expiresAt };
}

/** Closes Detect data (the dialog closed): the endpoint answers 404 again and the sample is gone. */
export async function stopDetect(db: Db, workflowId: string): Promise<void> {
  await db.detectSession.deleteMany({ where: { workflowId } });
}

/** What the editor polls: still waiting, expired, or the sample. */
export async function detectResult(db: Db, workflowId: string, now: Date): Promise<DetectState> {
  const row = await db.detectSession.findUnique({ where: { workflowId } });
  if (!row) return { state: 'closed' };
  if (row.sample !== null && row.capturedAt) return { state: 'captured', capturedAt: row.capturedAt, sample: DetectSample.parse(JSON.parse(row.sample)) };
  if (row.expiresAt <= now) return { state: 'expired', expiresAt: row.expiresAt };
  return { state: 'waiting', expiresAt: row.expiresAt, includeHeaders: row.includeHeaders };
}

export interface IncomingSample {
  body: unknown;
  contentType: DetectSample['contentType'];
  query: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * Takes a sample for the workflow named `name` if Detect data is open for it: once (a conditional
 * update, so of two racing requests one is taken), before it expires. Returns the sample as kept,
 * or null when nothing is open (the caller answers 404).
 */
export async function captureSample(db: Db, name: string, incoming: IncomingSample, now: Date): Promise<DetectSample | null> {
  const workflow = await db.workflow.findUnique({ where: { name }, select: { id: true } });
  if (!workflow) return null;
  const session = await db.detectSession.findUnique({ where: { workflowId: workflow.id } });
  if (!session || session.sample !== null || session.expiresAt <= now) return null;
  const sample: DetectSample = {
    body: incoming.body,
    contentType: incoming.contentType,
    query: keptQuery(incoming.query),
    ...(session.includeHeaders && { headers: keptHeaders(incoming.headers) }),
  };
  const { count } = await db.detectSession.updateMany({
    where: { workflowId: workflow.id, sample: null, expiresAt: { gt: now }, openedAt: session.openedAt },
    data: { sample: JSON.stringify(sample), capturedAt: now },
  });
  return count === 1 ? sample : null;
}

function keptQuery(query: Record<string, unknown>): DetectSample['query'] {
  const kept: DetectSample['query'] = {};
  for (const [key, value] of Object.entries(query)) {
    if (DROPPED_QUERY_KEYS.has(key)) continue;
    if (typeof value === 'string') kept[key] = value;
    else if (Array.isArray(value)) kept[key] = value.map(String);
  }
  return kept;
}

function keptHeaders(headers: IncomingSample['headers']): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || DROPPED_HEADERS.has(lower)) continue;
    kept[lower] = Array.isArray(value) ? value.join(', ') : value;
  }
  return kept;
}

/** The sentence the sender gets: what was taken, so a wrong body is noticed at once. */
export function describeCapture(sample: DetectSample): string {
  const keys = [
    ...(sample.body && typeof sample.body === 'object' && !Array.isArray(sample.body) ? Object.keys(sample.body) : []),
    ...Object.keys(sample.query),
  ];
  const shown = keys.slice(0, 10).join(', ') + (keys.length > 10 ? `, and ${keys.length - 10} more` : '');
  const headers = sample.headers ? ` and ${Object.keys(sample.headers).length} headers` : '';
  return keys.length > 0
    ? `Sample captured: ${keys.length} ${keys.length === 1 ? 'key' : 'keys'} (${shown})${headers}. Review the proposed parameters in the editor.`
    : `Sample captured, with no keys${headers}. Review it in the editor.`;
}
