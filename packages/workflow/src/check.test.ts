import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type TypeEnv, TypeCheckError, checkExpression, checkTemplate, show } from './check.ts';
import { compile } from './compile.ts';
import { EvaluationError, type Value, evaluate, isRecord, parseExpression, parseTemplate } from './expression.ts';
import { typeOfField } from './parameters.ts';
import { nameTable, toStoredText } from './references.ts';
import { NOW, type ParameterInput, compiled, graph, log, returnData } from './test-support.ts';
import { T, type Type, describeType } from './types.ts';

/** The parameters every fixture may use, by key (their ids are `p_<key>`). */
const PARAMETERS: ParameterInput[] = [
  { id: 'p_amount', key: 'amount', type: 'number', optional: false },
  { id: 'p_name', key: 'name', type: 'text', optional: false },
  { id: 'p_note', key: 'note', type: 'text', optional: true },
  { id: 'p_vip', key: 'vip', type: 'boolean', optional: false },
  { id: 'p_when', key: 'when', type: 'date', optional: false },
  { id: 'p_due', key: 'due', type: 'date', optional: true },
  { id: 'p_data', key: 'data', type: 'object', optional: false },
  {
    id: 'p_order',
    key: 'order',
    type: 'object',
    optional: false,
    fields: [
      { id: 'f_total', key: 'total', type: 'number', optional: false },
      { id: 'f_coupon', key: 'coupon', type: 'text', optional: true },
      { id: 'f_tags', key: 'tags', type: 'text', list: true, optional: false },
      { id: 'f_meta', key: 'meta', type: 'object', optional: false },
    ],
  },
  { id: 'p_maybe', key: 'maybe', type: 'object', optional: true, fields: [{ id: 'f_total', key: 'total', type: 'number', optional: false }] },
  { id: 'p_items', key: 'items', type: 'object', list: true, optional: false, fields: [{ id: 'f_price', key: 'price', type: 'number', optional: false }] },
  { id: 'p_scores', key: 'scores', type: 'number', list: true, optional: true },
];

const base = graph({ parameters: PARAMETERS });
const table = nameTable(base.nodes, base.edges);
const specs = compiled(base).trigger.parameters;
const env: TypeEnv = {
  lookup: (id) => {
    const spec = specs.find((p) => p.id === id);
    return spec && { name: spec.key, type: typeOfField(spec) };
  },
};

/** The type of an expression typed in the editor, straight from the checker. */
function typeOf(display: string): string {
  const parsed = parseExpression(toStoredText(display, 'expression', table));
  try {
    return describeType(checkExpression(parsed, env).type);
  } catch (error) {
    if (error instanceof TypeCheckError) return `error: ${error.message}`;
    throw error;
  }
}

/** The same expression as the value of a "Return data" key, through the whole compiler. */
function diagnosticsOf(display: string) {
  const source = graph({ parameters: PARAMETERS, actions: [returnData('ret', { value: `{{${display}}}` })] });
  return compile('fixture', source).diagnostics.map((d) => [d.nodeId, d.field, d.severity, d.message]);
}

/** (expression as the editor shows it) -> its type, or the exact diagnostic. */
const FIXTURES: [string, string][] = [
  // Arithmetic, and the message naming both sides.
  ['amount * 2', 'a number'],
  ['amount * name', 'error: amount * name: name is text; a number is needed'],
  ['name * amount', 'error: name * amount: name is text; a number is needed'],
  ['-name', 'error: name is text; a number is needed'],
  ['amount - when', 'error: amount - when: when is a date; a number is needed'],
  // "T or empty": an error where a value is required, unless it gets a default.
  ['note', 'text or empty'],
  ['due < now', 'error: due is a date or empty; a date is needed: give it a default (due ?? …)'],
  ['(due ?? now) < now', 'yes/no'],
  ['scores[0] * 2', 'error: scores[0] * 2: scores[0] is a number or empty; a number is needed: give it a default (scores[0] ?? …)'],
  ['(scores[0] ?? 0) * 2', 'a number'],
  ['note ?? "none"', 'text'],
  ['note ?? 0', 'any value'],
  // A default on a value that is never empty does no harm (making a parameter required must not break expressions).
  ['amount ?? 0', 'a number'],
  ['maybe.total', 'a number or empty'],
  ['maybe.total ?? 0', 'a number'],
  // `any` (an undeclared field of an object): an error where a type is required, unless converted.
  ['data.total', 'any value'],
  ['data.total * 2', 'error: data.total * 2: data.total is any value; a number is needed: convert it (toNumber(…))'],
  ['toNumber(data.total) * 2', 'a number'],
  ['data.object.id', 'any value'],
  ['data.items[0].price', 'any value'],
  ['data["a key"]', 'any value'],
  ['data[0]', 'error: A field name is a number; text is needed'],
  ['data.list[0]', 'any value'],
  ['data.list[vip]', 'error: A position or field name is needed in data.list[vip]: vip is yes/no'],
  ['data.ok ? 1 : 2', 'error: data.ok is any value; yes/no is needed: convert it (toYesNo(…))'],
  ['"Total: " + data.total', 'error: Cannot join data.total to text: it is any value (convert it: toText(data.total))'],
  ['"Total: " + toText(data.total)', 'text'],
  // Declared objects.
  ['order.total', 'a number'],
  ['order.total * 1.2', 'a number'],
  ['order.coupon', 'text or empty'],
  ['order.tags', 'a list of texts'],
  ['order.tags[0]', 'text or empty'],
  ['order.meta.anything', 'any value'],
  ['order.discount', 'error: order has no field "discount" (its fields: total, coupon, tags, meta); declare it on the parameter'],
  ['order.constructor', 'error: order has no field "constructor" (its fields: total, coupon, tags, meta); declare it on the parameter'],
  ['order.toString * 2', 'error: order has no field "toString" (its fields: total, coupon, tags, meta); declare it on the parameter'],
  ['order["discount"]', 'any value'],
  // Lists.
  ['items[0].price', 'a number or empty'],
  ['items[0].price ?? 0', 'a number'],
  ['items[amount].price', 'a number or empty'],
  ['items[items[0].price ?? 0].price', 'a number or empty'],
  ['items[0]["price"]', 'any value'],
  ['items[0].price * name', 'error: items[0].price * name: items[0].price is a number or empty; a number is needed: give it a default (items[0].price ?? …)'],
  ['"a" + items[0].price', 'error: Cannot join items[0].price to text: it is a number or empty (give it a default: items[0].price ?? "")'],
  ['items.price', 'error: items is a list of objects: pick an item first, e.g. items[0].price'],
  ['items["x"]', 'error: A list position is text; a number is needed'],
  ['[1, 2]', 'a list of numbers'],
  ['[1, "a"]', 'a list of values'],
  ['[]', 'a list of values'],
  ['name.length', 'error: name is text: it has no field "length"'],
  ['name[0]', 'error: name is text: it has no items'],
  // + joins text.
  ['"Hi " + name', 'text'],
  ['"n=" + amount + ", vip: " + vip', 'text'],
  // ...but not a date, which would read as ISO 8601 in UTC: the builder formats it.
  ['"at " + when', 'error: Cannot join when to text: it is a date; format it first, formatDate(when, "yyyy-MM-dd")'],
  ['due + " is due"', 'error: Cannot join due to text: it is a date or empty; format it first, formatDate(due, "yyyy-MM-dd")'],
  ['"at " + formatDate(when, "yyyy-MM-dd HH:mm")', 'text'],
  ['"Hi " + note', 'error: Cannot join note to text: it is text or empty (give it a default: note ?? "")'],
  ['"Hi " + (note ?? "")', 'text'],
  ['"lines: " + items', 'error: Cannot join items to text: it is a list of objects'],
  ['amount + 1', 'a number'],
  ['amount + vip', 'error: amount + vip: vip is yes/no; a number is needed'],
  // Comparisons.
  ['amount > 3', 'yes/no'],
  ['name < "b"', 'yes/no'],
  ['when <= now', 'yes/no'],
  ['name < 3', 'error: 3 is a number; text is needed'],
  ['vip < true', 'error: vip is yes/no; a number is needed'],
  ['amount == name', 'yes/no'],
  ['note != null', 'yes/no'],
  // Conditionals and logic.
  ['vip ? 1 : 2', 'a number'],
  ['vip ? 1 : "a"', 'any value'],
  ['vip ? 1 : null', 'a number or empty'],
  ['vip ? maybe : null', 'an object with fields total or empty'],
  // Field by field: what only one side has may be empty; a field typed differently on each side is any value.
  ['vip ? order : maybe', 'an object with fields total, coupon, tags, meta or empty'],
  ['(vip ? order : maybe).coupon', 'text or empty'],
  ['(vip ? order : maybe).total * 2', 'error: (vip ? order : maybe).total * 2: (vip ? order : maybe).total is a number or empty; a number is needed: give it a default ((vip ? order : maybe).total ?? …)'],
  ['amount ? 1 : 2', 'error: amount is a number; yes/no is needed'],
  ['vip && amount > 1', 'yes/no'],
  ['vip || amount', 'error: amount is a number; yes/no is needed'],
  ['!vip', 'yes/no'],
  ['!amount', 'error: amount is a number; yes/no is needed'],
  // Functions: arity and argument types.
  ['toNumber("1")', 'a number'],
  ['toNumber()', 'error: toNumber(value) takes 1 value, got 0'],
  ['toText(1, 2)', 'error: toText(value) takes 1 value, got 2'],
  ['nope(1)', 'error: Unknown function "nope"'],
  // Dates: arithmetic goes through the date functions, whose arguments are typed too.
  ['when + 7', 'error: when + 7: when is a date; a number is needed: to move a date, use addDays(when, …) (or addHours, addMonths…)'],
  ['when - 7', 'error: when - 7: when is a date; a number is needed: to move a date back, use addDays(when, -…) (or addHours, addMonths…)'],
  ['when - now', 'error: when - now: when is a date; a number is needed: for the time between two dates, use diffDays(now, when) (or diffHours, diffMonths…)'],
  ['addDays(when, 7) < now', 'yes/no'],
  ['addHours(now, -amount)', 'a date'],
  ['addMonths(when, 1, "Europe/Paris")', 'a date'],
  ['addDays(when, 1, note)', 'a date'],
  ['addDays(when, "7")', 'error: The days of addDays: "7" is text; a number is needed'],
  ['addDays(name, 7)', 'error: The date of addDays: name is text; a date is needed'],
  ['addDays(due, 7)', 'error: The date of addDays: due is a date or empty; a date is needed: give it a default (due ?? …)'],
  ['addDays(toDate(data.at), amount)', 'a date'],
  ['addDays(when, 1, amount)', 'error: The timeZone of addDays: amount is a number; text or empty is needed'],
  ['addDays(when)', 'error: addDays(date, days, timeZone?) takes 2 or 3 values, got 1'],
  ['addDays(when, 1, "UTC", 2)', 'error: addDays(date, days, timeZone?) takes 2 or 3 values, got 4'],
  ['addHours(when, 1, "UTC")', 'error: addHours(date, hours) takes 2 values, got 3'],
  ['addDays(when, 1, "Europe/Pariss")', 'error: addDays: Unknown time zone "Europe/Pariss": use an IANA name such as "Europe/Paris", "America/New_York" or "UTC"'],
  ['startOfWeek(now)', 'a date'],
  ['diffDays(when, now) > 30', 'yes/no'],
  ['diffHours(when, now, "UTC")', 'error: diffHours(from, to) takes 2 values, got 3'],
  ['formatDate(now, "EEE d MMM yyyy", "America/New_York")', 'text'],
  ['formatDate(now, "yyyy-jj")', 'error: formatDate: the pattern "yyyy-jj" cannot be used: "j" is not a part of a date; put other text in single quotes, e.g. "dd MMM \'at\' HH:mm"'],
  ['formatDate(now, "YYYY-MM-dd")', 'error: formatDate: In the pattern "YYYY-MM-dd", use "yyyy" for the year ("YYYY" is the week-numbering year)'],
  ['formatDate(now, name)', 'text'],
  ['formatDate(now)', 'error: formatDate(date, pattern, timeZone?) takes 2 or 3 values, got 1'],
  ['toDate(name) < now', 'yes/no'],
  ['toYesNo(data.flag) && vip', 'yes/no'],
  ['isEmpty(note)', 'yes/no'],
  ['toText(items)', 'text'],
  ['toNumber(name) * name', 'error: toNumber(name) * name: name is text; a number is needed'],
  // Names that are nothing.
  ['missing', 'error: Unknown name "missing"'],
  ['missing.field', 'error: Unknown name "missing"'],
  ['steps.nothing', 'error: No earlier step has that name: write steps.<name of a step before this one>'],
  ['null', 'empty'],
  ['now', 'a date'],
];

describe('type checker fixtures', () => {
  it.each(FIXTURES)('%s -> %s', (display, expected) => {
    expect(typeOf(display)).toBe(expected);
    // Through the compiler, the same verdict lands on the field the expression is in.
    const diagnostics = diagnosticsOf(display);
    if (expected.startsWith('error: ')) {
      expect(diagnostics).toEqual([['ret', 'entries.ret_e0.value', 'error', expected.slice('error: '.length)]]);
    } else {
      expect(diagnostics).toEqual([]);
    }
  });
});

describe('type checker, in a workflow', () => {
  const compileSteps = (...actions: Parameters<typeof graph>[0]['actions'] & object) =>
    compile('steps', graph({ parameters: PARAMETERS, actions })).diagnostics.map((d) => [d.nodeId, d.field, d.message]);

  it('types an earlier step\'s result from its module, and refuses its unknown fields', () => {
    expect(compileSteps(log('first', 'Hi {{name}}'), returnData('ret', { m: '{{"said: " + steps.log_a_value.message}}' }))).toEqual([]);
    expect(compileSteps(log('first', 'Hi'), returnData('ret', { m: '{{steps.log_a_value.other}}' }))).toEqual([
      ['ret', 'entries.ret_e0.value', 'steps.log_a_value has no field "other" (its fields: message); declare it on the parameter'],
    ]);
  });

  it('makes a step with "Only when" possibly empty for the steps after it', () => {
    expect(compileSteps(log('first', 'Hi', { onlyWhen: 'vip' }), returnData('ret', { m: '{{"said: " + steps.log_a_value.message}}' }))).toEqual([
      ['ret', 'entries.ret_e0.value', 'Cannot join steps.log_a_value.message to text: it is text or empty (give it a default: steps.log_a_value.message ?? "")'],
    ]);
  });

  it('refuses a reference to a later step, to the step itself, and to a step that never runs', () => {
    expect(compileSteps(log('first', '{{steps.second.message}}'), log('second', 'x', { title: 'Second' }))).toEqual([
      ['first', 'message', "steps.second runs after this step: only earlier steps' results can be used"],
    ]);
    expect(compileSteps(log('first', 'x', { title: 'Me', onlyWhen: 'steps.me.message == "x"' }))).toEqual([['first', 'onlyWhen', 'A step cannot use its own result (steps.me)']]);
    const loose = compile('loose', graph({ parameters: PARAMETERS, actions: [log('first', '{{steps.lost.message}}')], loose: [log('lost_node', 'x', { title: 'Lost' })] }));
    expect(loose.diagnostics.map((d) => [d.nodeId, d.field, d.message])).toEqual([
      ['lost_node', null, 'Not connected to the event, so it never runs'],
      ['first', 'message', 'steps.lost is not connected to the event, so it never runs: its result cannot be used'],
    ]);
  });

  it('reports a reference to a deleted parameter, and keeps it until fixed', () => {
    expect(compileSteps(log('first', 'Total: {{$p_gone * 2}}'))).toEqual([['first', 'message', 'Refers to a parameter or step that no longer exists ($p_gone)']]);
    expect(compileSteps(log('first', '{{order.$f_gone}}'))).toEqual([['first', 'message', 'order has no field with id $f_gone: it was removed']]);
  });

  it('checks "Only when" as yes/no, on the event and on steps', () => {
    const result = compile('cond', graph({ parameters: PARAMETERS, onlyWhen: 'amount', actions: [log('first', 'x', { onlyWhen: 'note' })] }));
    expect(result.diagnostics.map((d) => [d.nodeId, d.field, d.message])).toEqual([
      ['event', 'onlyWhen', 'amount is a number; yes/no is needed'],
      ['first', 'onlyWhen', 'note is text or empty; yes/no is needed'],
    ]);
  });

  it('checks a lone {{expression}} against what its field needs, and lets mixed text take anything', () => {
    const env0: TypeEnv = { lookup: () => undefined };
    expect(checkTemplate(parseTemplate('{{1}}'), env0, { type: T.number }).type).toEqual(T.number);
    expect(() => checkTemplate(parseTemplate('{{"a"}}'), env0, { type: T.number })).toThrow(new TypeCheckError('"a" is text; a number is needed'));
    expect(() => checkTemplate(parseTemplate('x {{1}}'), env0, { type: T.number })).toThrow(new TypeCheckError('This text is text; a number is needed'));
    expect(checkTemplate(parseTemplate('x {{null}} {{[1]}}'), env0, 'text').type).toEqual(T.text);
  });

  it('prints expressions the way the editor shows them', () => {
    const printed = (stored: string) => show(parseExpression(stored), env);
    expect(printed('($p_amount + 1) * -$p_amount')).toBe('(amount + 1) * -amount');
    expect(printed('$p_amount - (1 - 2)')).toBe('amount - (1 - 2)');
    expect(printed('$p_order.$f_total + $p_items[0].$f_price')).toBe('order.total + items[0].price');
    expect(printed('$p_items[0].$f_gone + $p_name.$f_price')).toBe('items[0].$f_gone + name.$f_price');
    expect(printed('$p_vip ? "a" : toText([1, null])')).toBe('vip ? "a" : toText([1, null])');
    expect(printed('($p_vip ? 1 : 2) + 1')).toBe('(vip ? 1 : 2) + 1');
    expect(printed('$gone')).toBe('$gone');
  });
});

/**
 * The checker and the evaluator agree: an expression that type-checks never fails at run time
 * with a type error, and its value has the type the checker said. Allowed failures: division by
 * zero, failed conversions, text growing past its bound, and a time zone given as data that is none.
 */
describe('checker and evaluator agree (property)', () => {
  const leaves = [
    'amount', 'name', 'note', 'vip', 'when', 'due', 'data', 'data.x', 'data.list', 'order', 'order.total', 'order.coupon',
    'order.tags', 'maybe', 'maybe.total', 'items', 'scores', 'now', 'null', '0', '1', '2.5', '-3', '"a"', '""', '"12"',
    'true', 'false', '[]', '[1, 2]',
    // Reads that may be empty at run time, and defaults that may still be empty.
    'items[0]', 'items[0].price', 'items[1].price ?? 0', 'scores[0]', 'scores[-1]', 'order.tags[0]', 'note ?? null', 'maybe.total ?? null', 'due ?? null',
    // Dates made by the date functions, in a zone given or the workflow's.
    'addDays(when, 1)', 'addMonths(due ?? now, -1, "Europe/Paris")', 'startOfWeek(now, note)', 'diffDays(when, now)', 'formatDate(when, "yyyy-MM-dd HH:mm")',
  ];
  const unaryOps = ['-', '!'];
  const binaryOps = ['+', '-', '*', '/', '%', '==', '!=', '<', '<=', '>', '>=', '&&', '||', '??'];
  const functions = ['toNumber', 'toText', 'toDate', 'toYesNo', 'isEmpty', 'startOfDay', 'startOfMonth'];

  const { expr } = fc.letrec<{ expr: string }>((tie) => ({
    expr: fc.oneof(
      { maxDepth: 4, depthIdentifier: 'expr' },
      { weight: 4, arbitrary: fc.constantFrom(...leaves) },
      { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...unaryOps), tie('expr')).map(([op, a]) => `${op}(${a})`) },
      { weight: 3, arbitrary: fc.tuple(tie('expr'), fc.constantFrom(...binaryOps), tie('expr')).map(([a, op, b]) => `(${a}) ${op} (${b})`) },
      { weight: 1, arbitrary: fc.tuple(tie('expr'), tie('expr'), tie('expr')).map(([c, a, b]) => `(${c}) ? (${a}) : (${b})`) },
      { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...functions), tie('expr')).map(([f, a]) => `${f}(${a})`) },
      { weight: 1, arbitrary: fc.tuple(tie('expr'), tie('expr')).map(([a, i]) => `(${a})[${i}]`) },
      { weight: 1, arbitrary: fc.tuple(tie('expr'), tie('expr')).map(([a, b]) => `(${a}) ?? (${b})`) },
      { weight: 1, arbitrary: fc.tuple(tie('expr'), fc.constantFrom('total', 'x', 'price', 'coupon')).map(([a, f]) => `(${a}).${f}`) },
    ),
  }));

  const json: fc.Arbitrary<Value> = fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Value>;
  const date = fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true });
  const number = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.double({ noNaN: true, noDefaultInfinity: true }));
  const text = fc.oneof(fc.constantFrom('', '12', 'yes', '2026-01-01', 'a'), fc.string({ maxLength: 5 }));
  const inputs = fc.record({
    p_amount: number,
    p_name: text,
    p_note: fc.option(text, { nil: null }),
    p_vip: fc.boolean(),
    p_when: date,
    p_due: fc.option(date, { nil: null }),
    p_data: fc.dictionary(fc.constantFrom('x', 'list', 'total'), json),
    p_order: fc.record({ total: number, coupon: fc.option(text, { nil: null }), tags: fc.array(text, { maxLength: 2 }), meta: fc.dictionary(fc.string({ maxLength: 2 }), json) }),
    p_maybe: fc.option(fc.record({ total: number }), { nil: null }),
    p_items: fc.array(fc.record({ price: number }), { maxLength: 3 }),
    p_scores: fc.option(fc.array(number, { maxLength: 3 }), { nil: null }),
  });

  // ...and, from the date functions, a time zone given as data that is no zone (here `note`).
  const ALLOWED = [/^Division by zero$/, /^Cannot convert /, /^Text would be longer than/, /: Unknown time zone /];

  function hasType(value: Value, type: Type): boolean {
    if (value === null) return type.nullable === true || type.kind === 'empty' || type.kind === 'any';
    switch (type.kind) {
      case 'any':
        return true;
      case 'empty':
        return false;
      case 'text':
        return typeof value === 'string';
      case 'number':
        return typeof value === 'number';
      case 'boolean':
        return typeof value === 'boolean';
      case 'date':
        return value instanceof Date;
      case 'list':
        return Array.isArray(value) && value.every((item) => hasType(item, type.of));
      case 'object':
        return isRecord(value) && Object.entries(type.fields ?? {}).every(([key, field]) => hasType(Object.hasOwn(value, key) ? value[key]! : null, field));
    }
  }

  it('never fails with a type error, and produces a value of the checked type', () => {
    let checked = 0;
    fc.assert(
      fc.property(expr, inputs, (display, input) => {
        const parsed = parseExpression(toStoredText(display, 'expression', table));
        let result;
        try {
          result = checkExpression(parsed, env);
        } catch (error) {
          if (error instanceof TypeCheckError) return; // refused at compile time: nothing to run
          throw error;
        }
        checked++;
        let value: Value;
        try {
          value = evaluate(result.value, { values: new Map(Object.entries(input)) as Map<string, Value>, now: NOW, timeZone: 'America/New_York' });
        } catch (error) {
          if (error instanceof EvaluationError && ALLOWED.some((allowed) => allowed.test(error.message))) return;
          throw new Error(`${display} (type ${describeType(result.type)}) failed at run time: ${String(error)}`, { cause: error });
        }
        if (!hasType(value, result.type)) {
          throw new Error(`${display} was checked as ${describeType(result.type)} but gave ${JSON.stringify(value)}`);
        }
      }),
      { numRuns: 3000 },
    );
    // The property says something only if plenty of expressions got past the checker.
    expect(checked).toBeGreaterThan(500);
  });
});
