import { describe, expect, it } from 'vitest';
import type { ParameterSpec } from './definition.ts';
import { readInputs, typeOfField } from './parameters.ts';
import { describeType } from './types.ts';

const spec = (key: string, type: ParameterSpec['type'], extra: Partial<ParameterSpec> = {}): ParameterSpec => ({
  id: `p_${key}`,
  key,
  type,
  list: false,
  optional: true,
  ...extra,
});

const scalars = [spec('amount', 'number', { optional: false }), spec('note', 'text'), spec('vip', 'boolean'), spec('due', 'date')];

const order = spec('order', 'object', {
  fields: [
    { id: 'f_total', key: 'total', type: 'number', list: false, optional: false },
    { id: 'f_paid', key: 'paid', type: 'boolean', list: false, optional: true },
    { id: 'f_tags', key: 'tags', type: 'text', list: true, optional: true },
  ],
});
const items = spec('items', 'object', { list: true, fields: [{ id: 'f_price', key: 'price', type: 'number', list: false, optional: false }] });

const ok = (result: ReturnType<typeof readInputs>) => {
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.errors)}`);
  return Object.fromEntries(result.values);
};
const errors = (result: ReturnType<typeof readInputs>) => {
  if (result.ok) throw new Error('accepted');
  return result.errors;
};

describe('readInputs: scalars', () => {
  it('converts each value to its type, keyed by parameter id, and ignores unknown keys', () => {
    expect(ok(readInputs(scalars, { amount: '12.5', note: 7, vip: 'yes', due: '2026-05-01T10:00:00Z', extra: 1 }))).toEqual({
      p_amount: 12.5,
      p_note: '7',
      p_vip: true,
      p_due: new Date('2026-05-01T10:00:00Z'),
    });
    expect(ok(readInputs(scalars, { amount: 1, note: true, vip: ' FALSE ', due: 0 }))).toMatchObject({ p_note: 'true', p_vip: false, p_due: new Date(0) });
  });

  it('sets missing optional parameters to empty, and treats null and "" as missing', () => {
    expect(ok(readInputs(scalars, { amount: 1, note: '', vip: null }))).toEqual({ p_amount: 1, p_note: null, p_vip: null, p_due: null });
    expect(ok(readInputs([spec('x', 'text')], undefined))).toEqual({ p_x: null });
    expect(errors(readInputs(scalars, { amount: '' }))).toEqual([{ parameter: 'amount', message: 'Missing required parameter "amount"' }]);
    expect(ok(readInputs([spec('x', 'text')], null))).toEqual({ p_x: null });
  });

  it('names every missing or wrong parameter', () => {
    expect(errors(readInputs(scalars, { vip: 'maybe', due: 'tomorrow' }))).toEqual([
      { parameter: 'amount', message: 'Missing required parameter "amount"' },
      { parameter: 'vip', message: 'Parameter "vip" must be yes or no (true/false), got "maybe"' },
      { parameter: 'due', message: 'Parameter "due" must be a date (ISO 8601 text or milliseconds since 1970), got "tomorrow"' },
    ]);
    expect(errors(readInputs([spec('note', 'text')], { note: { a: 1 } }))).toEqual([{ parameter: 'note', message: 'Parameter "note" must be text, got {"a":1}' }]);
  });

  it('refuses a body that is not an object', () => {
    for (const body of [[1, 2], 'text', 3]) {
      expect(readInputs(scalars, body)).toEqual({ ok: false, errors: [{ parameter: null, message: 'The request body must be a JSON object' }] });
    }
  });

  it('refuses numbers that are not finite, and dates that do not exist', () => {
    for (const due of ['2024-02-31', '2026-02-29T10:00:00Z', 1e20, -1e16, '2026-13-01', '2026-01-01T25:00', true]) {
      expect(readInputs(scalars, { amount: 1, due }).ok, String(due)).toBe(false);
    }
    for (const amount of ['NaN', 'Infinity', ' ', '1,5', Infinity, true]) expect(readInputs(scalars, { amount }).ok, String(amount)).toBe(false);
    expect(errors(readInputs(scalars, { amount: Infinity }))).toEqual([{ parameter: 'amount', message: 'Parameter "amount" must be a number, got Infinity' }]);
  });

  it('reads a time without an offset as UTC', () => {
    expect(ok(readInputs(scalars, { amount: 1, due: '2024-01-01T10:00' })).p_due).toEqual(new Date('2024-01-01T10:00:00Z'));
    expect(ok(readInputs(scalars, { amount: 1, due: '2024-02-29' })).p_due).toEqual(new Date('2024-02-29T00:00:00Z'));
    expect(ok(readInputs(scalars, { amount: 1, due: '2024-01-01T10:00:00+02:00' })).p_due).toEqual(new Date('2024-01-01T08:00:00Z'));
  });

  it('shows a long wrong value shortened', () => {
    const [error] = errors(readInputs([spec('n', 'number')], { n: 'x'.repeat(100) }));
    expect(error!.message).toBe(`Parameter "n" must be a number, got "${'x'.repeat(59)}…`);
  });
});

describe('readInputs: lists', () => {
  const tags = spec('tags', 'text', { list: true });
  const numbers = spec('numbers', 'number', { list: true, optional: false });

  it('reads JSON arrays item by item, converting each', () => {
    expect(ok(readInputs([numbers], { numbers: [1, '2', 3.5] }))).toEqual({ p_numbers: [1, 2, 3.5] });
    expect(ok(readInputs([numbers], { numbers: [] }))).toEqual({ p_numbers: [] });
  });

  it('takes a single form value as a one-item list', () => {
    expect(ok(readInputs([tags], { tags: 'red' }))).toEqual({ p_tags: ['red'] });
    expect(ok(readInputs([numbers], { numbers: '4' }))).toEqual({ p_numbers: [4] });
  });

  it('names the items that are wrong, at most ten', () => {
    expect(errors(readInputs([numbers], { numbers: [1, 'x', 3, null] }))).toEqual([
      { parameter: 'numbers[1]', message: 'Parameter "numbers[1]" must be a number, got "x"' },
      { parameter: 'numbers[3]', message: 'Parameter "numbers[3]" must be a number, got null' },
    ]);
    expect(errors(readInputs([numbers], { numbers: Array.from({ length: 50 }, () => 'x') }))).toHaveLength(10);
    // A single value where a list is expected is a one-item list (form-encoded callers cannot send arrays).
    expect(ok(readInputs([numbers], { numbers: 5 }))).toEqual({ p_numbers: [5] });
    expect(errors(readInputs([numbers], { numbers: { a: 1 } }))).toEqual([
      { parameter: 'numbers', message: 'Parameter "numbers" must be a list of numbers, got {"a":1}' },
    ]);
    expect(errors(readInputs([numbers], {}))).toEqual([{ parameter: 'numbers', message: 'Missing required parameter "numbers"' }]);
  });

  it('reads lists of objects with declared fields, naming the item and the field', () => {
    expect(ok(readInputs([items], { items: [{ price: '3', sku: 'a' }, { price: 4 }] }))).toEqual({ p_items: [{ price: 3, sku: 'a' }, { price: 4 }] });
    expect(errors(readInputs([items], { items: [{ price: 3 }, { price: 'free' }, {}] }))).toEqual([
      { parameter: 'items[1].price', message: 'Parameter "items[1].price" must be a number, got "free"' },
      { parameter: 'items[2].price', message: 'Missing required parameter "items[2].price"' },
    ]);
  });
});

describe('readInputs: objects', () => {
  it('keeps any JSON object as sent when no fields are declared', () => {
    const data = { object: { id: 'evt_1', amount: 100, nested: [1, { deep: true }] } };
    expect(ok(readInputs([spec('data', 'object')], { data }))).toEqual({ p_data: data });
    expect(errors(readInputs([spec('data', 'object')], { data: [1] }))).toEqual([{ parameter: 'data', message: 'Parameter "data" must be an object, got [1]' }]);
    expect(errors(readInputs([spec('data', 'object')], { data: 'x' }))[0]!.parameter).toBe('data');
  });

  it('converts declared fields, keeps undeclared ones, and fills missing optional ones with empty', () => {
    expect(ok(readInputs([order], { order: { total: '9.5', tags: 'a', extra: { kept: true } } }))).toEqual({
      p_order: { total: 9.5, paid: null, tags: ['a'], extra: { kept: true } },
    });
  });

  it('names the declared field that is wrong: order.total', () => {
    expect(errors(readInputs([order], { order: { total: 'lots', paid: 'perhaps' } }))).toEqual([
      { parameter: 'order.total', message: 'Parameter "order.total" must be a number, got "lots"' },
      { parameter: 'order.paid', message: 'Parameter "order.paid" must be yes or no (true/false), got "perhaps"' },
    ]);
    expect(errors(readInputs([order], { order: {} }))).toEqual([{ parameter: 'order.total', message: 'Missing required parameter "order.total"' }]);
  });

  it('keeps "__proto__" and "constructor" as plain keys, never as prototypes', () => {
    const body = JSON.parse('{"order": {"total": 1, "__proto__": {"polluted": 1}, "constructor": {"prototype": 2}}}') as Record<string, unknown>;
    const value = ok(readInputs([order], body)).p_order as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value).sort()).toEqual(['__proto__', 'constructor', 'paid', 'tags', 'total']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const fieldNamedProto = spec('o', 'object', { fields: [{ id: 'f', key: '__proto__', type: 'number', list: false, optional: false }] });
    const read = ok(readInputs([fieldNamedProto], JSON.parse('{"o": {"__proto__": "7"}}') as object)).p_o as Record<string, unknown>;
    expect(Object.hasOwn(read, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(read)).toBe(Object.prototype);
  });
});

describe('typeOfField', () => {
  it('gives each parameter its static type', () => {
    expect(describeType(typeOfField(spec('a', 'number', { optional: false })))).toBe('a number');
    expect(describeType(typeOfField(spec('a', 'text')))).toBe('text or empty');
    expect(describeType(typeOfField(spec('a', 'date', { list: true, optional: false })))).toBe('a list of dates');
    expect(describeType(typeOfField(spec('a', 'object', { optional: false })))).toBe('an object');
    expect(describeType(typeOfField({ ...order, optional: false }))).toBe('an object with fields total, paid, tags');
    expect(typeOfField({ ...items, optional: false })).toEqual({
      kind: 'list',
      of: { kind: 'object', fields: { price: { kind: 'number' } }, fieldIds: { f_price: 'price' } },
    });
  });
});
