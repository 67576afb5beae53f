import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile } from './compile.ts';
import { parseDefinition } from './definition.ts';
import { NEW_ENDPOINT, OPEN_ENDPOINT } from './endpoint.ts';
import { WorkflowGraph, emptyGraph } from './graph.ts';
import { interpret } from './interpret.ts';
import { LIMITS } from './limits.ts';
import { readInputs } from './parameters.ts';
import { DEFAULT_SETTINGS } from './settings.ts';
import { type ParameterInput, fakeServices, graph, log, returnData } from './test-support.ts';

const amount: ParameterInput = { id: 'p_amount', key: 'amount', type: 'number', optional: false };
const where = (result: ReturnType<typeof compile>) => result.diagnostics.map((d) => [d.nodeId, d.field, d.severity, d.message]);

describe('compile', () => {
  it('turns a valid chain into ordered steps with parsed, resolved expressions', () => {
    const result = compile(
      'charge',
      graph({
        parameters: [amount],
        onlyWhen: 'amount > 0',
        settings: { mode: 'async', timeoutSeconds: 30 },
        actions: [log('n_log', 'Charging {{amount}}', { onlyWhen: '{{amount > 1}}' }), returnData('n_ret', { doubled: '{{amount * 2}}' }, { title: ' Answer ' })],
      }),
    );
    expect(result.diagnostics).toEqual([]);
    expect(result.definition).toEqual({
      schemaVersion: 2,
      name: 'charge',
      trigger: {
        type: 'api',
        parameters: [{ id: 'p_amount', key: 'amount', type: 'number', list: false, optional: false }],
        onlyWhen: { kind: 'binary', op: '>', left: { kind: 'ref', id: 'p_amount' }, right: { kind: 'literal', value: 0 } },
        endpoint: OPEN_ENDPOINT,
      },
      settings: { ...DEFAULT_SETTINGS, mode: 'async', timeoutSeconds: 30 },
      steps: [
        {
          id: 'n_log',
          type: 'log',
          label: 'Log a value',
          onlyWhen: { kind: 'binary', op: '>', left: { kind: 'ref', id: 'p_amount' }, right: { kind: 'literal', value: 1 } },
          config: { message: { parts: [{ text: 'Charging ' }, { expr: { kind: 'ref', id: 'p_amount' } }] } },
        },
        {
          id: 'n_ret',
          type: 'returnData',
          label: 'Answer',
          config: { entries: [{ key: 'doubled', value: { parts: [{ expr: { kind: 'binary', op: '*', left: { kind: 'ref', id: 'p_amount' }, right: { kind: 'literal', value: 2 } } }] } }] },
        },
      ],
    });
    // What compiles is stored as JSON and read back the same.
    expect(parseDefinition(JSON.parse(JSON.stringify(result.definition)))).toEqual(result.definition);
  });

  it('compiles declared object fields to their JSON keys', () => {
    const result = compile(
      'o',
      graph({
        parameters: [{ id: 'p_order', key: 'order', type: 'object', optional: false, fields: [{ id: 'f_total', key: ' total ', type: 'number', optional: false }] }],
        actions: [returnData('n_ret', { t: '{{order.total}}' })],
      }),
    );
    expect(result.definition?.trigger.parameters).toEqual([
      { id: 'p_order', key: 'order', type: 'object', list: false, optional: false, fields: [{ id: 'f_total', key: 'total', type: 'number', list: false, optional: false }] },
    ]);
    expect(result.definition?.steps[0]?.config).toEqual({
      entries: [{ key: 't', value: { parts: [{ expr: { kind: 'member', object: { kind: 'ref', id: 'p_order' }, property: 'total' } }] } }],
    });
  });

  it('pins every problem to its node and field, and makes no definition', () => {
    const result = compile(
      'bad',
      graph({
        parameters: [
          amount,
          { id: 'p_dup', key: 'amount', type: 'text', optional: true },
          { id: 'p_digit', key: '9lives', type: 'text', optional: true },
          { id: 'p_empty', key: ' ', type: 'text', optional: true },
          { id: 'p_steps', key: 'steps', type: 'text', optional: true },
          { id: 'p_fn', key: 'toNumber', type: 'text', optional: true },
          {
            id: 'p_obj',
            key: 'obj',
            type: 'object',
            optional: true,
            fields: [
              { id: 'f_a', key: 'a', type: 'text' },
              { id: 'f_b', key: 'a', type: 'text' },
              { id: 'f_c', key: '', type: 'text' },
              { id: 'f_d', key: '__proto__', type: 'text' },
            ],
          },
        ],
        actions: [log('n_log', 'Hi {{missing}}'), returnData('n_ret', { '': '{{amount +}}' }), log('n_empty', '  ')],
      }),
    );
    expect(result.definition).toBeNull();
    expect(where(result)).toEqual([
      ['event', 'parameters.p_dup.key', 'error', 'Two parameters are called "amount"'],
      ['event', 'parameters.p_digit.key', 'error', 'Parameter key "9lives" may contain only letters, digits and underscores, and must not start with a digit'],
      ['event', 'parameters.p_empty.key', 'error', 'Parameter key is required'],
      ['event', 'parameters.p_steps.key', 'error', '"steps" is a reserved word; choose another key'],
      ['event', 'parameters.p_fn.key', 'error', '"toNumber" is a reserved word; choose another key'],
      ['event', 'parameters.p_obj.fields.f_b.key', 'error', 'Two fields are called "a"'],
      ['event', 'parameters.p_obj.fields.f_c.key', 'error', 'Field name is required'],
      ['event', 'parameters.p_obj.fields.f_d.key', 'error', '"__proto__" cannot be a field name'],
      ['n_log', 'message', 'error', 'Unknown name "missing"'],
      ['n_ret', 'entries.n_ret_e0.key', 'error', 'Key is required'],
      ['n_ret', 'entries.n_ret_e0.value', 'error', 'In {{amount +}}: Expected expression after +'],
      ['n_empty', 'message', 'error', 'Write the text or {{expression}} to log'],
    ]);
  });

  it('reports an empty message and duplicate keys', () => {
    const result = compile('x', graph({ actions: [log('n_log', ' '), { id: 'n_ret', action: { type: 'returnData', entries: [{ id: 'a', key: 'k', value: '1' }, { id: 'b', key: ' k', value: '2' }] } }] }));
    expect(where(result)).toEqual([
      ['n_log', 'message', 'error', 'Write the text or {{expression}} to log'],
      ['n_ret', 'entries.b.key', 'error', 'Two keys are called "k"'],
    ]);
  });

  it('warns about actions that can never run, without blocking', () => {
    const result = compile('w', graph({ actions: [returnData('n_ret', {}), log('n_after', 'x')], loose: [log('n_loose', 'y')] }));
    expect(result.definition?.steps.map((s) => s.id)).toEqual(['n_ret', 'n_after']);
    expect(where(result)).toEqual([
      ['n_loose', null, 'warning', 'Not connected to the event, so it never runs'],
      ['n_after', null, 'warning', 'Never runs: "Return data from API" ends the workflow before it'],
    ]);
    // A "Return data" with a condition may not end the run: no warning then.
    expect(where(compile('w', graph({ parameters: [amount], actions: [returnData('n_ret', {}, { onlyWhen: 'amount > 1' }), log('n_after', 'x')] })))).toEqual([]);
  });

  it('refuses branches, loops, edges into the event, two events and a missing event', () => {
    const two = (edges: WorkflowGraph['edges']) =>
      WorkflowGraph.parse({ ...graph({ actions: [log('a', 'a'), log('b', 'b')] }), edges });
    expect(where(compile('b', two([{ id: 'x', source: 'event', target: 'a' }, { id: 'y', source: 'event', target: 'b' }])))[0]).toEqual([
      'event',
      null,
      'error',
      'Actions run one after another: connect this node to only one next action',
    ]);
    expect(where(compile('l', two([{ id: 'x', source: 'event', target: 'a' }, { id: 'y', source: 'a', target: 'b' }, { id: 'z', source: 'b', target: 'a' }])))).toContainEqual([
      'b',
      null,
      'error',
      'This connection makes a loop; actions must run in a straight line',
    ]);
    expect(where(compile('e', two([{ id: 'x', source: 'event', target: 'a' }, { id: 'y', source: 'a', target: 'event' }])))).toContainEqual([
      'a',
      null,
      'error',
      'This connection makes a loop; actions must run in a straight line',
    ]);
    const noEvent = WorkflowGraph.parse({ schemaVersion: 2, nodes: [{ id: 'a', type: 'action', position: { x: 0, y: 0 }, data: { action: { type: 'log', message: 'a' } } }], edges: [] });
    expect(compile('n', noEvent)).toEqual({ definition: null, diagnostics: [{ nodeId: null, field: null, severity: 'error', message: 'The workflow has no event: add an "API workflow" or a "Recurring" event' }] });
    const events = WorkflowGraph.parse({ schemaVersion: 2, nodes: [...emptyGraph().nodes, { ...emptyGraph().nodes[0]!, id: 'event_2' }], edges: [] });
    expect(where(compile('t', events))).toEqual([['event_2', null, 'error', 'A workflow has exactly one event; delete this one']]);
  });

  it('compiles the empty graph a new workflow starts with', () => {
    expect(compile('new', emptyGraph())).toEqual({
      definition: { schemaVersion: 2, name: 'new', trigger: { type: 'api', parameters: [], endpoint: NEW_ENDPOINT }, settings: DEFAULT_SETTINGS, steps: [] },
      diagnostics: [],
    });
  });
});

/**
 * Property: the compiler never throws on a graph the schema accepts, whatever its expressions say:
 * garbage, names of anything, deep nesting, huge text. And whatever it compiles can be stored,
 * read back and run without an internal error.
 */
describe('compile never throws (property)', () => {
  const names = ['amount', 'name', 'order', 'items', 'data', 'steps', 'now', 'null', 'true', 'toNumber', 'constructor', '__proto__', 'toString', 'prototype', 'x', 'log_a_value', 'answer'];
  const keyArb = fc.oneof(fc.constantFrom(...names), fc.constantFrom('', ' ', '9x', 'a-b', 'amount'), fc.string({ maxLength: 5 }));
  const typeArb = fc.constantFrom('text' as const, 'number' as const, 'boolean' as const, 'date' as const, 'object' as const);
  const token = fc.oneof(
    fc.constantFrom(...names),
    fc.constantFrom('.', '[', ']', '(', ')', '+', '-', '*', '/', '%', '??', '?', ':', '==', '<', '&&', '||', '!', ',', ' ', '"', "'", '{{', '}}'),
    fc.constantFrom('steps.log_a_value', 'steps.answer', '.constructor', '.__proto__', '.toString', '.hasOwnProperty', '.total', '[0]', '$p0', '$n0', '$p1.$f0', '$f0', '$gone', 'toNumber(', 'toText(', 'isEmpty('),
    fc.integer({ min: -5, max: 1e6 }).map(String),
    fc.string({ maxLength: 4 }),
  );
  const deep = (open: string, close: string) => fc.integer({ min: 1, max: 3000 }).map((n) => `${open.repeat(n)}1${close.repeat(n)}`);
  // `<name>.<member> <op> <name>`: field reads (prototype names included) used where types are checked.
  const access = fc
    .tuple(
      fc.constantFrom(...names),
      fc.constantFrom('.constructor', '.toString', '.__proto__', '.valueOf', '.total', '.total.x', '[0]', '[0].total', '["total"]', '.$f0', ''),
      fc.constantFrom(' * ', ' + ', ' < ', ' ?? ', ' && ', ' == ', ''),
      fc.constantFrom(...names, '1', '"a"', ''),
    )
    .map((parts) => parts.join(''));
  const expression = fc.oneof(
    { weight: 6, arbitrary: fc.array(token, { maxLength: 25 }).map((t) => t.join('')) },
    { weight: 3, arbitrary: access },
    { weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
    { weight: 1, arbitrary: deep('(', ')') },
    { weight: 1, arbitrary: deep('toNumber(', ')') },
    { weight: 1, arbitrary: deep('[', ']') },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 4000 }).map((n) => `${'- '.repeat(n)}1`) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 2400 }).map((n) => Array.from({ length: n }, (_, i) => `amount${i % 3 ? '+' : '*'}`).join('') + '1') },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: LIMITS.expressionChars }).map((n) => `"${'x'.repeat(n)}"`) },
  );
  const template = fc.oneof(expression.map((e) => `{{${e}}}`), fc.array(fc.oneof(expression.map((e) => `{{${e}}}`), fc.string({ maxLength: 10 })), { maxLength: 4 }).map((p) => p.join('')), expression);

  const graphArb = fc
    .record({
      parameters: fc.array(
        fc.record({
          key: keyArb,
          type: typeArb,
          list: fc.boolean(),
          optional: fc.boolean(),
          fields: fc.option(fc.array(fc.record({ key: keyArb, type: typeArb, list: fc.boolean(), optional: fc.boolean() }), { maxLength: 3 }), { nil: undefined }),
        }),
        { maxLength: 4 },
      ),
      eventOnlyWhen: fc.option(expression, { nil: undefined }),
      actions: fc.array(
        fc.record({
          kind: fc.constantFrom('log' as const, 'returnData' as const),
          title: fc.option(fc.constantFrom('Answer', 'Log a value', '', '  ', 'É!', 'steps'), { nil: undefined }),
          onlyWhen: fc.option(expression, { nil: undefined }),
          texts: fc.array(fc.tuple(keyArb, template), { minLength: 1, maxLength: 3 }),
        }),
        { maxLength: 5 },
      ),
      edges: fc.array(fc.tuple(fc.nat(6), fc.nat(6)), { maxLength: 7 }),
      chain: fc.boolean(),
    })
    .map(({ parameters, eventOnlyWhen, actions, edges, chain }) => {
      const nodeIds = ['event', ...actions.map((_, i) => `n${i}`)];
      return {
        schemaVersion: 2,
        nodes: [
          {
            id: 'event',
            type: 'apiEvent',
            position: { x: 0, y: 0 },
            data: {
              parameters: parameters.map((p, i) => ({ ...p, id: `p${i}`, fields: p.fields?.map((f, j) => ({ ...f, id: `f${j}` })) })),
              ...(eventOnlyWhen !== undefined && { onlyWhen: eventOnlyWhen }),
            },
          },
          ...actions.map((a, i) => ({
            id: `n${i}`,
            type: 'action',
            position: { x: 0, y: i },
            data: {
              ...(a.title !== undefined && { title: a.title }),
              ...(a.onlyWhen !== undefined && { onlyWhen: a.onlyWhen }),
              action: a.kind === 'log' ? { type: 'log', message: a.texts[0]![1] } : { type: 'returnData', entries: a.texts.map(([key, value], j) => ({ id: `e${j}`, key, value })) },
            },
          })),
        ],
        edges: chain
          ? nodeIds.slice(1).map((id, i) => ({ id: `c${i}`, source: nodeIds[i]!, target: id }))
          : edges.map(([from, to], i) => ({ id: `x${i}`, source: nodeIds[from % nodeIds.length]!, target: nodeIds[to % nodeIds.length]! })),
      };
    });

  /** Graphs that mostly compile: unique keys, expressions that type-check whatever the parameter types. */
  const sane = fc.constantFrom(
    '1', '"a"', 'true', 'now', 'toText(amount)', 'isEmpty(name)', 'toNumber("4") * 2', 'toText(order) + "!"', 'isEmpty(items) ? 1 : 2',
    'toText(steps.log_a_value)', 'steps.log_a_value.message ?? "none"', 'toNumber(toText(data)) + 1', 'toDate(toText(now)) < now', '[toText(name), "b"]',
    'toText(order.total)', 'toText(order.toString)', 'toText(data.constructor)', 'isEmpty(items[0])',
    // Mistakes a builder can make on a declared object: names every JavaScript object has.
    'order.toString * 2', 'order.constructor + 1', 'order.__proto__ < 3', 'order.valueOf ?? 1',
  );
  const saneGraphArb = fc
    .record({
      keys: fc.shuffledSubarray(['amount', 'name', 'order', 'items', 'data']),
      types: fc.array(typeArb, { minLength: 5, maxLength: 5 }),
      optional: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
      actions: fc.array(fc.record({ kind: fc.constantFrom('log' as const, 'returnData' as const), onlyWhen: fc.option(sane.map((e) => `isEmpty(${e})`), { nil: undefined }), value: sane }), { maxLength: 4 }),
    })
    .map(({ keys, types, optional, actions }) =>
      graph({
        parameters: keys.map((key, i) => ({
          id: `p${i}`,
          key,
          type: types[i]!,
          optional: optional[i]!,
          ...(types[i] === 'object' && i % 2 === 0 && { fields: [{ id: 'f0', key: 'total', type: 'number' as const, optional: false }] }),
        })),
        actions: actions.map((a, i) =>
          a.kind === 'log' ? log(`n${i}`, `Saw {{${a.value}}}`, a.onlyWhen ? { onlyWhen: a.onlyWhen } : {}) : returnData(`n${i}`, { v: `{{${a.value}}}` }, a.onlyWhen ? { onlyWhen: a.onlyWhen } : {}),
        ),
      }),
    );

  it('returns diagnostics, never throws, and what compiles runs without an internal error', async () => {
    let accepted = 0;
    let definitions = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(graphArb, saneGraphArb as fc.Arbitrary<unknown>), async (candidate) => {
        const parsed = WorkflowGraph.safeParse(candidate);
        if (!parsed.success) return;
        accepted++;
        const result = compile('fuzz', parsed.data);
        // Parameters and steps that exist are shown by name, never by their stored `$id`. (Checked
        // when no text has quotes: a syntax error quotes what the builder typed inside them as typed.)
        const event = parsed.data.nodes.find((n) => n.type === 'apiEvent');
        const texts = parsed.data.nodes.flatMap((n) => [
          n.data.onlyWhen ?? '',
          ...(n.type !== 'action'
            ? []
            : n.data.action.type === 'log'
              ? [n.data.action.message]
              : n.data.action.type === 'returnData'
                ? n.data.action.entries.map((e) => e.value)
                : n.data.action.type === 'wait'
                  ? [n.data.action.seconds]
                  : []),
        ]);
        const quoted = texts.some((text) => /["']/.test(text));
        // `.$id` after something that is not a parameter is a field name the builder typed as is
        // (the editor shows it so too), not a reference.
        const named = (quoted ? [] : [
          ...(event?.type === 'apiEvent' ? event.data.parameters.filter((p) => p.key.trim() !== '').map((p) => p.id) : []),
          ...parsed.data.nodes.filter((n) => n.type === 'action').map((n) => n.id),
        ]).filter((id) => !texts.some((text) => text.includes(`.$${id}`)));
        for (const d of result.diagnostics) {
          expect(d.message).not.toMatch(/Maximum call stack|RangeError|TypeError|undefined|\[object Object\]|\[native code\]/);
          for (const id of named) expect(d.message, id).not.toMatch(new RegExp(`(?<![A-Za-z0-9_$])\\$${id}(?![A-Za-z0-9_$])`));
        }
        if (!result.definition) return;
        definitions++;
        const stored = parseDefinition(JSON.parse(JSON.stringify(result.definition)));
        const inputs = readInputs(stored.trigger.parameters, {});
        if (!inputs.ok) return;
        const services = fakeServices();
        const outcome = await interpret({ definition: stored, params: inputs.values, services, runId: 'r', completed: new Map() });
        expect(services.logged).toEqual([]);
        if (outcome.status === 'failed') expect(outcome.error).not.toMatch(/Internal error/);
      }),
      { numRuns: 500 },
    );
    expect(accepted).toBeGreaterThan(300);
    expect(definitions).toBeGreaterThan(30);
  });
});
