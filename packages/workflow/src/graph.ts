import { z } from 'zod';

/**
 * The editor's document for one workflow, as stored and as sent over the wire. Nodes and edges are
 * referenced by stable ids chosen by the editor; nothing is ever referenced by its display name.
 */
export const GRAPH_SCHEMA_VERSION = 1;

const Id = z.string().min(1).max(64);

export const Position = z.object({ x: z.number().finite(), y: z.number().finite() });
export type Position = z.infer<typeof Position>;

/** The types a parameter may have. `boolean` is shown to builders as "yes / no". */
export const ParameterType = z.enum(['text', 'number', 'boolean', 'date']);
export type ParameterType = z.infer<typeof ParameterType>;

/** A typed input of an API workflow, read from the JSON body of the call. */
export const Parameter = z.object({
  /** Stable id, so diagnostics survive a rename of the key. */
  id: Id,
  /** The JSON key callers send, and the name expressions use. */
  key: z.string().max(100),
  type: ParameterType,
  /** An optional parameter may be left out; a required one gets a 400 when missing. */
  optional: z.boolean(),
});
export type Parameter = z.infer<typeof Parameter>;

/** "Log a value": evaluates `message` (text with {{expressions}}) and writes it to the run's log. */
export const LogAction = z.object({
  type: z.literal('log'),
  message: z.string().max(10_000),
});

/** One key of the JSON response built by "Return data from API". */
export const ReturnEntry = z.object({
  id: Id,
  key: z.string().max(100),
  /** Text with {{expressions}}; a value that is exactly one {{expression}} keeps its type. */
  value: z.string().max(10_000),
});
export type ReturnEntry = z.infer<typeof ReturnEntry>;

/** "Return data from API": ends the run and answers the caller with these keys. */
export const ReturnDataAction = z.object({
  type: z.literal('returnData'),
  entries: z.array(ReturnEntry).max(200),
});

/** The configuration of an action node, keyed by action type (see catalog.ts). */
export const ActionConfig = z.discriminatedUnion('type', [LogAction, ReturnDataAction]);
export type ActionConfig = z.infer<typeof ActionConfig>;
export type ActionType = ActionConfig['type'];

/** The trigger of an API workflow: its parameters. */
export const ApiEventNode = z.object({
  id: Id,
  type: z.literal('apiEvent'),
  position: Position,
  data: z.object({ parameters: z.array(Parameter).max(100) }),
});
export type ApiEventNode = z.infer<typeof ApiEventNode>;

/** One action of the workflow. */
export const ActionNode = z.object({
  id: Id,
  type: z.literal('action'),
  position: Position,
  data: z.object({
    /** Optional title shown on the node instead of the action's name. */
    title: z.string().max(200).optional(),
    /** "Only when": an expression; when it is false the step is skipped. Empty means always. */
    onlyWhen: z.string().max(10_000).optional(),
    action: ActionConfig,
  }),
});
export type ActionNode = z.infer<typeof ActionNode>;

export const GraphNode = z.discriminatedUnion('type', [ApiEventNode, ActionNode]);
export type GraphNode = z.infer<typeof GraphNode>;

/** "source runs before target". */
export const GraphEdge = z.object({ id: Id, source: Id, target: Id });
export type GraphEdge = z.infer<typeof GraphEdge>;

export const WorkflowGraph = z
  .object({
    schemaVersion: z.literal(GRAPH_SCHEMA_VERSION),
    nodes: z.array(GraphNode).max(5000),
    edges: z.array(GraphEdge).max(10_000),
  })
  .superRefine((graph, ctx) => {
    const ids = new Set<string>();
    graph.nodes.forEach((node, index) => {
      if (ids.has(node.id)) {
        ctx.addIssue({ code: 'custom', path: ['nodes', index, 'id'], message: `Duplicate node id "${node.id}"` });
      }
      ids.add(node.id);
    });
    graph.edges.forEach((edge, index) => {
      for (const end of ['source', 'target'] as const) {
        if (!ids.has(edge[end])) {
          ctx.addIssue({
            code: 'custom',
            path: ['edges', index, end],
            message: `Edge "${edge.id}" points to unknown node "${edge[end]}"`,
          });
        }
      }
    });
  });
export type WorkflowGraph = z.infer<typeof WorkflowGraph>;

/** The graph a new workflow starts with: its event and nothing else. */
export function emptyGraph(): WorkflowGraph {
  return {
    schemaVersion: GRAPH_SCHEMA_VERSION,
    nodes: [{ id: 'event', type: 'apiEvent', position: { x: 0, y: 0 }, data: { parameters: [] } }],
    edges: [],
  };
}

/**
 * Reads a stored graph of any known schema version and returns the current version. Version 1 is
 * the only one so far; older versions get their migration step here when the format changes.
 */
export function parseStoredGraph(raw: unknown): z.ZodSafeParseResult<WorkflowGraph> {
  return WorkflowGraph.safeParse(raw);
}
