import { z } from 'zod';
import { GRAPH_SCHEMA_VERSION, WorkflowGraph } from './graph.ts';
import type { NameTable } from './references.ts';
import { toStoredText } from './references.ts';
import { DEFAULT_SETTINGS } from './settings.ts';

/**
 * Stored documents of every schema version still load: each version's migration turns it into the
 * next, in order (tldraw's store migrations are the model). Drafts in the database, export files
 * and anything else that holds a graph go through `parseStoredGraph`.
 */

const V1Id = z.string().min(1).max(64);
const V1Parameter = z.object({ id: V1Id, key: z.string().max(100), type: z.enum(['text', 'number', 'boolean', 'date']), optional: z.boolean() });
const V1Graph = z.object({
  schemaVersion: z.literal(1),
  nodes: z
    .array(
      z.discriminatedUnion('type', [
        z.object({ id: V1Id, type: z.literal('apiEvent'), position: z.object({ x: z.number(), y: z.number() }), data: z.object({ parameters: z.array(V1Parameter).max(100) }) }),
        z.object({
          id: V1Id,
          type: z.literal('action'),
          position: z.object({ x: z.number(), y: z.number() }),
          data: z.object({
            title: z.string().max(200).optional(),
            onlyWhen: z.string().max(10_000).optional(),
            action: z.discriminatedUnion('type', [
              z.object({ type: z.literal('log'), message: z.string().max(10_000) }),
              z.object({ type: z.literal('returnData'), entries: z.array(z.object({ id: V1Id, key: z.string().max(100), value: z.string().max(10_000) })).max(200) }),
            ]),
          }),
        }),
      ]),
    )
    .max(5000),
  edges: z.array(z.object({ id: V1Id, source: V1Id, target: V1Id })).max(10_000),
});
type V1Graph = z.infer<typeof V1Graph>;

const SAFE_ID = /^[A-Za-z0-9_]{1,64}$/;

/**
 * Makes ids identifier-safe (version 2 writes references as `$<id>`), keeping them unique. Ids
 * that are safe already keep their spelling (run records and the canvas know nodes by id); the
 * others take what is left. `taken` ids are avoided altogether.
 */
function safeIds(ids: readonly string[], taken: ReadonlySet<string> = new Set()): Map<string, string> {
  const used = new Set(taken);
  const mapped = new Map<string, string>();
  for (const id of ids) {
    if (SAFE_ID.test(id) && !used.has(id) && !mapped.has(id)) {
      used.add(id);
      mapped.set(id, id);
    }
  }
  for (const id of ids) {
    if (mapped.has(id)) continue;
    const base = id.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 56) || 'id';
    let next = base;
    for (let n = 2; used.has(next); n++) next = `${base}_${n}`;
    used.add(next);
    mapped.set(id, next);
  }
  return mapped;
}

/**
 * Version 1 -> 2: ids become identifier-safe; expressions, which named parameters by key, now
 * reference them by id; parameters get `list: false`; the event gets the default settings.
 */
export function migrateV1Graph(v1: V1Graph): unknown {
  const nodeIds = safeIds(v1.nodes.map((n) => n.id));
  const event = v1.nodes.find((n) => n.type === 'apiEvent');
  const params = event?.type === 'apiEvent' ? event.data.parameters : [];
  // Parameters and nodes share one namespace in version 2; nodes keep theirs, parameters give way.
  const paramIds = safeIds(
    params.map((p) => p.id),
    new Set(nodeIds.values()),
  );
  const edgeIds = safeIds(v1.edges.map((e) => e.id));
  const entryIds = safeIds(v1.nodes.flatMap((n) => (n.type === 'action' && n.data.action.type === 'returnData' ? n.data.action.entries.map((e) => e.id) : [])));
  const nodeId = (id: string) => nodeIds.get(id) ?? id;
  const table: NameTable = {
    paramKey: new Map(params.map((p) => [paramIds.get(p.id)!, p.key.trim()])),
    paramByKey: new Map(),
    fieldKey: new Map(),
    fieldByKey: new Map(),
    stepName: new Map(),
    stepByName: new Map(),
  };
  for (const p of params) if (p.key.trim() && !table.paramByKey.has(p.key.trim())) table.paramByKey.set(p.key.trim(), paramIds.get(p.id)!);
  const bind = (text: string, kind: 'template' | 'expression') => toStoredText(text, kind, table);

  return {
    schemaVersion: 2,
    nodes: v1.nodes.map((node) => {
      if (node.type === 'apiEvent') {
        return {
          ...node,
          id: nodeId(node.id),
          data: { parameters: node.data.parameters.map((p) => ({ ...p, id: paramIds.get(p.id)!, list: false })), settings: DEFAULT_SETTINGS, typing: 'lenient' },
        };
      }
      const action = node.data.action;
      return {
        ...node,
        id: nodeId(node.id),
        data: {
          ...node.data,
          ...(node.data.onlyWhen !== undefined && { onlyWhen: bind(node.data.onlyWhen, 'expression') }),
          action:
            action.type === 'log'
              ? { type: 'log', message: bind(action.message, 'template') }
              : { type: 'returnData', entries: action.entries.map((e) => ({ id: entryIds.get(e.id)!, key: e.key, value: bind(e.value, 'template') })) },
        },
      };
    }),
    edges: v1.edges.map((e) => ({ id: edgeIds.get(e.id)!, source: nodeId(e.source), target: nodeId(e.target) })),
  };
}

/** Reads a stored graph of any known schema version and returns the current version. */
export function parseStoredGraph(raw: unknown): z.ZodSafeParseResult<WorkflowGraph> {
  const version = (raw as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (version === 1) {
    const v1 = V1Graph.safeParse(raw);
    if (!v1.success) return v1 as unknown as z.ZodSafeParseResult<WorkflowGraph>;
    return WorkflowGraph.safeParse(migrateV1Graph(v1.data));
  }
  return WorkflowGraph.safeParse(raw);
}

export { GRAPH_SCHEMA_VERSION };
