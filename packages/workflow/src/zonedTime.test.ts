import { tzOffset } from '@date-fns/tz';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DAY, addDaysToWall, addMonthsToWall, daysInMonth, instantOfWall, offsetAt, startOfWallDay, wallOf, wallOfDate } from './zonedTime.ts';

// Every expectation is an instant written in UTC, worked out by hand from the zone's rules (IANA
// tzdata). Walls are written as UTC ISO text too: `wall('2026-03-29T02:30')` is 02:30 on the wall
// clock of whichever zone the test names.

const at = (iso: string) => new Date(iso).getTime();
const wall = (iso: string) => at(`${iso}Z`);
const iso = (ms: number) => new Date(ms).toISOString();

const PARIS = 'Europe/Paris';
const LORD_HOWE = 'Australia/Lord_Howe';

describe('offsets and wall clocks', () => {
  it('reads the offset of the zone at an instant, in milliseconds, to the second', () => {
    expect(offsetAt(PARIS, at('2026-01-05T08:00:00Z'))).toBe(3_600_000);
    expect(offsetAt(PARIS, at('2026-07-05T08:00:00Z'))).toBe(7_200_000);
    expect(offsetAt('Asia/Kathmandu', at('2026-01-05T08:00:00Z'))).toBe(5 * 3_600_000 + 45 * 60_000);
    expect(offsetAt(LORD_HOWE, at('2026-07-05T08:00:00Z'))).toBe(10.5 * 3_600_000);
    expect(offsetAt('America/New_York', at('2026-01-05T08:00:00Z'))).toBe(-5 * 3_600_000);
    // Paris mean time before 1911: +00:09:21.
    expect(offsetAt(PARIS, at('1900-01-01T00:00:00Z'))).toBe(9 * 60_000 + 21_000);
    expect(offsetAt('UTC', at('2026-01-05T08:00:00Z'))).toBe(0);
  });

  it('gives the wall clock of an instant, read through UTC fields', () => {
    expect(iso(wallOf(PARIS, at('2026-01-05T08:00:00Z')))).toBe('2026-01-05T09:00:00.000Z');
    expect(iso(wallOf(PARIS, at('2026-10-25T00:30:00Z')))).toBe('2026-10-25T02:30:00.000Z'); // first 02:30 (+02:00)
    expect(iso(wallOf(PARIS, at('2026-10-25T01:30:00Z')))).toBe('2026-10-25T02:30:00.000Z'); // second 02:30 (+01:00)
    expect(iso(wallOf('Asia/Kathmandu', at('2026-01-05T08:00:00Z')))).toBe('2026-01-05T13:45:00.000Z');
  });
});

describe('instantOfWall', () => {
  it('is the instant of a wall-clock time that occurs once', () => {
    expect(iso(instantOfWall(PARIS, wall('2026-01-05T09:00')))).toBe('2026-01-05T08:00:00.000Z');
    expect(iso(instantOfWall(PARIS, wall('2026-07-05T09:00')))).toBe('2026-07-05T07:00:00.000Z');
    expect(iso(instantOfWall('America/New_York', wall('2026-01-05T09:00')))).toBe('2026-01-05T14:00:00.000Z');
    expect(iso(instantOfWall('UTC', wall('2026-01-05T09:00')))).toBe('2026-01-05T09:00:00.000Z');
  });

  it('is the first valid time after the gap for a wall-clock time that does not exist', () => {
    // Paris 2026-03-29: 02:00 CET -> 03:00 CEST.
    expect(iso(instantOfWall(PARIS, wall('2026-03-29T02:30')))).toBe('2026-03-29T01:00:00.000Z');
    expect(iso(instantOfWall(PARIS, wall('2026-03-29T02:00')))).toBe('2026-03-29T01:00:00.000Z');
    expect(iso(instantOfWall(PARIS, wall('2026-03-29T03:00')))).toBe('2026-03-29T01:00:00.000Z');
    expect(iso(instantOfWall(PARIS, wall('2026-03-29T01:59:59.999')))).toBe('2026-03-29T00:59:59.999Z');
    // Lord Howe 2025-10-05 moves half an hour: 02:00 +10:30 -> 02:30 +11:00.
    expect(iso(instantOfWall(LORD_HOWE, wall('2025-10-05T02:15')))).toBe('2025-10-04T15:30:00.000Z');
    // Santiago 2024-09-08 springs forward at midnight: the day starts at 01:00 -03:00.
    expect(iso(instantOfWall('America/Santiago', wall('2024-09-08T00:00')))).toBe('2024-09-08T04:00:00.000Z');
    // Apia skipped 30 December 2011 (-10:00 -> +14:00): any time that day is 31 December 00:00.
    expect(iso(instantOfWall('Pacific/Apia', wall('2011-12-30T10:00')))).toBe('2011-12-30T10:00:00.000Z');
  });

  it('is the first occurrence of a wall-clock time that occurs twice', () => {
    // Paris 2026-10-25: 03:00 CEST -> 02:00 CET; 02:30 is +02:00 first, +01:00 an hour later.
    expect(iso(instantOfWall(PARIS, wall('2026-10-25T02:30')))).toBe('2026-10-25T00:30:00.000Z');
    expect(iso(instantOfWall(PARIS, wall('2026-10-25T02:00')))).toBe('2026-10-25T00:00:00.000Z');
    expect(iso(instantOfWall(PARIS, wall('2026-10-25T03:00')))).toBe('2026-10-25T02:00:00.000Z');
    // Lord Howe 2025-04-06: 02:00 +11:00 -> 01:30 +10:30.
    expect(iso(instantOfWall(LORD_HOWE, wall('2025-04-06T01:45')))).toBe('2025-04-05T14:45:00.000Z');
  });

  it('comes back to the first instant with the same wall clock, for any instant and zone', () => {
    const zones = ['Europe/Paris', 'America/New_York', 'Australia/Lord_Howe', 'Pacific/Apia', 'America/Santiago', 'Asia/Kathmandu', 'UTC'];
    fc.assert(
      fc.property(fc.integer({ min: at('1970-01-01T00:00:00Z'), max: at('2040-01-01T00:00:00Z') }), fc.constantFrom(...zones), (instant, zone) => {
        const first = instantOfWall(zone, wallOf(zone, instant));
        expect(wallOf(zone, first)).toBe(wallOf(zone, instant));
        // Never later, and at most the size of a clock change earlier (a repeated hour).
        expect(first).toBeLessThanOrEqual(instant);
        expect(instant - first).toBeLessThanOrEqual(3_600_000);
      }),
      { numRuns: 2_000 },
    );
  });

  it('is NaN for a wall that is not a number', () => {
    expect(instantOfWall(PARIS, Number.NaN)).toBeNaN();
  });
});

describe('calendar arithmetic on walls', () => {
  it('adds days keeping the time of day', () => {
    expect(iso(addDaysToWall(wall('2026-03-28T02:30'), 1))).toBe('2026-03-29T02:30:00.000Z');
    expect(iso(addDaysToWall(wall('2026-03-01T09:00'), -1))).toBe('2026-02-28T09:00:00.000Z');
  });

  it('adds months keeping the time of day, the day clamped to the last of a shorter month', () => {
    expect(iso(addMonthsToWall(wall('2025-01-31T09:15'), 1))).toBe('2025-02-28T09:15:00.000Z');
    expect(iso(addMonthsToWall(wall('2024-01-31T09:15'), 1))).toBe('2024-02-29T09:15:00.000Z');
    expect(iso(addMonthsToWall(wall('2025-01-31T09:15'), 2))).toBe('2025-03-31T09:15:00.000Z');
    expect(iso(addMonthsToWall(wall('2025-03-31T23:59:59.999'), -1))).toBe('2025-02-28T23:59:59.999Z');
    expect(iso(addMonthsToWall(wall('2025-01-15T00:00'), -13))).toBe('2023-12-15T00:00:00.000Z');
    expect(iso(addMonthsToWall(wall('2024-02-29T12:00'), 12))).toBe('2025-02-28T12:00:00.000Z');
    expect(iso(addMonthsToWall(wall('2024-02-29T12:00'), 48))).toBe('2028-02-29T12:00:00.000Z');
    expect(addMonthsToWall(Number.NaN, 1)).toBeNaN();
  });

  it('knows no "years 0 to 99 are 1900 to 1999" (Date.UTC\'s habit), nor zones, before 1970 either', () => {
    expect(iso(wallOfDate(50, 0, 31))).toBe('0050-01-31T00:00:00.000Z');
    expect(iso(addMonthsToWall(wall('0050-01-31T10:00'), 1))).toBe('0050-02-28T10:00:00.000Z');
    expect(iso(addMonthsToWall(wall('0100-01-31T10:00'), -1))).toBe('0099-12-31T10:00:00.000Z');
    expect(daysInMonth(0, 1)).toBe(29); // the year 0 is a leap year (divisible by 400)
    expect(daysInMonth(1900, 1)).toBe(28);
    expect(daysInMonth(2000, 1)).toBe(29);
    expect(daysInMonth(2025, 11)).toBe(31);
    expect(iso(startOfWallDay(wall('1969-12-31T10:00')))).toBe('1969-12-31T00:00:00.000Z');
    expect(iso(startOfWallDay(wall('2026-01-05T00:00')))).toBe('2026-01-05T00:00:00.000Z');
    expect(wall('2026-01-06T00:00') - wall('2026-01-05T00:00')).toBe(DAY);
  });
});

/**
 * The machines running this suite are often on UTC. Node applies a change of TZ at once, so this
 * moves the process to zones with unusual clock changes and checks that the conversions do not
 * move with it (they read offsets through Intl, never through local Date fields).
 */
describe('on a server in any time zone', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  for (const machineZone of ['Europe/Paris', 'Pacific/Apia', 'Australia/Lord_Howe', 'America/Santiago', 'Asia/Kathmandu']) {
    it(`gives the same instants on a server in ${machineZone}`, () => {
      vi.stubEnv('TZ', machineZone);
      const probe = new Date('2026-01-05T08:00:00Z');
      expect(probe.getTimezoneOffset() + tzOffset(machineZone, probe), 'the process is in the zone').toBe(0);
      expect(iso(instantOfWall(PARIS, wall('2026-10-25T02:30')))).toBe('2026-10-25T00:30:00.000Z');
      expect(iso(instantOfWall(PARIS, wall('2026-03-29T02:30')))).toBe('2026-03-29T01:00:00.000Z');
      expect(iso(instantOfWall('UTC', wall('2011-12-30T10:00')))).toBe('2011-12-30T10:00:00.000Z'); // Apia skipped this day
      expect(iso(instantOfWall('UTC', wall('2025-10-05T02:15')))).toBe('2025-10-05T02:15:00.000Z'); // Lord Howe skipped this time
      expect(iso(instantOfWall(LORD_HOWE, wall('2025-04-06T01:45')))).toBe('2025-04-05T14:45:00.000Z');
      expect(iso(addMonthsToWall(wall('2011-11-30T10:00'), 1))).toBe('2011-12-30T10:00:00.000Z');
    });
  }
});
