import { describe, expect, it } from 'vitest';
import { parseDefinition } from './definition.ts';
import {
  EvaluationError,
  ExpressionSyntaxError,
  type Value,
  boundedText,
  describeValue,
  evaluate,
  formatValue,
  parseExpression,
  parseTemplate,
  refsUsed,
  renderTemplate,
  setOwn,
  toJsonValue,
  truthy,
} from './expression.ts';
import { WorkflowGraph } from './graph.ts';
import { LIMITS } from './limits.ts';
import { NOW, call, compiled, graph, log, returnData, values } from './test-support.ts';
import { compile } from './compile.ts';

// Stored text: references by id (`$amount` is the parameter whose id is "amount").
const ctx = {
  values: values({
    amount: 20,
    name: 'Ada',
    vip: true,
    none: null,
    when: new Date('2026-01-01T00:00:00Z'),
    order: { total: 12.5, lines: [{ price: 3 }, { price: 4 }], data: { object: { id: 'evt_1' } } },
    items: [{ price: 3 }, { price: 4 }],
  }),
  now: NOW,
};
const run = (source: string): Value => evaluate(parseExpression(source), ctx);

describe('parseExpression and evaluate', () => {
  it('does arithmetic with precedence on references by id', () => {
    expect(run('$amount * 2 + 1')).toBe(41);
    expect(run('($amount - 5) / 3')).toBe(5);
    expect(run('-$amount % 7')).toBe(-6);
    expect(run('+$amount')).toBe(20);
  });

  it('compares, combines, chooses and defaults', () => {
    expect(run('$amount >= 20 && $vip')).toBe(true);
    expect(run('$amount > 100 || !$vip')).toBe(false);
    expect(run('$vip ? "gold" : "plain"')).toBe('gold');
    expect(run('$name === "Ada"')).toBe(true);
    expect(run('$name !== "Ada"')).toBe(false);
    expect(run('$when < now')).toBe(true);
    expect(run('$when == $when')).toBe(true);
    expect(run('"b" > "a"')).toBe(true);
    expect(run('$none ?? 7')).toBe(7);
    expect(run('$amount ?? 7')).toBe(20);
  });

  it('short-circuits && and || and ??, so a guard protects what follows it', () => {
    expect(run('$none != null && $none > 3')).toBe(false);
    expect(run('$vip || 1 / 0')).toBe(true);
    expect(run('$amount ?? 1 / 0')).toBe(20);
  });

  it('joins text with +', () => {
    expect(run('"Hi " + $name + " #" + $amount')).toBe('Hi Ada #20');
    expect(run('"at " + $when')).toBe('at 2026-01-01T00:00:00.000Z');
  });

  it('reads fields and items; a missing path is empty, not a crash', () => {
    expect(run('$order.total')).toBe(12.5);
    expect(run('$order.data.object.id')).toBe('evt_1');
    expect(run('$items[0].price')).toBe(3);
    expect(run('$items[-1].price')).toBe(4);
    expect(run('$order["total"]')).toBe(12.5);
    expect(run('$items[5].price')).toBeNull();
    expect(run('$items[0.5]')).toBeNull();
    expect(run('$order.nothing.deeper.still')).toBeNull();
    expect(run('$none.field')).toBeNull();
    expect(run('$name.length')).toBeNull();
    expect(run('$unknownId')).toBeNull();
  });

  it('sees only own fields: names of Object.prototype are empty', () => {
    for (const key of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(run(`$order.${key}`), key).toBeNull();
      expect(run(`$order["${key}"]`), key).toBeNull();
    }
  });

  it('builds lists and calls functions', () => {
    expect(run('[1, $amount, "x"]')).toEqual([1, 20, 'x']);
    expect(run('toNumber("12.5") + 1')).toBe(13.5);
    expect(run('isEmpty($none)')).toBe(true);
  });

  it('reads the clock it is given, not the machine clock', () => {
    expect(run('now')).toEqual(NOW);
  });

  it('parses references and names apart: $id is a reference, a plain name is left for the checker', () => {
    expect(parseExpression('$p_1')).toEqual({ kind: 'ref', id: 'p_1' });
    expect(parseExpression('amount')).toEqual({ kind: 'name', name: 'amount' });
    expect(parseExpression('$p.$f')).toEqual({ kind: 'member', object: { kind: 'ref', id: 'p' }, property: '$f' });
    expect(() => evaluate(parseExpression('amount'), ctx)).toThrow(new EvaluationError('Unknown name "amount"'));
  });

  it('refuses what is not part of the language, as a syntax error', () => {
    for (const source of ['process.exit()', 'constructor.constructor("x")()', 'a = 1', 'x; y', '1 | 2', 'this', '[1,,2]', '', '  ', 'a ? b', '1e400', '"a" in b']) {
      expect(() => parseExpression(source), source).toThrow(ExpressionSyntaxError);
    }
  });

  it('reports run-time mistakes with a readable message', () => {
    expect(() => run('$amount / 0')).toThrow(new EvaluationError('Division by zero'));
    expect(() => run('$amount % 0')).toThrow(new EvaluationError('Division by zero'));
    expect(() => run('$name * 2')).toThrow(new EvaluationError('Cannot multiply text: a number is needed'));
    expect(() => run('$name < 3')).toThrow(new EvaluationError('Cannot compare text < a number'));
    expect(() => run('-$none')).toThrow(new EvaluationError('Cannot negate empty: a number is needed'));
    expect(() => run('$order - 1')).toThrow(new EvaluationError('Cannot subtract an object: a number is needed'));
    expect(() => run('toNumber("abc")')).toThrow(new EvaluationError('Cannot convert "abc" to a number'));
  });

  it('lists the references an expression or a template uses', () => {
    expect([...refsUsed(parseExpression('$a + $b.c + $a'))]).toEqual(['a', 'b']);
    expect([...refsUsed(parseTemplate('{{$a}} and {{ $b[$c] }}'))]).toEqual(['a', 'b', 'c']);
  });
});

describe('templates', () => {
  it('interpolates expressions into text', () => {
    expect(renderTemplate(parseTemplate('Hello {{ $name }}, you owe {{$amount * 2}}'), ctx)).toBe('Hello Ada, you owe 40');
    expect(renderTemplate(parseTemplate('empty reads as "{{$none}}"'), ctx)).toBe('empty reads as ""');
    expect(renderTemplate(parseTemplate('{{$items}}'), ctx)).toEqual([{ price: 3 }, { price: 4 }]);
    expect(renderTemplate(parseTemplate('lines: {{$items}}'), ctx)).toBe('lines: [{"price":3},{"price":4}]');
  });

  it('keeps the type of a lone expression', () => {
    expect(renderTemplate(parseTemplate('{{$amount + 1}}'), ctx)).toBe(21);
    expect(renderTemplate(parseTemplate('{{$vip}}'), ctx)).toBe(true);
    expect(renderTemplate(parseTemplate(' {{$vip}}'), ctx)).toBe(' true');
  });

  it('leaves plain text alone', () => {
    expect(parseTemplate('no braces here')).toEqual({ parts: [{ text: 'no braces here' }] });
    expect(parseTemplate('')).toEqual({ parts: [] });
    expect(renderTemplate(parseTemplate(''), ctx)).toBe('');
  });

  it('points at an unclosed or broken expression', () => {
    expect(() => parseTemplate('Hi {{name')).toThrow(/"\{\{" has no matching "\}\}"/);
    expect(() => parseTemplate('Hi {{name +}}')).toThrow(/^In \{\{name \+\}\}: /);
    const offset = (source: string) => {
      try {
        parseTemplate(source);
      } catch (error) {
        return (error as ExpressionSyntaxError).offset;
      }
      return 'no error';
    };
    expect(offset('abc {{ + }}')).toBe(4);
    expect(offset('{{1}} abc {{ + }}')).toBe(10);
  });
});

describe('values', () => {
  it('formats values for text and JSON', () => {
    const date = new Date('2026-01-02T03:04:05.006Z');
    expect(formatValue(null)).toBe('');
    expect(formatValue(date)).toBe('2026-01-02T03:04:05.006Z');
    expect(formatValue([1, 'a'])).toBe('[1,"a"]');
    expect(formatValue(3.5)).toBe('3.5');
    expect(toJsonValue({ at: date, list: [date, null] })).toEqual({ at: '2026-01-02T03:04:05.006Z', list: ['2026-01-02T03:04:05.006Z', null] });
  });

  it('keeps "__proto__" as a plain key when copying and setting', () => {
    const source = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Value;
    const copy = toJsonValue(source) as Record<string, unknown>;
    expect(Object.keys(copy)).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const target: Record<string, unknown> = {};
    setOwn(target, '__proto__', 1);
    expect(Object.hasOwn(target, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(target)).toBe(Object.prototype);
  });

  it('says what a value is, and what counts as true', () => {
    expect([null, new Date(0), [], {}, true, 'x', 1].map((v) => describeValue(v as Value))).toEqual([
      'empty',
      'a date',
      'a list',
      'an object',
      'yes/no',
      'text',
      'a number',
    ]);
    expect([null, 0, '', false, new Date(0), [], {}, 'x', 1].map((v) => truthy(v as Value))).toEqual([false, false, false, false, true, true, true, true, true]);
  });

  it('bounds text built while evaluating', () => {
    expect(boundedText('x'.repeat(LIMITS.textChars))).toHaveLength(LIMITS.textChars);
    expect(() => boundedText('x'.repeat(LIMITS.textChars + 1))).toThrow(new EvaluationError('Text would be longer than 1,048,576 characters'));
    const big = { values: values({ big: 'x'.repeat(600_000) }), now: NOW };
    expect(() => evaluate(parseExpression('$big + $big'), big)).toThrow(/Text would be longer/);
    expect(() => renderTemplate(parseTemplate('{{$big}}{{$big}}'), big)).toThrow(/Text would be longer/);
  });

  it('bounds lists built while evaluating, so a list of a big list many times over is refused', () => {
    const items = Array.from({ length: 20_000 }, (_, i) => `item number ${i} with some text`);
    const big = { values: values({ items }), now: NOW };
    expect(evaluate(parseExpression('[$items, $items]'), big)).toHaveLength(2);
    const many = `[${Array.from({ length: 480 }, () => '$items').join(', ')}]`;
    expect(() => evaluate(parseExpression(many), big)).toThrow(new EvaluationError('The list would be larger than 4 MiB'));
  });

  it('refuses a number too large to be sent, instead of answering null', () => {
    expect(() => run('1e308 * 10')).toThrow(new EvaluationError('The result is too large for a number'));
    expect(() => run('-1e308 - 1e308')).toThrow(/too large/);
    expect(run('1e300 * 10')).toBe(1e301);
  });
});

/**
 * Whatever compiles can be stored, deployed and evaluated: an expression exactly at each bound goes
 * through compile, JSON, parseDefinition and a run; one step past the bound is a diagnostic.
 */
describe('compile-time bounds', () => {
  const unary = (levels: number) => `${'- '.repeat(levels)}$amount`;
  const calls = (levels: number) => `${'toNumber('.repeat(levels)}1${')'.repeat(levels)}`;
  const parens = (levels: number) => `${'('.repeat(levels)}1${')'.repeat(levels)}`;
  const list = (nodes: number) => `[${Array.from({ length: nodes - 1 }, () => '1').join(',')}]`;
  const longText = (chars: number) => `{{"${'x'.repeat(chars - 6)}"}}`;
  const parts = (n: number) => '{{1}}'.repeat(n);

  const deploy = async (template: string) => {
    const source = graph({
      parameters: [{ id: 'amount', key: 'amount', type: 'number', optional: false }],
      actions: [returnData('ret', { value: template })],
    });
    const definition = compiled(source);
    const stored = parseDefinition(JSON.parse(JSON.stringify(definition)));
    expect(stored).toEqual(definition);
    const outcome = await call(stored, { amount: 3 });
    expect(outcome.status).toBe('succeeded');
    return outcome.status === 'succeeded' ? (JSON.parse(outcome.response!) as { value: unknown }).value : undefined;
  };
  const diagnostic = (template: string) => {
    // Built without the schema, so that the compiler's own bound is what is tested.
    const source = graph({ parameters: [{ id: 'amount', key: 'amount', type: 'number', optional: false }], actions: [returnData('ret', { value: '' })] });
    const action = source.nodes[1]!;
    if (action.type !== 'action' || action.data.action.type !== 'returnData') throw new Error('unexpected');
    action.data.action.entries[0]!.value = template;
    const result = compile('bounds', source);
    expect(result.definition).toBeNull();
    return result.diagnostics.map((d) => [d.nodeId, d.field, d.message]);
  };

  it('depth: as many levels of operators, calls or brackets as LIMITS.expressionDepth, not one more', async () => {
    const depth = LIMITS.expressionDepth;
    expect(await deploy(`{{${unary(depth)}}}`)).toBe(depth % 2 === 0 ? 3 : -3);
    expect(await deploy(`{{${calls(depth)}}}`)).toBe(1);
    expect(await deploy(`{{${parens(depth)}}}`)).toBe(1);
    const tooDeep = `In {{…}}: Expression is nested more than ${depth} levels deep`;
    for (const source of [unary(depth + 1), calls(depth + 1), parens(depth + 1)]) {
      // The message quotes the expression the way the editor shows it (names, not ids).
      expect(diagnostic(`{{${source}}}`)).toEqual([['ret', 'entries.ret_e0.value', tooDeep.replace('…', source.trim().replace('$amount', 'amount'))]]);
    }
  });

  it('nodes: an expression of LIMITS.expressionNodes parts, not one more', async () => {
    const nodes = LIMITS.expressionNodes;
    expect(await deploy(`{{${list(nodes)}}}`)).toHaveLength(nodes - 1);
    const [[, , message]] = diagnostic(`{{${list(nodes + 1)}}}`) as [[string, string, string]];
    expect(message).toMatch(new RegExp(`Expression has more than ${nodes} parts; split it into steps$`));
  });

  it('characters: a field of LIMITS.expressionChars characters, not one more', async () => {
    const chars = LIMITS.expressionChars;
    expect(longText(chars)).toHaveLength(chars);
    expect(await deploy(longText(chars))).toHaveLength(chars - 6);
    expect(diagnostic(longText(chars + 1))).toEqual([['ret', 'entries.ret_e0.value', `Text is longer than ${chars} characters`]]);
    // Through the schema, the same text is refused where the graph enters, with a message.
    const refused = WorkflowGraph.safeParse({
      ...graph({ actions: [log('l', 'x')] }),
      nodes: [graph({}).nodes[0], { id: 'l', type: 'action', position: { x: 0, y: 0 }, data: { action: { type: 'log', message: longText(chars + 1) } } }],
      edges: [],
    });
    expect(refused.success).toBe(false);
  });

  it('template parts: LIMITS.templateParts parts, not one more', async () => {
    expect(await deploy(parts(LIMITS.templateParts))).toBe('1'.repeat(LIMITS.templateParts));
    expect(diagnostic(parts(LIMITS.templateParts + 1))).toEqual([['ret', 'entries.ret_e0.value', `Text has more than ${LIMITS.templateParts} parts`]]);
  });

  it('a hostile expression far past every bound is a diagnostic, never a crash', () => {
    for (const source of [`{{${'-'.repeat(9000)}1}}`, `{{${'!'.repeat(9000)}1}}`, `{{${'['.repeat(4000)}}}`, `{{${'1+'.repeat(3000)}1}}`, `{{${'a.'.repeat(3000)}b}}`, `{{${'a?'.repeat(2000)}1${':2'.repeat(2000)}}}`]) {
      const [[nodeId, field, message]] = diagnostic(source) as [[string, string, string]];
      expect([nodeId, field]).toEqual(['ret', 'entries.ret_e0.value']);
      expect(message).not.toMatch(/call stack|Maximum|RangeError/);
    }
  });
});
