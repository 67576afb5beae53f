import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseDate } from './dates.ts';

describe('parseDate', () => {
  it('reads ISO 8601 text with or without a time, and with an offset', () => {
    expect(parseDate('2024-02-29')).toEqual(new Date('2024-02-29T00:00:00Z'));
    expect(parseDate('2024-01-01T10:00:00Z')).toEqual(new Date('2024-01-01T10:00:00Z'));
    expect(parseDate('2024-01-01T10:00:00.123+05:30')).toEqual(new Date('2024-01-01T04:30:00.123Z'));
    expect(parseDate('  2024-01-01T10:00Z  ')).toEqual(new Date('2024-01-01T10:00:00Z'));
  });

  it('reads milliseconds since 1970', () => {
    expect(parseDate(0)).toEqual(new Date(0));
    expect(parseDate(1_700_000_000_000)).toEqual(new Date(1_700_000_000_000));
    expect(parseDate(8.64e15 + 1)).toBeNull();
  });

  it('refuses what is not a date, and calendar days that do not exist', () => {
    for (const raw of ['2024-02-30', '2023-02-29', '2024-04-31', '2024-13-01', '2024-00-10', '2024-01-01T25:00', '2024-1-1', 'yesterday', '', '2024-01-01T10', null, true, {}, NaN]) {
      expect(parseDate(raw), String(raw)).toBeNull();
    }
  });
});

/**
 * A time without an offset is UTC whatever the server's zone. The machines that run this suite are
 * often on UTC, where reading it as local time gives the same answer, so this test moves the
 * process to a zone with an offset first (Node applies a change of TZ at once) and checks that it
 * did, so it cannot silently pass on UTC.
 */
describe('parseDate in a time zone that is not UTC', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  for (const zone of ['Asia/Kolkata', 'America/New_York']) {
    it(`reads "2024-01-01T10:00" as 10:00 UTC in ${zone}`, () => {
      vi.stubEnv('TZ', zone);
      expect(new Date(2024, 0, 1).getTimezoneOffset()).not.toBe(0);
      expect(parseDate('2024-01-01T10:00')?.toISOString()).toBe('2024-01-01T10:00:00.000Z');
      expect(parseDate('2024-01-01 10:00:30')?.toISOString()).toBe('2024-01-01T10:00:30.000Z');
      expect(parseDate('2024-07-01')?.toISOString()).toBe('2024-07-01T00:00:00.000Z');
      // A day that exists in UTC is checked in UTC (local midnight may fall on the day before).
      expect(parseDate('2024-03-01T00:30')?.toISOString()).toBe('2024-03-01T00:30:00.000Z');
    });
  }
});
