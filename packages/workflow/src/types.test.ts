import { describe, expect, it } from 'vitest';
import { EvaluationError } from './expression.ts';
import { callFunction, functionSpec, functionSpecs, signature } from './functions.ts';
import { T, Type, describeType, isAssignable, mayBeEmpty, orEmpty, ownEntry, unify, withoutEmpty } from './types.ts';

const order = T.object({ total: T.number, coupon: orEmpty(T.text) });

describe('types', () => {
  it('describes types the way diagnostics read', () => {
    expect([T.text, T.number, T.boolean, T.date, T.any, T.empty].map(describeType)).toEqual(['text', 'a number', 'yes/no', 'a date', 'any value', 'empty']);
    expect(describeType(orEmpty(T.number))).toBe('a number or empty');
    expect(describeType(T.list(T.list(T.date)))).toBe('a list of lists');
    expect(describeType(T.list(order))).toBe('a list of objects');
    expect(describeType(order)).toBe('an object with fields total, coupon');
    expect(describeType(T.object({}))).toBe('an object with fields (none)');
    expect(describeType(T.object())).toBe('an object');
  });

  it('marks and unmarks "or empty"', () => {
    expect(orEmpty(T.text)).toEqual({ kind: 'text', nullable: true });
    expect(orEmpty(T.any)).toBe(T.any);
    expect(withoutEmpty(orEmpty(T.text))).toEqual(T.text);
    expect(withoutEmpty(T.text)).toBe(T.text);
    expect([T.text, orEmpty(T.text), T.any, T.empty].map(mayBeEmpty)).toEqual([false, true, true, true]);
  });

  it('unifies the branches of a choice', () => {
    expect(unify(T.number, T.number)).toEqual(T.number);
    expect(unify(T.number, T.empty)).toEqual(orEmpty(T.number));
    expect(unify(T.empty, orEmpty(T.text))).toEqual(orEmpty(T.text));
    expect(unify(T.number, orEmpty(T.number))).toEqual(orEmpty(T.number));
    expect(unify(T.number, T.text)).toEqual(T.any);
    expect(unify(T.any, T.text)).toEqual(T.any);
    expect(unify(T.list(T.number), T.list(T.text))).toEqual(T.list(T.any));
    // Objects unify field by field: a field only one side has may be empty; one typed differently
    // on each side is any value (never the type of one side: that would let run-time errors through).
    expect(unify(order, T.object({ other: T.text }))).toEqual({
      kind: 'object',
      fields: { total: orEmpty(T.number), coupon: orEmpty(T.text), other: orEmpty(T.text) },
      fieldIds: {},
    });
    expect(unify(order, orEmpty(T.object({ total: T.text, coupon: T.text })))).toEqual(
      orEmpty({ kind: 'object', fields: { total: T.any, coupon: orEmpty(T.text) }, fieldIds: {} }),
    );
  });

  it('says what may be used where, without a conversion or a default', () => {
    const yes: [Type, Type][] = [
      [T.number, T.number],
      [T.number, orEmpty(T.number)],
      [T.empty, orEmpty(T.text)],
      [T.text, T.any],
      [T.any, T.any],
      [T.list(T.number), T.list(orEmpty(T.number))],
      [order, T.object()],
      [order, T.object({ total: T.number })],
      [order, T.object({ total: T.number, missing: orEmpty(T.text) })],
    ];
    const no: [Type, Type][] = [
      [orEmpty(T.number), T.number],
      [T.any, T.number],
      [T.empty, T.number],
      [T.number, T.text],
      [T.list(orEmpty(T.number)), T.list(T.number)],
      [T.object(), order],
      [order, T.object({ total: T.text })],
      [order, T.object({ missing: T.text })],
      // Field names are own entries only: "constructor" is not a field of every object.
      [order, T.object({ constructor: T.text })],
    ];
    for (const [from, to] of yes) expect(isAssignable(from, to), `${describeType(from)} -> ${describeType(to)}`).toBe(true);
    for (const [from, to] of no) expect(isAssignable(from, to), `${describeType(from)} -> ${describeType(to)}`).toBe(false);
  });

  it('finds own entries only', () => {
    expect(ownEntry({ a: 1 }, 'a')).toBe(1);
    expect(ownEntry({ a: 1 }, 'constructor')).toBeUndefined();
    expect(ownEntry({ a: 1 }, '__proto__')).toBeUndefined();
    expect(ownEntry(undefined, 'a')).toBeUndefined();
  });

  it('has a schema, so result types can be stored', () => {
    const type: Type = { kind: 'list', of: { kind: 'object', fields: { at: { kind: 'date', nullable: true } }, fieldIds: { f: 'at' } } };
    expect(Type.parse(JSON.parse(JSON.stringify(type)))).toEqual(type);
    expect(Type.safeParse({ kind: 'mystery' }).success).toBe(false);
  });
});

describe('functions', () => {
  const call = (name: string, ...args: Parameters<typeof callFunction>[1]) => callFunction(name, args);

  it('is one table: signature, description and implementation', () => {
    expect(functionSpecs().map((f) => `${signature(f)} -> ${describeType(f.returns)}`)).toEqual([
      'toNumber(value) -> a number',
      'toText(value) -> text',
      'toDate(value) -> a date',
      'toYesNo(value) -> yes/no',
      'isEmpty(value) -> yes/no',
      // The date functions (dateFunctions.ts); a `?` parameter may be left out.
      'addSeconds(date, seconds) -> a date',
      'addMinutes(date, minutes) -> a date',
      'addHours(date, hours) -> a date',
      'addDays(date, days, timeZone?) -> a date',
      'addWeeks(date, weeks, timeZone?) -> a date',
      'addMonths(date, months, timeZone?) -> a date',
      'addYears(date, years, timeZone?) -> a date',
      'startOfDay(date, timeZone?) -> a date',
      'startOfWeek(date, timeZone?) -> a date',
      'startOfMonth(date, timeZone?) -> a date',
      'diffSeconds(from, to) -> a number',
      'diffMinutes(from, to) -> a number',
      'diffHours(from, to) -> a number',
      'diffDays(from, to, timeZone?) -> a number',
      'diffWeeks(from, to, timeZone?) -> a number',
      'diffMonths(from, to, timeZone?) -> a number',
      'diffYears(from, to, timeZone?) -> a number',
      'formatDate(date, pattern, timeZone?) -> text',
    ]);
    for (const f of functionSpecs()) expect(f.description.length, f.name).toBeGreaterThan(10);
    expect(functionSpec('toNumber')?.name).toBe('toNumber');
    expect(functionSpec('constructor')).toBeUndefined();
    expect(() => call('nope')).toThrow(new EvaluationError('Unknown function "nope"'));
  });

  it('toNumber', () => {
    expect([call('toNumber', ' 12.5 '), call('toNumber', 3), call('toNumber', true), call('toNumber', false), call('toNumber', new Date(5))]).toEqual([12.5, 3, 1, 0, 5]);
    for (const bad of ['', ' ', 'abc', 'Infinity', null, [1], { a: 1 }]) expect(() => call('toNumber', bad as never), String(bad)).toThrow(EvaluationError);
    expect(() => call('toNumber', 'x'.repeat(100))).toThrow(`Cannot convert "${'x'.repeat(40)}…" to a number`);
    expect(() => call('toNumber', null)).toThrow('Cannot convert empty to a number');
  });

  it('toText', () => {
    expect([call('toText', null), call('toText', 1.5), call('toText', true), call('toText', new Date(0)), call('toText', [1, { a: 'b' }])]).toEqual([
      '',
      '1.5',
      'true',
      '1970-01-01T00:00:00.000Z',
      '[1,{"a":"b"}]',
    ]);
  });

  it('toDate', () => {
    expect(call('toDate', '2026-01-01')).toEqual(new Date('2026-01-01T00:00:00Z'));
    expect(call('toDate', 0)).toEqual(new Date(0));
    const d = new Date(7);
    expect(call('toDate', d)).toBe(d);
    for (const bad of ['soon', '2026-02-30', true, null]) expect(() => call('toDate', bad as never), String(bad)).toThrow(EvaluationError);
  });

  it('toYesNo', () => {
    expect([call('toYesNo', 'Yes'), call('toYesNo', ' false '), call('toYesNo', 1), call('toYesNo', 0), call('toYesNo', true)]).toEqual([true, false, true, false, true]);
    for (const bad of ['maybe', 2, null]) expect(() => call('toYesNo', bad as never), String(bad)).toThrow('Cannot convert');
  });

  it('isEmpty', () => {
    expect([null, '', [], 0, 'a', [0], {}, false].map((v) => call('isEmpty', v as never))).toEqual([true, true, true, false, false, false, false, false]);
  });
});
