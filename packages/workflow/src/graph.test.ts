import { describe, expect, it } from 'vitest';
import { followChain } from './chain.ts';
import { NEW_ENDPOINT } from './endpoint.ts';
import { type ApiEventNode, GRAPH_SCHEMA_VERSION, Id, WorkflowGraph, emptyGraph, endpointSettings } from './graph.ts';
import { IDENTIFIER, WorkflowLabel, WorkflowName, isReservedWord } from './names.ts';
import { DEFAULT_SETTINGS } from './settings.ts';
import { graph, log } from './test-support.ts';

const event = { id: 'event', type: 'apiEvent', position: { x: 0, y: 0 }, data: { parameters: [] } };
const action = (id: string) => ({ id, type: 'action', position: { x: 0, y: 0 }, data: { action: { type: 'log', message: 'x' } } });
const issues = (raw: unknown) => {
  const result = WorkflowGraph.safeParse(raw);
  return result.success ? [] : result.error.issues.map((i) => [i.path.join('.'), i.message]);
};

describe('WorkflowGraph (schema version 2)', () => {
  it('fills in defaults: settings, list: false, optional fields', () => {
    const parsed = WorkflowGraph.parse({
      schemaVersion: 2,
      nodes: [{ ...event, data: { parameters: [{ id: 'p', key: 'o', type: 'object', optional: false, fields: [{ id: 'f', key: 'k', type: 'text' }] }] } }],
      edges: [],
    });
    const node = parsed.nodes[0]!;
    expect(node.type === 'apiEvent' && node.data).toEqual({
      parameters: [{ id: 'p', key: 'o', type: 'object', list: false, optional: false, fields: [{ id: 'f', key: 'k', type: 'text', list: false, optional: true }] }],
      settings: DEFAULT_SETTINGS,
    });
    expect(emptyGraph()).toEqual({ schemaVersion: GRAPH_SCHEMA_VERSION, nodes: [{ ...event, data: { parameters: [], settings: DEFAULT_SETTINGS, endpoint: NEW_ENDPOINT } }], edges: [] });
    // A document saved before endpoint settings existed keeps an open endpoint, as it had.
    expect(endpointSettings(parsed.nodes[0] as ApiEventNode)).toEqual({ exposed: true, method: 'POST', auth: 'none', signature: null, okWhenSkipped: false });
    expect(endpointSettings(emptyGraph().nodes[0] as ApiEventNode)?.auth).toBe('admin_token');
    expect(WorkflowGraph.parse(emptyGraph())).toEqual(emptyGraph());
  });

  it('takes ids that can stand in expressions: letters, digits, underscores', () => {
    for (const ok of ['a', 'A_1', '0abc', 'x'.repeat(64)]) expect(Id.safeParse(ok).success, ok).toBe(true);
    for (const bad of ['', 'a-b', 'a b', '$a', 'a.b', 'x'.repeat(65)]) expect(Id.safeParse(bad).success, bad).toBe(false);
  });

  it('refuses an id used twice between nodes and parameters, since `$<id>` must mean one thing', () => {
    expect(issues({ schemaVersion: 2, nodes: [event, action('a'), action('a')], edges: [] })).toEqual([['nodes.2.id', 'Id "a" of node 3 is already used by node 2']]);
    expect(issues({ schemaVersion: 2, nodes: [{ ...event, data: { parameters: [{ id: 'a', key: 'k', type: 'text', optional: true }] } }, action('a')], edges: [] })).toEqual([
      ['nodes.1.id', 'Id "a" of node 2 is already used by parameter "k"'],
    ]);
    expect(
      issues({ schemaVersion: 2, nodes: [{ ...event, data: { parameters: [{ id: 'p', key: 'k', type: 'object', optional: true, fields: [{ id: 'f', key: 'a', type: 'text' }, { id: 'f', key: 'b', type: 'text' }] }] } }], edges: [] }),
    ).toEqual([['nodes.0.data.parameters.0.fields.1.id', 'Duplicate field id "f"']]);
  });

  it('refuses edges to nodes that do not exist, and other versions', () => {
    expect(issues({ schemaVersion: 2, nodes: [event], edges: [{ id: 'e', source: 'event', target: 'ghost' }] })).toEqual([['edges.0.target', 'Edge "e" points to unknown node "ghost"']]);
    expect(issues({ schemaVersion: 1, nodes: [event], edges: [] })).toHaveLength(1);
    expect(issues({ schemaVersion: 2, nodes: [{ ...event, position: { x: Infinity, y: 0 } }], edges: [] })).toHaveLength(1);
  });
});

describe('followChain', () => {
  it('follows the edges from the event, in order', () => {
    const g = graph({ actions: [log('a', 'x'), log('b', 'y')], loose: [log('c', 'z')] });
    expect(followChain(g.nodes, g.edges)).toMatchObject({ event: { id: 'event' }, actions: [{ id: 'a' }, { id: 'b' }], problems: [] });
  });

  it('reports branches, loops and links to what is not an action, on the node they leave from', () => {
    const g = graph({ actions: [log('a', 'x'), log('b', 'y')] });
    expect(followChain(g.nodes, [...g.edges, { id: 'back', source: 'b', target: 'a' }]).problems).toEqual([
      { nodeId: 'b', message: 'This connection makes a loop; actions must run in a straight line' },
    ]);
    expect(followChain(g.nodes, [...g.edges, { id: 'fork', source: 'a', target: 'event' }]).problems).toEqual([
      { nodeId: 'a', message: 'Actions run one after another: connect this node to only one next action' },
    ]);
    expect(followChain(g.nodes, [{ id: 'x', source: 'event', target: 'nowhere' }]).problems).toEqual([{ nodeId: 'event', message: 'Connected to something that is not an action' }]);
    expect(followChain([], [])).toEqual({ event: null, actions: [], problems: [] });
  });
});

describe('names', () => {
  it('takes URL-safe workflow names and bounded labels', () => {
    for (const ok of ['a', 'charge-card', 'v2', 'a'.repeat(64)]) expect(WorkflowName.safeParse(ok).success, ok).toBe(true);
    for (const bad of ['', 'A', '-a', 'a-', 'a--b', 'a_b', 'a'.repeat(65)]) expect(WorkflowName.safeParse(bad).success, bad).toBe(false);
    expect(WorkflowLabel.parse('  Charge  ')).toBe('Charge');
    expect(WorkflowLabel.safeParse('x'.repeat(201)).success).toBe(false);
  });

  it('reserves the words and function names expressions use', () => {
    expect(['now', 'true', 'false', 'null', 'this', 'steps', 'toNumber', 'toText', 'toDate', 'toYesNo', 'isEmpty'].filter((w) => !isReservedWord(w))).toEqual([]);
    expect(isReservedWord('amount')).toBe(false);
    expect(['a', '_b', 'c1'].every((k) => IDENTIFIER.test(k))).toBe(true);
    expect(['1a', 'a-b', ''].some((k) => IDENTIFIER.test(k))).toBe(false);
  });
});
