import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { WorkflowGraph } from './graph.ts';
import { expressionRegions, tokenize } from './lexer.ts';
import { type NameTable, bindGraph, mapNodeExpressions, nameTable, slugify, stepNames, toDisplayText, toStoredText } from './references.ts';
import { type ParameterInput, call, compiled, copy, graph, log, result, returnData } from './test-support.ts';

const PARAMETERS: ParameterInput[] = [
  { id: 'p_amount', key: 'amount', type: 'number', optional: false },
  { id: 'p_name', key: 'name', type: 'text', optional: true },
  { id: 'p_order', key: 'order', type: 'object', optional: false, fields: [{ id: 'f_total', key: 'total', type: 'number', optional: false }] },
  { id: 'p_items', key: 'items', type: 'object', list: true, optional: false, fields: [{ id: 'f_price', key: 'price', type: 'number', optional: false }] },
];
const source = graph({
  parameters: PARAMETERS,
  actions: [log('n_log', 'Charging {{amount}}', { title: 'Charge card' }), returnData('n_ret', { total: '{{order.total + steps.charge_card.message}}' })],
});
const table = nameTable(source.nodes, source.edges);

describe('display <-> stored text', () => {
  it('stores parameters, steps and declared fields by id', () => {
    expect(toStoredText('amount * 2', 'expression', table)).toBe('$p_amount * 2');
    expect(toStoredText('steps.charge_card.message', 'expression', table)).toBe('$n_log.message');
    expect(toStoredText('order.total', 'expression', table)).toBe('$p_order.$f_total');
    expect(toStoredText('order . total', 'expression', table)).toBe('$p_order . $f_total');
    expect(toStoredText('items[0].price + items[amount].price', 'expression', table)).toBe('$p_items[0].$f_price + $p_items[$p_amount].$f_price');
    expect(toStoredText('items[items[0].price].price', 'expression', table)).toBe('$p_items[$p_items[0].$f_price].$f_price');
    expect(toStoredText('Hi {{ name }}, name stays text', 'template', table)).toBe('Hi {{ $p_name }}, name stays text');
  });

  it('leaves alone what names nothing: strings, other fields, unknown names, and fields of anything else', () => {
    for (const text of ['"amount"', "'amount' + x", 'x.amount', 'order.other', 'order["x"].total', 'items[0][1].price', 'steps.nothing', 'nope', '2amount', 'amount1']) {
      expect(toStoredText(text, 'expression', table), text).toBe(text.replace(/^amount\b/, '$p_amount').replace(/\border\b(?=\.other|\[)/, '$p_order').replace(/\bitems\b/, '$p_items'));
    }
    expect(toStoredText('{{x}} amount {{ "amount" }}', 'template', table)).toBe('{{x}} amount {{ "amount" }}');
    // A field binds only right after its parameter (or after `[…]` of a list parameter): not after a
    // bracket, a string or an operator, where it may belong to something else.
    for (const text of ['(order).total', '(true ? order : x).total', '"x".total', 'order + x.total', 'order[0].total']) {
      expect(toStoredText(text, 'expression', table), text).not.toContain('$f_total');
    }
  });

  it('shows the current names of what is stored, and keeps unknown ids as they are', () => {
    expect(toDisplayText('$p_amount * 2 + $n_log.message', 'expression', table)).toBe('amount * 2 + steps.charge_card.message');
    expect(toDisplayText('$p_items[0].$f_price', 'expression', table)).toBe('items[0].price');
    expect(toDisplayText('$p_gone + $p_order.$f_gone', 'expression', table)).toBe('$p_gone + order.$f_gone');
    expect(toDisplayText('Total: {{$p_order.$f_total}}', 'template', table)).toBe('Total: {{order.total}}');
  });

  it('never binds a function\'s name, even when a parameter is called the same', () => {
    const clash = nameTable(
      graph({ parameters: [{ id: 'p_fn', key: 'toNumber', type: 'text', optional: false }] }).nodes,
      [],
    );
    expect(toStoredText('toNumber(toNumber) + toNumber (1)', 'expression', clash)).toBe('toNumber($p_fn) + toNumber (1)');
  });

  it('works on text that is still being typed', () => {
    expect(toStoredText('Hi {{ amount + ', 'template', table)).toBe('Hi {{ $p_amount + ');
    expect(toStoredText('"unclosed amount', 'expression', table)).toBe('"unclosed amount');
    expect(toStoredText('items[0.price', 'expression', table)).toBe('$p_items[0.price');
  });

  /** A table of random names (identifiers, some colliding with words the language uses). */
  const word = fc.constantFrom('amount', 'name', 'steps', 'now', 'total', 'items', 'order', 'a', 'b', 'x_1', 'price', 'toNumber', 'charge');
  const tableArb: fc.Arbitrary<NameTable> = fc
    .record({
      params: fc.array(fc.record({ key: word, list: fc.boolean(), fields: fc.array(word, { maxLength: 3 }) }), { maxLength: 5 }),
      steps: fc.uniqueArray(word, { maxLength: 4 }),
    })
    .map(({ params, steps }) => {
      const t: NameTable = { paramKey: new Map(), paramByKey: new Map(), fieldKey: new Map(), fieldByKey: new Map(), stepName: new Map(), stepByName: new Map(), lists: new Set() };
      params.forEach((p, i) => {
        const id = `p${i}`;
        t.paramKey.set(id, p.key);
        if (!t.paramByKey.has(p.key)) t.paramByKey.set(p.key, id);
        if (p.list) t.lists!.add(id);
        const byId = new Map<string, string>();
        const byKey = new Map<string, string>();
        p.fields.forEach((key, j) => {
          byId.set(`f${i}_${j}`, key);
          if (!byKey.has(key)) byKey.set(key, `f${i}_${j}`);
        });
        t.fieldKey.set(id, byId);
        t.fieldByKey.set(id, byKey);
      });
      steps.forEach((name, i) => {
        t.stepName.set(`n${i}`, name);
        t.stepByName.set(name, `n${i}`);
      });
      return t;
    });
  /** Text made of the pieces that matter (names, dots, brackets, quotes, braces) and of anything at all. */
  const textArb = fc.oneof(
    fc.array(fc.oneof(word, fc.constantFrom('.', ' ', '[', ']', '(', ')', '{{', '}}', '"', "'", '\\', '0', '1.5', '+', 'steps.', '.total', '2x', '\n')), { maxLength: 30 }).map((parts) => parts.join('')),
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
  );

  it('round-trips exactly: toDisplayText(toStoredText(s)) === s for any s without "$" (property)', () => {
    fc.assert(
      fc.property(textArb, tableArb, fc.constantFrom('template' as const, 'expression' as const), (raw, names, kind) => {
        const text = raw.replaceAll('$', '');
        expect(toDisplayText(toStoredText(text, kind, names), kind, names)).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });

  it('stores what it stored again unchanged (binding is idempotent) (property)', () => {
    fc.assert(
      fc.property(textArb, tableArb, fc.constantFrom('template' as const, 'expression' as const), (raw, names, kind) => {
        const stored = toStoredText(raw, kind, names);
        expect(toStoredText(stored, kind, names)).toBe(stored);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('renaming', () => {
  const renamed = (g: WorkflowGraph, change: (g: WorkflowGraph) => void): WorkflowGraph => {
    const next = copy(g);
    change(next);
    return next;
  };
  const body = { amount: 5, name: 'Ada', order: { total: 7 }, items: [{ price: 3 }] };
  const bound = bindGraph(
    graph({
      parameters: PARAMETERS,
      actions: [
        log('n_log', 'Charging {{amount}} for {{name ?? "nobody"}}', { title: 'Charge card' }),
        returnData('n_ret', { total: '{{order.total + amount + (items[0].price ?? 0)}}', said: '{{steps.charge_card.message}}' }, { onlyWhen: 'order.total > 1' }),
      ],
    }),
  );
  const storedTexts = (g: WorkflowGraph) => JSON.stringify(g.nodes.map((n) => mapNodeExpressions(n, (t) => t)).map((n) => (n.type === 'action' ? [n.data.onlyWhen, n.data.action] : n.data.onlyWhen)));

  it('a renamed parameter, field or step changes what the editor shows, not what is stored, and the workflow runs the same', async () => {
    const before = await call(compiled(bound), body);
    const after = renamed(bound, (g) => {
      const event = g.nodes[0]!;
      if (event.type !== 'apiEvent') throw new Error('event first');
      event.data.parameters[0]!.key = 'sum';
      event.data.parameters[2]!.fields![0]!.key = 'grand_total';
      event.data.parameters[3]!.fields![0]!.key = 'cost';
      const step = g.nodes[1]!;
      if (step.type === 'action') step.data.title = 'Pay now';
    });
    expect(storedTexts(bindGraph(after))).toBe(storedTexts(bound));
    const names = nameTable(after.nodes, after.edges);
    const ret = after.nodes[2]!;
    if (ret.type !== 'action' || ret.data.action.type !== 'returnData') throw new Error('returnData third');
    expect(ret.data.action.entries.map((e) => toDisplayText(e.value, 'template', names))).toEqual([
      '{{order.grand_total + sum + (items[0].cost ?? 0)}}',
      '{{steps.pay_now.message}}',
    ]);
    // Callers send the new key; everything else is the same.
    const again = await call(compiled(after), { ...body, amount: undefined, sum: 5, order: { grand_total: 7 }, items: [{ cost: 3 }] });
    expect(result(again)).toEqual(result(before));
    expect(before.status === 'succeeded' && JSON.parse(before.response!)).toEqual({ total: 15, said: 'Charging 5 for Ada' });
  });

  it('binds names typed before the parameter or step existed', async () => {
    const early = graph({ actions: [returnData('n_ret', { doubled: '{{amount * 2}}', from: '{{steps.greet.message}}' })] });
    const now = copy(early);
    const event = now.nodes[0]!;
    if (event.type === 'apiEvent') event.data.parameters.push({ id: 'p_new', key: 'amount', type: 'number', list: false, optional: false });
    now.nodes.push({ id: 'n_greet', type: 'action', position: { x: 0, y: 0 }, data: { title: 'Greet', action: { type: 'log', message: 'hello' } } });
    now.edges = [
      { id: 'a', source: 'event', target: 'n_greet' },
      { id: 'b', source: 'n_greet', target: 'n_ret' },
    ];
    const bound2 = bindGraph(now);
    const ret = bound2.nodes[1]!;
    expect(ret.type === 'action' && ret.data.action).toMatchObject({ entries: [{ value: '{{$p_new * 2}}' }, { value: '{{$n_greet.message}}' }] });
    const outcome = await call(compiled(bound2), { amount: 4 });
    expect(outcome.status === 'succeeded' && JSON.parse(outcome.response!)).toEqual({ doubled: 8, from: 'hello' });
  });

  it('keeps a stored reference when two parameters share a name, so renaming one later moves nothing', () => {
    const twins = graph({
      parameters: [
        { id: 'p_a', key: 'x', type: 'number', optional: false },
        { id: 'p_b', key: 'x', type: 'number', optional: false },
      ],
      actions: [log('n', '{{$p_b}}')],
    });
    const action = bindGraph(twins).nodes[1]!;
    expect(action.type === 'action' && action.data.action).toEqual({ type: 'log', message: '{{$p_b}}' });
  });

  it('returns the same graph object when nothing needed binding', () => {
    expect(bindGraph(bound)).toBe(bound);
  });
});

describe('step names', () => {
  it('slugifies titles into unique names, in chain order', () => {
    expect(slugify('Charge card!')).toBe('charge_card');
    expect(slugify('  Éclair  ')).toBe('eclair');
    expect(slugify('3 tries')).toBe('step_3_tries');
    expect(slugify('!!!')).toBe('step');
    const g = graph({ actions: [log('a', 'x'), log('b', 'y'), log('c', 'z', { title: 'Log a value' })], loose: [log('d', 'w')] });
    expect([...stepNames(g.nodes, g.edges)]).toEqual([
      ['a', 'log_a_value'],
      ['b', 'log_a_value_2'],
      ['c', 'log_a_value_3'],
      ['d', 'log_a_value_4'],
    ]);
  });
});

describe('lexer', () => {
  it('never fails, and its tokens put together are the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (text) => {
        expect(tokenize(text).map((t) => t.text).join('')).toBe(text);
      }),
    );
  });

  it('tells identifiers, numbers, strings, spaces and punctuation apart', () => {
    expect(tokenize('$p_1.total+ "a\\"b" 1e-5 .5x').map((t) => [t.type, t.text])).toEqual([
      ['ident', '$p_1'],
      ['punct', '.'],
      ['ident', 'total'],
      ['punct', '+'],
      ['space', ' '],
      ['string', '"a\\"b"'],
      ['space', ' '],
      ['number', '1e-5'],
      ['space', ' '],
      ['number', '.5x'],
    ]);
  });

  it('finds the expression regions of a template, an unclosed one running to the end', () => {
    expect(expressionRegions('a {{b}} c {{d')).toEqual([
      { start: 4, end: 5 },
      { start: 12, end: 13 },
    ]);
    expect(expressionRegions('no braces')).toEqual([]);
  });
});
