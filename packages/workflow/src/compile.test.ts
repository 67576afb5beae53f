import { describe, expect, it } from 'vitest';
import { compile } from './compile.ts';
import { type ActionConfig, type GraphNode, type Parameter, type WorkflowGraph, WorkflowGraph as GraphSchema } from './graph.ts';

const event = (parameters: Parameter[] = []): GraphNode => ({
  id: 'event',
  type: 'apiEvent',
  position: { x: 0, y: 0 },
  data: { parameters },
});
const action = (id: string, config: ActionConfig, extra: { onlyWhen?: string; title?: string } = {}): GraphNode => ({
  id,
  type: 'action',
  position: { x: 0, y: 100 },
  data: { action: config, ...extra },
});
const chain = (...ids: string[]) => ids.slice(1).map((id, i) => ({ id: `e${i}`, source: ids[i]!, target: id }));
const graph = (nodes: GraphNode[], edges: WorkflowGraph['edges']): WorkflowGraph => GraphSchema.parse({ schemaVersion: 1, nodes, edges });

const amount: Parameter = { id: 'p1', key: 'amount', type: 'number', optional: false };

describe('compile', () => {
  it('turns a valid chain into ordered steps with parsed expressions', () => {
    const result = compile(
      'charge',
      graph(
        [
          event([amount]),
          action('ret', { type: 'returnData', entries: [{ id: 'r1', key: 'doubled', value: '{{amount * 2}}' }] }),
          action('log', { type: 'log', message: 'Charging {{amount}}' }, { onlyWhen: 'amount > 0' }),
        ],
        chain('event', 'log', 'ret'),
      ),
    );
    expect(result.diagnostics).toEqual([]);
    expect(result.definition?.trigger.parameters).toEqual([{ key: 'amount', type: 'number', optional: false }]);
    expect(result.definition?.steps.map((s) => [s.id, s.type, s.label])).toEqual([
      ['log', 'log', 'Log a value'],
      ['ret', 'returnData', 'Return data from API'],
    ]);
    expect(result.definition?.steps[0]?.onlyWhen).toEqual({
      kind: 'binary',
      op: '>',
      left: { kind: 'param', key: 'amount' },
      right: { kind: 'literal', value: 0 },
    });
  });

  it('pins every problem to its node and field', () => {
    const result = compile(
      'bad',
      graph(
        [
          event([amount, { id: 'p2', key: 'amount', type: 'text', optional: true }, { id: 'p3', key: '9lives', type: 'text', optional: true }]),
          action('log', { type: 'log', message: 'Hi {{missing}}' }),
          action('ret', { type: 'returnData', entries: [{ id: 'r1', key: '', value: '{{amount +}}' }] }),
        ],
        chain('event', 'log', 'ret'),
      ),
    );
    expect(result.definition).toBeNull();
    expect(result.diagnostics.map(({ nodeId, field, severity }) => [nodeId, field, severity])).toEqual([
      ['event', 'parameters.p2.key', 'error'],
      ['event', 'parameters.p3.key', 'error'],
      ['log', 'message', 'error'],
      ['ret', 'entries.r1.key', 'error'],
      ['ret', 'entries.r1.value', 'error'],
    ]);
    expect(result.diagnostics[2]?.message).toBe('Unknown parameter "missing"');
  });

  it('warns about actions that can never run, without blocking', () => {
    const result = compile(
      'w',
      graph(
        [
          event(),
          action('ret', { type: 'returnData', entries: [] }),
          action('after', { type: 'log', message: 'x' }),
          action('loose', { type: 'log', message: 'y' }),
        ],
        chain('event', 'ret', 'after'),
      ),
    );
    expect(result.definition).not.toBeNull();
    expect(result.diagnostics).toEqual([
      { nodeId: 'loose', field: null, severity: 'warning', message: 'Not connected to the event, so it never runs' },
      { nodeId: 'after', field: null, severity: 'warning', message: 'Never runs: "Return data from API" ends the workflow before it' },
    ]);
  });

  it('rejects branches, loops and a missing event', () => {
    const branched = compile('b', graph([event(), action('a', { type: 'log', message: 'a' }), action('b', { type: 'log', message: 'b' })], [
      { id: 'x', source: 'event', target: 'a' },
      { id: 'y', source: 'event', target: 'b' },
    ]));
    expect(branched.diagnostics[0]).toMatchObject({ nodeId: 'event', severity: 'error' });

    const looped = compile('l', graph([event(), action('a', { type: 'log', message: 'a' }), action('b', { type: 'log', message: 'b' })], [
      ...chain('event', 'a', 'b'),
      { id: 'back', source: 'b', target: 'a' },
    ]));
    expect(looped.diagnostics[0]).toMatchObject({ nodeId: 'b', message: expect.stringContaining('loop') });

    expect(compile('n', graph([action('a', { type: 'log', message: 'a' })], [])).diagnostics[0]).toMatchObject({ nodeId: null, severity: 'error' });
  });

  it('refuses malformed graphs at the schema', () => {
    const result = GraphSchema.safeParse({ schemaVersion: 1, nodes: [event()], edges: [{ id: 'e', source: 'event', target: 'ghost' }] });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['edges', 0, 'target']);
  });
});
