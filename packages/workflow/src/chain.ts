import { type ActionNode, type EventNode, type GraphEdge, type GraphNode, isEventNode } from './graph.ts';

export interface Chain {
  event: EventNode | null;
  /** Actions in the order they run, following the edges from the event. */
  actions: ActionNode[];
  /** Where following the edges went wrong, pinned to the node it leaves from. */
  problems: { nodeId: string; message: string }[];
}

/**
 * Follows the edges from the (first) event: actions run one after another, in the order they are
 * connected. Used by the compiler, by name resolution and by the editor, so all three agree.
 */
export function followChain(nodes: readonly GraphNode[], edges: readonly GraphEdge[]): Chain {
  const event = nodes.find(isEventNode) ?? null;
  const problems: Chain['problems'] = [];
  const actions: ActionNode[] = [];
  if (!event) return { event, actions, problems };
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const outgoing = new Map<string, string[]>();
  for (const edge of edges) {
    const list = outgoing.get(edge.source);
    if (list) list.push(edge.target);
    else outgoing.set(edge.source, [edge.target]);
  }
  const visited = new Set<string>([event.id]);
  let current: string = event.id;
  for (;;) {
    const targets = outgoing.get(current) ?? [];
    if (targets.length > 1) {
      problems.push({ nodeId: current, message: 'Actions run one after another: connect this node to only one next action' });
    }
    const nextId = targets[0];
    if (nextId === undefined) break;
    if (visited.has(nextId)) {
      problems.push({ nodeId: current, message: 'This connection makes a loop; actions must run in a straight line' });
      break;
    }
    const next = byId.get(nextId);
    if (!next || next.type !== 'action') {
      problems.push({ nodeId: current, message: 'Connected to something that is not an action' });
      break;
    }
    visited.add(nextId);
    actions.push(next);
    current = nextId;
  }
  return { event, actions, problems };
}
