import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { compile } from './compile.ts';
import { detectParameters } from './detectParameters.ts';
import { type Parameter, Parameter as ParameterSchema, emptyGraph } from './graph.ts';
import { readInputs } from './parameters.ts';

/** Ids as the editor makes them: unique, identifier-safe. */
function counter() {
  let n = 0;
  return (prefix: string) => `${prefix}_${++n}`;
}

const detect = (sample: unknown, options: Partial<Parameters<typeof detectParameters>[1]> = {}) =>
  detectParameters(sample, { newId: counter(), ...options });

const byKey = (sample: unknown, options: Partial<Parameters<typeof detectParameters>[1]> = {}) =>
  Object.fromEntries(detect(sample, options).proposals.map((p) => [p.parameter.key, p]));

/** The parameters without their ids, for readable expectations. */
function shape(parameter: Parameter) {
  const { id: _id, fields, ...rest } = parameter;
  return fields ? { ...rest, fields: fields.map(({ id: _f, ...f }) => f) } : rest;
}

describe('detectParameters', () => {
  it('keeps the types a JSON sender chose, and reads ISO dates in text as dates', () => {
    const found = byKey({ name: 'Ada', zip: '01234', amount: 12.5, paid: true, due: '2026-12-01T09:00:00Z', day: '2026-12-01', note: null, yes: 'yes' });
    expect(Object.fromEntries(Object.entries(found).map(([k, p]) => [k, [p.parameter.type, p.parameter.optional]]))).toEqual({
      name: ['text', false],
      zip: ['text', false],
      amount: ['number', false],
      paid: ['boolean', false],
      due: ['date', false],
      day: ['date', false],
      note: ['text', true],
      yes: ['text', false],
    });
    expect(found.note!.notes.join()).toMatch(/guess/);
    expect(found.amount!.example).toBe('12.5');
  });

  it('reads form and query values by what they look like, keeping leading zeros as text', () => {
    const found = byKey({ amount: '12', ratio: '-0.5', zip: '007', paid: 'Yes', due: '2026-12-01', name: 'Ada', tags: ['a', 'b'] }, { textValues: true });
    expect(Object.fromEntries(Object.entries(found).map(([k, p]) => [k, p.parameter.type]))).toEqual({
      amount: 'number', ratio: 'number', zip: 'text', paid: 'boolean', due: 'date', name: 'text', tags: 'text',
    });
    expect(found.tags!.parameter.list).toBe(true);
  });

  it('takes epoch milliseconds for a date only when the key names a time', () => {
    const found = byKey({ created_at: 1_764_000_000_000, updatedAt: 1_764_000_000_000, order_id: 1_764_000_000_000, created: 1_764_000_000, timestamp: 5 });
    expect(found.created_at!.parameter.type).toBe('date');
    expect(found.updatedAt!.parameter.type).toBe('date');
    expect(found.order_id!.parameter.type).toBe('number');
    // Seconds since 1970 stay numbers: dates are read as milliseconds.
    expect(found.created!.parameter.type).toBe('number');
    expect(found.timestamp!.parameter.type).toBe('number');
  });

  it('declares the fields of objects, one level deep, and merges the items of lists of objects', () => {
    const found = byKey({
      customer: { email: 'a@b.c', age: 40, address: { city: 'Oslo' }, tags: ['x'], vip: null },
      items: [{ sku: 'A', qty: 1 }, { sku: 'B', qty: 2, gift: true }, { sku: 'C', qty: '3' }],
      empty: {},
    });
    expect(shape(found.customer!.parameter)).toEqual({
      key: 'customer', type: 'object', list: false, optional: false,
      fields: [
        { key: 'email', type: 'text', list: false, optional: false },
        { key: 'age', type: 'number', list: false, optional: false },
        { key: 'address', type: 'object', list: false, optional: false },
        { key: 'tags', type: 'text', list: true, optional: false },
        { key: 'vip', type: 'text', list: false, optional: true },
      ],
    });
    expect(shape(found.items!.parameter)).toEqual({
      key: 'items', type: 'object', list: true, optional: false,
      fields: [
        { key: 'sku', type: 'text', list: false, optional: false },
        // A number in one item and text in another: text reads both.
        { key: 'qty', type: 'text', list: false, optional: false },
        { key: 'gift', type: 'boolean', list: false, optional: true },
      ],
    });
    expect(shape(found.empty!.parameter)).toEqual({ key: 'empty', type: 'object', list: false, optional: false });
  });

  it('types lists by their items, and says when no type reads one', () => {
    const detection = detect({ nums: [1, 2], mixed: [1, 'a', true], none: [], holes: [1, null], objs: [{ a: 1 }, 2], nested: [[1]] });
    const found = Object.fromEntries(detection.proposals.map((p) => [p.parameter.key, p]));
    expect([found.nums!.parameter.type, found.nums!.suggested]).toEqual(['number', true]);
    expect([found.mixed!.parameter.type, found.mixed!.suggested]).toEqual(['text', true]);
    expect([found.none!.parameter.type, found.none!.parameter.optional]).toEqual(['text', true]);
    expect(found.holes!.suggested).toBe(false);
    expect(found.holes!.notes.join()).toMatch(/null/);
    expect(found.objs!.suggested).toBe(false);
    expect(found.nested).toBeUndefined();
    expect(detection.skipped).toEqual([{ key: 'nested', reason: 'Lists of lists cannot be typed' }]);
  });

  it('proposes keys that are not parameter keys renamed, unticked, and never twice', () => {
    const found = byKey({ 'first-name': 'Ada', first_name: 'B', '2fa': true, now: 1, 'a b': 1, '': 2 });
    expect(Object.keys(found)).toEqual(['first_name_2', 'first_name', '_2fa', 'now_value', 'a_b', 'value']);
    expect(found.first_name!.sourceKey).toBe('first_name');
    expect(found.first_name!.suggested).toBe(true);
    expect(found.first_name_2!.sourceKey).toBe('first-name');
    expect(found.first_name_2!.suggested).toBe(false);
    expect(found.first_name_2!.notes[0]).toMatch(/not a parameter key/);
    expect(found.now_value!.notes[0]).toMatch(/reserved word/);
  });

  it('leaves ticked off the keys the event already has, and marks query values fromQuery', () => {
    const found = byKey({ name: 'Ada' }, { takenKeys: ['name'], query: { shop: 'acme', api_token: 'secret', page: '2' } });
    expect(found.name!.suggested).toBe(false);
    expect(found.name!.notes).toContain('Already a parameter of this workflow');
    expect(found.shop!.parameter.fromQuery).toBe(true);
    expect(found.page!.parameter.type).toBe('number');
    expect(found.api_token).toBeUndefined();
  });

  it('proposes nothing for a body that is not an object, and at most 100 parameters', () => {
    expect(detect([1, 2]).skipped[0]!.reason).toMatch(/not a JSON object/);
    expect(detect('text').proposals).toEqual([]);
    expect(detect(undefined)).toEqual({ proposals: [], skipped: [] });
    const many = Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`k${i}`, i]));
    const detection = detect(many);
    expect(detection.proposals).toHaveLength(100);
    expect(detection.skipped).toHaveLength(20);
  });
});

describe('detectParameters (property)', () => {
  const key = fc.oneof(fc.constantFrom('name', 'created_at', 'now', 'first-name', '2fa', ' x', '__proto__', '', 'a'), fc.string({ maxLength: 8 }));
  const scalar = fc.oneof(
    fc.constantFrom('2026-12-01', '2026-12-01T09:00:00Z', '12', '007', 'yes', 'no', '', '1e3', '2024-02-31', 1_764_000_000_000, 0, -1.5),
    fc.string({ maxLength: 6 }),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
  );
  const { value } = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { maxDepth: 3, depthIdentifier: 'value' },
      { weight: 4, arbitrary: scalar },
      { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 4 }) },
      { weight: 1, arbitrary: fc.dictionary(key, tie('value'), { maxKeys: 5 }) },
    ),
  }));
  const body = fc.dictionary(key, value, { maxKeys: 12 });
  const formBody = fc.dictionary(key, fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('12', '007', 'true', '2026-12-01'), fc.array(fc.constantFrom('1', 'a'), { maxLength: 3 })), { maxKeys: 12 });

  it('never throws; proposes valid parameters without duplicate keys or ids; what it ticks reads the sample and compiles', () => {
    fc.assert(
      fc.property(fc.oneof(body.map((b) => [b, false] as const), formBody.map((b) => [b, true] as const)), fc.array(key, { maxLength: 3 }), ([sample, textValues], takenKeys) => {
        const { proposals } = detectParameters(sample, { newId: counter(), textValues, takenKeys });
        const parameters = z.array(ParameterSchema).max(100).parse(proposals.map((p) => p.parameter));
        expect(new Set(parameters.map((p) => p.key)).size).toBe(parameters.length);
        const ids = parameters.flatMap((p) => [p.id, ...(p.fields ?? []).map((f) => f.id)]);
        expect(new Set(ids).size).toBe(ids.length);

        const ticked = proposals.filter((p) => p.suggested);
        const read = readInputs(
          ticked.map((p) => ({ ...p.parameter, key: p.parameter.key })),
          sample,
        );
        expect(read.ok ? [] : read.errors).toEqual([]);

        const graph = emptyGraph();
        const event = graph.nodes[0]!;
        if (event.type === 'apiEvent') event.data.parameters = ticked.map((p) => p.parameter);
        const eventErrors = compile('sample', graph).diagnostics.filter((d) => d.nodeId === 'event' && d.severity === 'error');
        expect(eventErrors).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
