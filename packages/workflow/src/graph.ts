import { z } from 'zod';
import { ACTION_MODULES, type AnyActionConfig } from './actions/registry.ts';
import { EndpointSettings, NEW_ENDPOINT, OPEN_ENDPOINT } from './endpoint.ts';
import { Id } from './ids.ts';
import { RecurrenceSpec } from './recurrence.ts';
import { LIMITS } from './limits.ts';
import { WorkflowSettings } from './settings.ts';

/**
 * The editor's document for one workflow, as stored and as sent over the wire (schema version 2).
 * Nodes, parameters and fields have stable ids chosen by the editor; expressions reference
 * parameters and steps by those ids (`$<id>`, see references.ts), never by display name.
 * Older versions are read through `parseStoredGraph`, which migrates them (migrations.ts).
 */
export const GRAPH_SCHEMA_VERSION = 2;

export { Id };

export const Position = z.object({ x: z.number().finite(), y: z.number().finite() });
export type Position = z.infer<typeof Position>;

/** The types a parameter or field may have. `boolean` is shown as "yes / no"; `object` is any JSON object. */
export const ParameterType = z.enum(['text', 'number', 'boolean', 'date', 'object']);
export type ParameterType = z.infer<typeof ParameterType>;

/** A declared field of an object parameter. */
export const ObjectField = z.object({
  id: Id,
  /** The JSON key in the object. */
  key: z.string().max(100),
  type: ParameterType,
  /** A list of values of `type`. */
  list: z.boolean().default(false),
  optional: z.boolean().default(true),
});
export type ObjectField = z.infer<typeof ObjectField>;

/** A typed input of an API workflow, read from the body of the call. */
export const Parameter = z.object({
  /** Stable id: expressions and diagnostics refer to the parameter by it, so renaming the key breaks nothing. */
  id: Id,
  /** The JSON key callers send, and the name the editor shows in expressions. */
  key: z.string().max(100),
  type: ParameterType,
  /** A list of values of `type` (a JSON array). */
  list: z.boolean().default(false),
  /** An optional parameter may be left out; a required one gets a 400 when missing. */
  optional: z.boolean(),
  /** For `object`: the fields expressions may read, with their types. None declared: any JSON object. */
  fields: z.array(ObjectField).max(100).optional(),
  /** Read from the query string even when the endpoint's method is POST (webhook senders that put ids in the URL). */
  fromQuery: z.boolean().optional(),
});
export type Parameter = z.infer<typeof Parameter>;

const expressionText = z.string().max(LIMITS.expressionChars);

/** The configuration of an action node: one of the registered action modules' stored forms. */
export const ActionConfig = z.discriminatedUnion(
  'type',
  ACTION_MODULES.map((m) => m.config) as unknown as Parameters<typeof z.discriminatedUnion>[1],
) as unknown as z.ZodType<AnyActionConfig>;
export type ActionConfig = AnyActionConfig;

/** The trigger of an API workflow: its parameters, its condition and how it runs. */
export const ApiEventNode = z.object({
  id: Id,
  type: z.literal('apiEvent'),
  position: Position,
  data: z.object({
    parameters: z.array(Parameter).max(100),
    /** "Only when": when false the run is recorded as skipped and the caller gets 400. Empty: always. */
    onlyWhen: expressionText.optional(),
    settings: WorkflowSettings.default(WorkflowSettings.parse({})),
    /**
     * "lenient": made before typed expressions (migrated from schema version 1); names must
     * resolve but type rules are not enforced, so it behaves exactly as it did. Absent: strict.
     */
    typing: z.literal('lenient').optional(),
    /** Who may call the endpoint and how; absent (documents saved before it existed): open, as it was. */
    endpoint: EndpointSettings.optional(),
  }),
});
export type ApiEventNode = z.infer<typeof ApiEventNode>;

/**
 * The trigger of a recurring job: a schedule (cron or every N units, in a time zone) and the
 * missed-fire policy. It has no parameters; admins switch it on per environment.
 */
export const RecurringEventNode = z.object({
  id: Id,
  type: z.literal('recurringEvent'),
  position: Position,
  data: z.object({
    schedule: RecurrenceSpec,
    /** "Only when": when false the fire is recorded as skipped. Empty: always. */
    onlyWhen: expressionText.optional(),
    settings: WorkflowSettings.default(WorkflowSettings.parse({})),
  }),
});
export type RecurringEventNode = z.infer<typeof RecurringEventNode>;

/** A workflow's one event: what starts its runs. */
export type EventNode = ApiEventNode | RecurringEventNode;
export type EventType = EventNode['type'];
export const EVENT_TYPES: readonly EventType[] = ['apiEvent', 'recurringEvent'];

export function isEventNode(node: { type: string }): node is EventNode {
  return node.type === 'apiEvent' || node.type === 'recurringEvent';
}

/** The endpoint settings of a workflow's event; null for an event that has no endpoint (recurring). */
export function endpointSettings(event: EventNode | null | undefined): EndpointSettings | null {
  if (event?.type !== 'apiEvent') return null;
  return event.data.endpoint ?? OPEN_ENDPOINT;
}

/** The parameters of a workflow's event (a recurring event has none). */
export function eventParameters(event: EventNode | null | undefined): Parameter[] {
  return event?.type === 'apiEvent' ? event.data.parameters : [];
}

/** One action of the workflow. */
export const ActionNode = z.object({
  id: Id,
  type: z.literal('action'),
  position: Position,
  data: z.object({
    /** Optional title shown on the node instead of the action's name; also names its result. */
    title: z.string().max(200).optional(),
    /** "Only when": an expression; when it is false the step is skipped. Empty means always. */
    onlyWhen: expressionText.optional(),
    action: ActionConfig,
  }),
});
export type ActionNode = z.infer<typeof ActionNode>;

export const GraphNode = z.discriminatedUnion('type', [ApiEventNode, RecurringEventNode, ActionNode]);
export type GraphNode = z.infer<typeof GraphNode>;

/** "source runs before target". */
export const GraphEdge = z.object({ id: Id, source: Id, target: Id });
export type GraphEdge = z.infer<typeof GraphEdge>;

export const WorkflowGraph = z
  .object({
    schemaVersion: z.literal(GRAPH_SCHEMA_VERSION),
    nodes: z.array(GraphNode).max(LIMITS.steps),
    edges: z.array(GraphEdge).max(LIMITS.steps * 2),
  })
  .superRefine((graph, ctx) => {
    // Parameters and nodes share one namespace: `$<id>` in an expression must mean one thing.
    const ids = new Map<string, string>();
    const claim = (id: string, what: string, path: (string | number)[]) => {
      const other = ids.get(id);
      if (other) ctx.addIssue({ code: 'custom', path, message: `Id "${id}" of ${what} is already used by ${other}` });
      else ids.set(id, what);
    };
    graph.nodes.forEach((node, index) => {
      claim(node.id, `node ${index + 1}`, ['nodes', index, 'id']);
      if (node.type !== 'apiEvent') return;
      node.data.parameters.forEach((parameter, p) => {
        claim(parameter.id, `parameter "${parameter.key}"`, ['nodes', index, 'data', 'parameters', p, 'id']);
        const fieldIds = new Set<string>();
        parameter.fields?.forEach((field, f) => {
          if (fieldIds.has(field.id)) {
            ctx.addIssue({ code: 'custom', path: ['nodes', index, 'data', 'parameters', p, 'fields', f, 'id'], message: `Duplicate field id "${field.id}"` });
          }
          fieldIds.add(field.id);
        });
      });
    });
    const nodeIds = new Set(graph.nodes.map((n) => n.id));
    graph.edges.forEach((edge, index) => {
      for (const end of ['source', 'target'] as const) {
        if (!nodeIds.has(edge[end])) {
          ctx.addIssue({ code: 'custom', path: ['edges', index, end], message: `Edge "${edge.id}" points to unknown node "${edge[end]}"` });
        }
      }
    });
  });
export type WorkflowGraph = z.infer<typeof WorkflowGraph>;

/** The graph a new workflow starts with: its event and nothing else. */
export function emptyGraph(): WorkflowGraph {
  return {
    schemaVersion: GRAPH_SCHEMA_VERSION,
    nodes: [{ id: 'event', type: 'apiEvent', position: { x: 0, y: 0 }, data: { parameters: [], settings: WorkflowSettings.parse({}), endpoint: NEW_ENDPOINT } }],
    edges: [],
  };
}
