import { describe, expect, it } from 'vitest';
import { readInputs } from './parameters.ts';

const specs = [
  { key: 'amount', type: 'number', optional: false },
  { key: 'note', type: 'text', optional: true },
  { key: 'vip', type: 'boolean', optional: true },
  { key: 'due', type: 'date', optional: true },
] as const;

describe('readInputs', () => {
  it('converts each value to its type and ignores unknown keys', () => {
    const result = readInputs([...specs], { amount: '12.5', note: 7, vip: 'yes', due: '2026-05-01T10:00:00Z', extra: 1 });
    expect(result).toEqual({
      ok: true,
      values: { amount: 12.5, note: '7', vip: true, due: new Date('2026-05-01T10:00:00Z') },
    });
  });

  it('sets missing optional parameters to null', () => {
    expect(readInputs([...specs], { amount: 1 })).toEqual({ ok: true, values: { amount: 1, note: null, vip: null, due: null } });
  });

  it('names every missing or wrong parameter', () => {
    const result = readInputs([...specs], { vip: 'maybe', due: 'tomorrow' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.parameter)).toEqual(['amount', 'vip', 'due']);
    expect(result.errors[0]?.message).toBe('Missing required parameter "amount"');
    expect(result.errors[1]?.message).toBe('Parameter "vip" must be yes or no (true/false), got "maybe"');
  });

  it('refuses a body that is not an object', () => {
    expect(readInputs([...specs], [1, 2])).toEqual({ ok: false, errors: [{ parameter: null, message: 'The request body must be a JSON object' }] });
  });

  it('refuses numbers that are not finite, and dates that do not exist', () => {
    for (const due of ['2024-02-31', '2026-02-29T10:00:00Z', 1e20, -1e16, '2026-13-01', '2026-01-01T25:00']) {
      expect(readInputs([...specs], { amount: 1, due }).ok, String(due)).toBe(false);
    }
    expect(readInputs([...specs], { amount: 'NaN' }).ok).toBe(false);
    expect(readInputs([...specs], { amount: Infinity })).toEqual({
      ok: false,
      errors: [{ parameter: 'amount', message: 'Parameter "amount" must be a number, got Infinity' }],
    });
  });

  it('reads a time without an offset as UTC, whatever the server time zone', () => {
    expect(readInputs([...specs], { amount: 1, due: '2024-01-01T10:00' })).toMatchObject({ values: { due: new Date('2024-01-01T10:00:00Z') } });
    expect(readInputs([...specs], { amount: 1, due: '2024-02-29' })).toMatchObject({ values: { due: new Date('2024-02-29T00:00:00Z') } });
    expect(readInputs([...specs], { amount: 1, due: '2024-01-01T10:00:00+02:00' })).toMatchObject({ values: { due: new Date('2024-01-01T08:00:00Z') } });
  });
});
