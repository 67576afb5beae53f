import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  RECURRENCE_LIMITS,
  RecurrenceError,
  RecurrenceSpec,
  describeRecurrence,
  fireTimesBetween,
  nextFireTimes,
  validateRecurrence,
} from './recurrence.ts';

// Every test names its zones and counts from fixed instants: nothing here depends on the clock or
// on the machine's zone (run with TZ=Pacific/Apia or TZ=Australia/Lord_Howe, results are the same).

const PARIS = 'Europe/Paris';
const NEW_YORK = 'America/New_York';

const cron = (expression: string, extra: Partial<RecurrenceSpec> = {}) => RecurrenceSpec.parse({ kind: 'cron', cron: expression, ...extra });
const every = (n: number, unit: string, extra: Partial<RecurrenceSpec> = {}) => RecurrenceSpec.parse({ kind: 'every', every: n, unit, ...extra });
const at = (iso: string) => new Date(iso);
const utc = (dates: Date[]) => dates.map((d) => d.toISOString());

/** `2026-03-29 03:00` on the wall clock of `zone` (Intl, never the machine's zone). */
function wall(date: Date, zone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}
const walls = (dates: Date[], zone: string) => dates.map((d) => wall(d, zone));

/** All fire times of one local day (from its first instant to the next day's). */
function firesOnDay(spec: RecurrenceSpec, zone: string, dayStart: string, nextDayStart: string): Date[] {
  const { times, more } = fireTimesBetween(spec, zone, new Date(at(dayStart).getTime() - 1), new Date(at(nextDayStart).getTime() - 1), 1_000);
  expect(more).toBe(false);
  return times;
}

describe('RecurrenceSpec', () => {
  it('fills the defaults and keeps the spec plain JSON', () => {
    const spec = RecurrenceSpec.parse({ kind: 'every', every: 15, unit: 'minutes' });
    expect(spec).toEqual({ kind: 'every', every: 15, unit: 'minutes', startAt: null, timeZone: null, missed: 'once' });
    expect(RecurrenceSpec.parse(JSON.parse(JSON.stringify(spec)))).toEqual(spec);
    expect(RecurrenceSpec.parse({ kind: 'cron', cron: '0 0 3 * * *', missed: 'skip', timeZone: PARIS }).missed).toBe('skip');
  });

  it('refuses what cannot be stored: unknown kinds, bounds of every, long expressions', () => {
    expect(RecurrenceSpec.safeParse({ kind: 'hourly' }).success).toBe(false);
    expect(RecurrenceSpec.safeParse({ kind: 'every', every: 0, unit: 'days' }).success).toBe(false);
    expect(RecurrenceSpec.safeParse({ kind: 'every', every: 10_001, unit: 'days' }).success).toBe(false);
    expect(RecurrenceSpec.safeParse({ kind: 'every', every: 1.5, unit: 'days' }).success).toBe(false);
    expect(RecurrenceSpec.safeParse({ kind: 'every', every: 1, unit: 'years' }).success).toBe(false);
    expect(RecurrenceSpec.safeParse({ kind: 'cron', cron: '*'.repeat(101) }).success).toBe(false);
    expect(RecurrenceSpec.safeParse({ kind: 'cron', cron: '0 0 3 * * *', missed: 'all' }).success).toBe(false);
    // A draft may hold an expression still being typed: validateRecurrence explains it.
    expect(RecurrenceSpec.safeParse({ kind: 'cron', cron: '0 25' }).success).toBe(true);
  });
});

describe('cron across daylight-saving changes (croner)', () => {
  const daily0230 = cron('0 30 2 * * *', { timeZone: PARIS });

  it('Paris, spring forward 2026-03-29: 02:30 does not exist, so it fires at 03:00, the first valid time after the gap', () => {
    const times = nextFireTimes(daily0230, 'UTC', at('2026-03-27T12:00:00Z'), 4);
    expect(utc(times)).toEqual(['2026-03-28T01:30:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z', '2026-03-31T00:30:00.000Z']);
    expect(walls(times, PARIS)).toEqual(['2026-03-28 02:30', '2026-03-29 03:00', '2026-03-30 02:30', '2026-03-31 02:30']);
  });

  it('Paris, fall back 2026-10-25: 02:30 happens twice and fires once, at the first (summer time) occurrence', () => {
    const times = nextFireTimes(daily0230, 'UTC', at('2026-10-23T12:00:00Z'), 3);
    expect(utc(times)).toEqual(['2026-10-24T00:30:00.000Z', '2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
    // The whole 25-hour local day holds one fire, and counting from between the two 02:30s finds the next day's.
    expect(utc(firesOnDay(daily0230, 'UTC', '2026-10-24T22:00:00Z', '2026-10-25T23:00:00Z'))).toEqual(['2026-10-25T00:30:00.000Z']);
    expect(utc(nextFireTimes(daily0230, 'UTC', at('2026-10-25T01:00:00Z'), 1))).toEqual(['2026-10-26T01:30:00.000Z']);
  });

  it('reads 5 fields as seconds 0', () => {
    const five = cron('30 2 * * *', { timeZone: PARIS });
    expect(utc(nextFireTimes(five, 'UTC', at('2026-03-27T12:00:00Z'), 4))).toEqual(utc(nextFireTimes(daily0230, 'UTC', at('2026-03-27T12:00:00Z'), 4)));
  });

  it('New York, daily 01:30: fires once on 2026-03-08 and once on 2026-11-01 (01:30 EDT, not again at 01:30 EST)', () => {
    const daily = cron('0 30 1 * * *', { timeZone: NEW_YORK });
    expect(utc(nextFireTimes(daily, 'UTC', at('2026-03-07T12:00:00Z'), 3))).toEqual(['2026-03-08T06:30:00.000Z', '2026-03-09T05:30:00.000Z', '2026-03-10T05:30:00.000Z']);
    expect(utc(firesOnDay(daily, 'UTC', '2026-11-01T04:00:00Z', '2026-11-02T05:00:00Z'))).toEqual(['2026-11-01T05:30:00.000Z']);
    expect(utc(nextFireTimes(daily, 'UTC', at('2026-11-01T06:00:00Z'), 1))).toEqual(['2026-11-02T06:30:00.000Z']);
  });

  it('New York, hourly: 23 fires on the spring-forward day, 25 on the fall-back day (once per elapsed hour)', () => {
    const hourly = cron('0 0 * * * *', { timeZone: NEW_YORK });
    const spring = firesOnDay(hourly, 'UTC', '2026-03-08T05:00:00Z', '2026-03-09T04:00:00Z');
    expect(spring).toHaveLength(23);
    expect(walls(spring, NEW_YORK).slice(0, 4)).toEqual(['2026-03-08 00:00', '2026-03-08 01:00', '2026-03-08 03:00', '2026-03-08 04:00']);
    const autumn = firesOnDay(hourly, 'UTC', '2026-11-01T04:00:00Z', '2026-11-02T05:00:00Z');
    expect(autumn).toHaveLength(25);
    expect(walls(autumn, NEW_YORK).slice(0, 4)).toEqual(['2026-11-01 00:00', '2026-11-01 01:00', '2026-11-01 01:00', '2026-11-01 02:00']);
    for (let i = 1; i < autumn.length; i++) expect(autumn[i]!.getTime() - autumn[i - 1]!.getTime()).toBe(3_600_000);
  });

  it('treats a list of hours as fixed times (Vixie cron): 01:30 and 13:30 fire once each on the fall-back day', () => {
    const twice = cron('0 30 1,13 * * *', { timeZone: NEW_YORK });
    expect(walls(firesOnDay(twice, 'UTC', '2026-11-01T04:00:00Z', '2026-11-02T05:00:00Z'), NEW_YORK)).toEqual(['2026-11-01 01:30', '2026-11-01 13:30']);
  });

  it('skips the missing half hours of an interval job in the gap', () => {
    const halfHourly = cron('0 */30 * * * *', { timeZone: PARIS });
    const day = firesOnDay(halfHourly, 'UTC', '2026-03-28T23:00:00Z', '2026-03-29T22:00:00Z');
    expect(day).toHaveLength(46);
    expect(walls(day, PARIS).slice(3, 6)).toEqual(['2026-03-29 01:30', '2026-03-29 03:00', '2026-03-29 03:30']);
  });

  it('reads the zone from the spec, or else from the instance', () => {
    const noZone = cron('0 0 3 * * *');
    expect(utc(nextFireTimes(noZone, PARIS, at('2026-01-01T00:00:00Z'), 1))).toEqual(['2026-01-01T02:00:00.000Z']);
    expect(utc(nextFireTimes(noZone, NEW_YORK, at('2026-01-01T00:00:00Z'), 1))).toEqual(['2026-01-01T08:00:00.000Z']);
    expect(utc(nextFireTimes(noZone, 'UTC', at('2026-01-01T00:00:00Z'), 1))).toEqual(['2026-01-01T03:00:00.000Z']);
    expect(utc(nextFireTimes(cron('0 0 3 * * *', { timeZone: 'UTC' }), PARIS, at('2026-01-01T00:00:00Z'), 1))).toEqual(['2026-01-01T03:00:00.000Z']);
  });

  it('fires no earlier than startAt (inclusive), read on the zone wall clock without an offset', () => {
    const spec = cron('0 0 9 * * *', { timeZone: PARIS, startAt: '2026-02-10T09:00' });
    expect(utc(nextFireTimes(spec, 'UTC', at('2026-01-01T00:00:00Z'), 2))).toEqual(['2026-02-10T08:00:00.000Z', '2026-02-11T08:00:00.000Z']);
    const later = cron('0 0 9 * * *', { timeZone: PARIS, startAt: '2026-02-10T12:00:00+01:00' });
    expect(utc(nextFireTimes(later, 'UTC', at('2026-01-01T00:00:00Z'), 1))).toEqual(['2026-02-11T08:00:00.000Z']);
  });

  it('is strictly after `after`, including an `after` exactly on a fire time or between seconds', () => {
    const secondly = cron('* * * * * *', { timeZone: 'UTC' });
    expect(utc(nextFireTimes(secondly, 'UTC', at('2026-01-01T00:00:00.000Z'), 2))).toEqual(['2026-01-01T00:00:01.000Z', '2026-01-01T00:00:02.000Z']);
    expect(utc(nextFireTimes(secondly, 'UTC', at('2026-01-01T00:00:00.500Z'), 1))).toEqual(['2026-01-01T00:00:01.000Z']);
    expect(utc(nextFireTimes(cron('@daily', { timeZone: 'UTC' }), 'UTC', at('2025-12-31T23:59:59.999Z'), 1))).toEqual(['2026-01-01T00:00:00.000Z']);
  });

  it('ORs day of month and day of week (Vixie cron), ANDs them with +', () => {
    const or = cron('0 0 12 1 * MON', { timeZone: 'UTC' });
    expect(utc(nextFireTimes(or, 'UTC', at('2026-01-31T00:00:00Z'), 3))).toEqual(['2026-02-01T12:00:00.000Z', '2026-02-02T12:00:00.000Z', '2026-02-09T12:00:00.000Z']);
    const and = cron('0 0 12 1 * +MON', { timeZone: 'UTC' });
    expect(utc(nextFireTimes(and, 'UTC', at('2026-01-01T00:00:00Z'), 1))).toEqual(['2026-06-01T12:00:00.000Z']);
  });
});

describe('every N units', () => {
  it('every 1 month from Jan 31: the last day of shorter months, back to the 31st after', () => {
    const monthly = every(1, 'months', { startAt: '2026-01-31T09:00', timeZone: PARIS });
    const times = nextFireTimes(monthly, 'UTC', at('2026-01-01T00:00:00Z'), 5);
    expect(walls(times, PARIS)).toEqual(['2026-01-31 09:00', '2026-02-28 09:00', '2026-03-31 09:00', '2026-04-30 09:00', '2026-05-31 09:00']);
    expect(utc(times.slice(0, 3))).toEqual(['2026-01-31T08:00:00.000Z', '2026-02-28T08:00:00.000Z', '2026-03-31T07:00:00.000Z']);
    // Counted from the anchor, not from the previous fire: after Feb 28 comes Mar 31, not Mar 28.
    expect(walls(nextFireTimes(monthly, 'UTC', at('2026-03-01T00:00:00Z'), 1), PARIS)).toEqual(['2026-03-31 09:00']);
    const leap = every(1, 'months', { startAt: '2028-01-31T09:00', timeZone: PARIS });
    expect(walls(nextFireTimes(leap, 'UTC', at('2028-02-01T00:00:00Z'), 2), PARIS)).toEqual(['2028-02-29 09:00', '2028-03-31 09:00']);
    const quarterly = every(3, 'months', { startAt: '2025-11-30T00:00', timeZone: 'UTC' });
    expect(utc(nextFireTimes(quarterly, 'UTC', at('2025-12-01T00:00:00Z'), 3))).toEqual(['2026-02-28T00:00:00.000Z', '2026-05-30T00:00:00.000Z', '2026-08-30T00:00:00.000Z']);
  });

  it('every 1 day keeps 09:00 on the wall clock across both changes (a 23-hour and a 25-hour day)', () => {
    const paris = nextFireTimes(every(1, 'days', { startAt: '2026-03-27T09:00', timeZone: PARIS }), 'UTC', at('2026-03-27T00:00:00Z'), 4);
    expect(walls(paris, PARIS)).toEqual(['2026-03-27 09:00', '2026-03-28 09:00', '2026-03-29 09:00', '2026-03-30 09:00']);
    expect(paris[2]!.getTime() - paris[1]!.getTime()).toBe(23 * 3_600_000);
    const newYork = nextFireTimes(every(1, 'days', { startAt: '2026-10-31T09:00', timeZone: NEW_YORK }), 'UTC', at('2026-10-30T00:00:00Z'), 3);
    expect(utc(newYork)).toEqual(['2026-10-31T13:00:00.000Z', '2026-11-01T14:00:00.000Z', '2026-11-02T14:00:00.000Z']);
    expect(newYork[1]!.getTime() - newYork[0]!.getTime()).toBe(25 * 3_600_000);
  });

  it('resolves a day that lands in a gap or an overlap as cron does: the end of the gap, the first occurrence', () => {
    const spring = nextFireTimes(every(1, 'days', { startAt: '2026-03-28T02:30', timeZone: PARIS }), 'UTC', at('2026-03-28T00:00:00Z'), 3);
    expect(walls(spring, PARIS)).toEqual(['2026-03-28 02:30', '2026-03-29 03:00', '2026-03-30 02:30']);
    const autumn = every(1, 'days', { startAt: '2026-10-24T02:30', timeZone: PARIS });
    expect(utc(nextFireTimes(autumn, 'UTC', at('2026-10-24T00:00:00Z'), 3))).toEqual(['2026-10-24T00:30:00.000Z', '2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
    expect(utc(nextFireTimes(autumn, 'UTC', at('2026-10-25T01:00:00Z'), 1))).toEqual(['2026-10-26T01:30:00.000Z']);
    // A start written inside the gap: the first fire at 03:00, the following ones at 02:30.
    const inGap = every(1, 'days', { startAt: '2026-03-29T02:30', timeZone: PARIS });
    expect(walls(nextFireTimes(inGap, 'UTC', at('2026-03-01T00:00:00Z'), 2), PARIS)).toEqual(['2026-03-29 03:00', '2026-03-30 02:30']);
  });

  it('every 90 minutes is exact elapsed time, whatever the wall clock does', () => {
    const times = nextFireTimes(every(90, 'minutes', { startAt: '2026-03-29T00:00', timeZone: PARIS }), 'UTC', at('2026-03-28T00:00:00Z'), 5);
    expect(walls(times, PARIS)).toEqual(['2026-03-29 00:00', '2026-03-29 01:30', '2026-03-29 04:00', '2026-03-29 05:30', '2026-03-29 07:00']);
    for (let i = 1; i < times.length; i++) expect(times[i]!.getTime() - times[i - 1]!.getTime()).toBe(90 * 60_000);
    const hours = nextFireTimes(every(1, 'hours', { startAt: '2026-11-01T00:00', timeZone: NEW_YORK }), 'UTC', at('2026-10-31T00:00:00Z'), 4);
    expect(walls(hours, NEW_YORK)).toEqual(['2026-11-01 00:00', '2026-11-01 01:00', '2026-11-01 01:00', '2026-11-01 02:00']);
  });

  it('without a start counts from 2001-01-01 00:00 on the zone wall clock: the top of the hour, Mondays, the 1st', () => {
    expect(utc(nextFireTimes(every(15, 'minutes', { timeZone: 'UTC' }), 'UTC', at('2026-05-05T10:07:00Z'), 3))).toEqual([
      '2026-05-05T10:15:00.000Z',
      '2026-05-05T10:30:00.000Z',
      '2026-05-05T10:45:00.000Z',
    ]);
    expect(walls(nextFireTimes(every(15, 'minutes', { timeZone: 'Asia/Kolkata' }), 'UTC', at('2026-05-05T10:07:00Z'), 2), 'Asia/Kolkata')).toEqual(['2026-05-05 15:45', '2026-05-05 16:00']);
    expect(walls(nextFireTimes(every(1, 'days'), PARIS, at('2026-07-01T12:00:00Z'), 1), PARIS)).toEqual(['2026-07-02 00:00']);
    expect(walls(nextFireTimes(every(1, 'weeks'), PARIS, at('2026-01-01T00:00:00Z'), 1), PARIS)).toEqual(['2026-01-05 00:00']);
    // 2026-01-05 is 9,135 days (an odd number of weeks) after 2001-01-01: every 2 weeks starts on the 12th.
    expect(walls(nextFireTimes(every(2, 'weeks'), PARIS, at('2026-01-01T00:00:00Z'), 2), PARIS)).toEqual(['2026-01-12 00:00', '2026-01-26 00:00']);
    expect(walls(nextFireTimes(every(1, 'months'), NEW_YORK, at('2026-01-15T00:00:00Z'), 2), NEW_YORK)).toEqual(['2026-02-01 00:00', '2026-03-01 00:00']);
    // The same schedule whatever instant it is asked from.
    const a = nextFireTimes(every(7, 'hours'), PARIS, at('2026-06-01T00:00:00Z'), 10);
    const b = nextFireTimes(every(7, 'hours'), PARIS, a[4]!, 5);
    expect(utc(b)).toEqual(utc(a.slice(5)));
  });

  it('counts a start with an offset as that instant, and fires at the start itself', () => {
    const spec = every(2, 'weeks', { startAt: '2026-01-05T08:00:00Z', timeZone: PARIS });
    expect(walls(nextFireTimes(spec, 'UTC', at('2026-01-05T07:59:59.999Z'), 2), PARIS)).toEqual(['2026-01-05 09:00', '2026-01-19 09:00']);
    expect(walls(nextFireTimes(spec, 'UTC', at('2026-01-05T08:00:00Z'), 1), PARIS)).toEqual(['2026-01-19 09:00']);
    // Summer time does not move it: still 09:00 in Paris.
    expect(walls(nextFireTimes(spec, 'UTC', at('2026-06-01T00:00:00Z'), 1), PARIS)).toEqual(['2026-06-08 09:00']);
  });
});

describe('nextFireTimes and fireTimesBetween bounds', () => {
  const minutely = every(1, 'minutes', { timeZone: 'UTC' });

  it('caps the count at 100 and returns none for 0', () => {
    expect(nextFireTimes(minutely, 'UTC', at('2026-01-01T00:00:00Z'), 1_000)).toHaveLength(RECURRENCE_LIMITS.nextFireTimes);
    expect(nextFireTimes(minutely, 'UTC', at('2026-01-01T00:00:00Z'), 0)).toEqual([]);
    expect(nextFireTimes(minutely, 'UTC', at('2026-01-01T00:00:00Z'), -5)).toEqual([]);
  });

  it('returns the range (after, until], up to the cap, and says when more were left out', () => {
    const after = at('2026-01-01T10:00:00Z');
    const until = at('2026-01-01T11:00:00Z');
    const all = fireTimesBetween(minutely, 'UTC', after, until, 100);
    expect(all.times).toHaveLength(60);
    expect(all.more).toBe(false);
    expect(all.times[0]!.toISOString()).toBe('2026-01-01T10:01:00.000Z');
    expect(all.times[59]!.toISOString()).toBe('2026-01-01T11:00:00.000Z');
    expect(fireTimesBetween(minutely, 'UTC', after, until, 60)).toEqual({ times: all.times, more: false });
    const capped = fireTimesBetween(minutely, 'UTC', after, until, 10);
    expect(capped).toEqual({ times: all.times.slice(0, 10), more: true });
    expect(fireTimesBetween(minutely, 'UTC', after, until, 0)).toEqual({ times: [], more: true });
    expect(fireTimesBetween(minutely, 'UTC', until, after, 10)).toEqual({ times: [], more: false });
    expect(fireTimesBetween(minutely, 'UTC', after, at('2026-01-01T10:00:59Z'), 10)).toEqual({ times: [], more: false });
    expect(fireTimesBetween(minutely, 'UTC', after, at('2026-03-01T00:00:00Z'), 5_000).times).toHaveLength(RECURRENCE_LIMITS.fireTimesBetween);
  });

  it('throws a RecurrenceError naming the field for a spec validation refuses; a cron that never fires gives none', () => {
    expect(() => nextFireTimes(cron('0 25 * * *'), 'UTC', at('2026-01-01T00:00:00Z'), 1)).toThrow(RecurrenceError);
    expect(() => fireTimesBetween(cron('0 3 * * *', { timeZone: 'Mars/Olympus' }), 'UTC', at('2026-01-01T00:00:00Z'), at('2026-01-02T00:00:00Z'), 1)).toThrow(
      /Mars\/Olympus/,
    );
    expect(() => nextFireTimes(minutely, 'UTC', new Date(Number.NaN), 1)).toThrow(RangeError);
    expect(nextFireTimes(cron('0 0 0 30 2 *', { timeZone: 'UTC' }), 'UTC', at('2026-01-01T00:00:00Z'), 5)).toEqual([]);
  });
});

describe('validateRecurrence', () => {
  const problem = (spec: RecurrenceSpec, zone = 'UTC') => {
    const result = validateRecurrence(spec, zone);
    return result.ok ? 'ok' : `${result.field}: ${result.message}`;
  };

  it('accepts 6 and 5 fields, names, nicknames, L, W, # and +', () => {
    for (const expression of ['0 0 3 * * *', '0 3 * * *', '*/15 * * * *', '0 30 9 * * mon-fri', '0 0 1 JAN *', '@daily', '@Hourly', '0 0 L * *', '0 0 15W * *', '0 0 * * FRI#L', '0 12 1 * +MON', '  0  3 * *   * ']) {
      expect(problem(cron(expression)), expression).toBe('ok');
    }
    expect(problem(every(10_000, 'months', { startAt: '2026-01-05', timeZone: PARIS }))).toBe('ok');
  });

  it('names the cron field that is wrong and its range', () => {
    expect(problem(cron('0 0 25 * * *'))).toBe('cron: The hour field "25" must be 0–23');
    expect(problem(cron('0 25 * * *'))).toBe('cron: The hour field "25" must be 0–23');
    expect(problem(cron('60 * * * * *'))).toBe('cron: The second field "60" must be 0–59');
    expect(problem(cron('0 0 32 * *'))).toBe('cron: The day-of-month field "32" must be 1–31');
    expect(problem(cron('0 0 * 13 *'))).toBe('cron: The month field "13" must be 1–12 (or JAN–DEC)');
    expect(problem(cron('0 0 * * 8'))).toBe('cron: The day-of-week field "8" must be 0–7 (or SUN–SAT; 0 and 7 are Sunday)');
    expect(problem(cron('0 9-25 * * *'))).toBe('cron: The hour field "9-25" must be within 0–23: 25 is not');
    expect(problem(cron('*/0 * * * *'))).toBe('cron: The minute field "*/0" has a step that is not possible: a step is 1 to 60');
    expect(problem(cron('5-2 * * * *'))).toBe('cron: The minute field "5-2" has a range from high to low: write the lower value first');
    expect(problem(cron('0 0 1/5 * *'))).toMatch(/^cron: The day-of-month field "1\/5" has a step after a single value/);
    expect(problem(cron('0 0 * * MON#6'))).toMatch(/^cron: The day-of-week field "MON#6" must have 1–5 or L after #/);
    expect(problem(cron('x * * * *'))).toMatch(/^cron: The minute field "x" is not understood: use numbers 0–59, \* \(any\)/);
    expect(problem(cron('0 L * * *'))).toMatch(/^cron: The hour field "L" is not understood/);
  });

  it('explains the shape of the expression as a whole', () => {
    expect(problem(cron(''))).toBe('cron: Enter a cron expression, such as "0 0 3 * * *" (every day at 03:00)');
    expect(problem(cron('* * * *'))).toBe(
      'cron: A cron expression has 6 fields: second, minute, hour, day-of-month, month and day-of-week (or 5, without the second); "* * * *" has 4',
    );
    expect(problem(cron('0 0 0 * * * 2030'))).toMatch(/has 7$/);
    expect(problem(cron('@reboot'))).toBe('cron: "@reboot" is not a schedule: the nicknames are @hourly, @daily, @weekly, @monthly and @yearly');
    expect(problem(cron('0 0 0 30 2 *'))).toBe('cron: The cron expression "0 0 0 30 2 *" never fires: no date matches it (such as the 30th of February)');
    expect(problem(cron('0 0 0 29 2 *'))).toBe('ok');
  });

  it('names an unknown time zone, the spec one or the instance one', () => {
    expect(problem(cron('0 3 * * *', { timeZone: 'Europe/Pariss' }))).toBe(
      'timeZone: Unknown time zone "Europe/Pariss": use a name such as Europe/Paris, America/New_York or UTC',
    );
    expect(problem(cron('0 3 * * *', { timeZone: '+01:00' }))).toMatch(/^timeZone: Unknown time zone "\+01:00"/);
    expect(problem(cron('0 3 * * *'), 'Nowhere/Land')).toBe('timeZone: The instance\'s time zone "Nowhere/Land" is unknown: choose a time zone for this schedule');
    expect(problem(cron('0 3 * * *', { timeZone: PARIS }), 'Nowhere/Land')).toBe('ok');
  });

  it('says what is wrong with a start', () => {
    expect(problem(every(1, 'days', { startAt: 'tomorrow' }))).toBe('startAt: The start "tomorrow" is not a date and time: use a date and time such as 2026-01-05T09:00');
    expect(problem(every(1, 'days', { startAt: '2026-02-30T09:00' }))).toBe(
      'startAt: The start "2026-02-30T09:00" is not a date of the calendar: use a date and time such as 2026-01-05T09:00',
    );
    expect(problem(every(1, 'days', { startAt: '2026-01-05T24:00' }))).toMatch(/^startAt: The start "2026-01-05T24:00" has no such time of day/);
    expect(problem(every(1, 'days', { startAt: '1969-12-31T00:00' }))).toBe('startAt: The start "1969-12-31T00:00" must be between the years 1970 and 9999');
    for (const ok of ['2026-01-05', '2026-01-05T09:00', '2026-01-05 09:00:30', '2026-01-05T09:00:00.250Z', '2026-01-05T09:00+05:30', '2026-01-05T09:00:00-0800']) {
      expect(problem(every(1, 'days', { startAt: ok })), ok).toBe('ok');
    }
  });

  it('checks "every" even when the spec did not come through the schema', () => {
    const raw = { kind: 'every', every: 0, unit: 'days', startAt: null, timeZone: null, missed: 'once' } as RecurrenceSpec;
    expect(problem(raw)).toBe('every: "Every" must be a whole number from 1 to 10,000');
  });
});

describe('describeRecurrence', () => {
  it('says the common cron shapes in words, with the zone', () => {
    const cases: [string, string][] = [
      ['0 0 3 * * *', 'every day at 03:00'],
      ['0 3 * * *', 'every day at 03:00'],
      ['@daily', 'every day at 00:00'],
      ['* * * * * *', 'every second'],
      ['*/10 * * * * *', 'every 10 seconds'],
      ['* * * * *', 'every minute'],
      ['0 * * * * *', 'every minute'],
      ['30 * * * * *', 'every minute at second 30'],
      ['*/5 * * * *', 'every 5 minutes'],
      ['0 */5 * * * *', 'every 5 minutes'],
      ['15 */5 * * * *', 'every 5 minutes at second 15'],
      ['0 15 * * * *', 'every hour at :15'],
      ['@hourly', 'every hour at :00'],
      ['0 0 */6 * * *', 'every 6 hours at :00'],
      ['0 30 9 * * 1-5', 'every weekday at 09:30'],
      ['0 30 9 * * MON-FRI', 'every weekday at 09:30'],
      ['0 0 9 * * MON', 'every Monday at 09:00'],
      ['0 0 9 * * 7', 'every Sunday at 09:00'],
      ['0 0 10 * * SAT,SUN', 'every Saturday and Sunday at 10:00'],
      ['0 0 8 * * SUN,MON,WED', 'every Monday, Wednesday and Sunday at 08:00'],
      ['0 0 9,17 * * *', 'every day at 09:00 and 17:00'],
      ['15 30 4 * * *', 'every day at 04:30:15'],
      ['0 0 6 15 * *', 'every month on day 15 at 06:00'],
      ['0 0 6 1,15 * *', 'every month on days 1 and 15 at 06:00'],
      ['0 0 23 L * *', 'every month on the last day at 23:00'],
      ['@yearly', 'every year on 1 January at 00:00'],
      ['0 0 12 25 DEC *', 'every year on 25 December at 12:00'],
    ];
    for (const [expression, words] of cases) {
      expect(describeRecurrence(cron(expression, { timeZone: PARIS }), 'UTC'), expression).toBe(`${words}, ${PARIS}`);
    }
  });

  it('shows other shapes as the expression itself', () => {
    for (const expression of ['0 */7 * * * *', '0 */15 9-17 * * MON-FRI', '0 0 12 1 * MON', '0 0 9 * * MON#1', '0 0 9 15W * *', '0 0 9 1 1,7 *', '0 0 25 * * *', '0  0 9 * JAN MON']) {
      expect(describeRecurrence(cron(expression), 'UTC'), expression).toBe(`cron "${expression.split(/\s+/).join(' ')}", UTC`);
    }
  });

  it('says "every" specs in words, with the start on the zone wall clock', () => {
    expect(describeRecurrence(every(15, 'minutes'), 'UTC')).toBe('every 15 minutes, UTC');
    expect(describeRecurrence(every(1, 'minutes', { timeZone: NEW_YORK }), 'UTC')).toBe('every minute, America/New_York');
    expect(describeRecurrence(every(1, 'hours'), PARIS)).toBe('every hour, Europe/Paris');
    expect(describeRecurrence(every(2, 'weeks', { startAt: '2026-01-05T09:00', timeZone: PARIS }), 'UTC')).toBe('every 2 weeks from 2026-01-05 09:00, Europe/Paris');
    expect(describeRecurrence(every(2, 'weeks', { startAt: '2026-01-05T08:00:00Z', timeZone: PARIS }), 'UTC')).toBe('every 2 weeks from 2026-01-05 09:00, Europe/Paris');
    expect(describeRecurrence(every(90, 'minutes', { startAt: '2026-01-05T09:00:30' }), 'UTC')).toBe('every 90 minutes from 2026-01-05 09:00:30, UTC');
    expect(describeRecurrence(every(1, 'days'), PARIS)).toBe('every day at 00:00, Europe/Paris');
    expect(describeRecurrence(every(1, 'weeks'), PARIS)).toBe('every week on Monday at 00:00, Europe/Paris');
    expect(describeRecurrence(every(1, 'months'), PARIS)).toBe('every month on day 1 at 00:00, Europe/Paris');
    expect(describeRecurrence(every(3, 'days'), PARIS)).toBe('every 3 days from 2001-01-01 00:00, Europe/Paris');
    expect(describeRecurrence(cron('0 0 9 * * *', { startAt: '2026-02-10' }), PARIS)).toBe('every day at 09:00 from 2026-02-10 00:00, Europe/Paris');
  });

  it('never throws on an invalid spec', () => {
    expect(describeRecurrence(every(1, 'days', { startAt: 'soon' }), 'UTC')).toBe('every day from "soon", UTC');
    expect(describeRecurrence(cron('0 3 * * *', { timeZone: 'Mars/Olympus' }), 'UTC')).toBe('every day at 03:00, Mars/Olympus');
  });
});

describe('properties', () => {
  const zones = ['UTC', PARIS, NEW_YORK, 'America/Santiago', 'Australia/Lord_Howe', 'Asia/Kolkata', 'Pacific/Apia'];
  const instant = (from: number, to: number) => fc.integer({ min: Date.UTC(from, 0, 1), max: Date.UTC(to, 0, 1) }).map((t) => new Date(t));
  const startAt = fc.option(
    fc.record({ y: fc.integer({ min: 1990, max: 2060 }), mo: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 31 }), h: fc.integer({ min: 0, max: 23 }), mi: fc.integer({ min: 0, max: 59 }) }).map(
      ({ y, mo, d, h, mi }) => `${y}-${String(mo).padStart(2, '0')}-${String(Math.min(d, 28)).padStart(2, '0')}T${String(h).padStart(2, '0')}:${String(mi).padStart(2, '0')}`,
    ),
    { nil: null },
  );
  const everySpec = fc
    .record({
      every: fc.oneof(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: RECURRENCE_LIMITS.every })),
      unit: fc.constantFrom('minutes', 'hours', 'days', 'weeks', 'months'),
      startAt,
      timeZone: fc.constantFrom(...zones),
    })
    .map((r) => RecurrenceSpec.parse({ kind: 'every', ...r }));
  const far = new Date(8.64e15);

  it('every: strictly increasing, all after `after`, and the first equals the first of fireTimesBetween', () => {
    fc.assert(
      fc.property(everySpec, instant(1980, 2080), fc.integer({ min: 1, max: 8 }), (spec, after, count) => {
        expect(validateRecurrence(spec, 'UTC')).toEqual({ ok: true });
        const times = nextFireTimes(spec, 'UTC', after, count);
        expect(times).toHaveLength(count);
        expect(times[0]!.getTime()).toBeGreaterThan(after.getTime());
        for (let i = 1; i < times.length; i++) expect(times[i]!.getTime()).toBeGreaterThan(times[i - 1]!.getTime());
        const between = fireTimesBetween(spec, 'UTC', after, far, 1);
        expect(between.times[0]?.toISOString()).toBe(times[0]!.toISOString());
        // Asking again from any fire time continues the same sequence.
        expect(utc(nextFireTimes(spec, 'UTC', times[0]!, count - 1))).toEqual(utc(times.slice(1)));
      }),
      { numRuns: 300 },
    );
  });

  it('cron: strictly increasing and all after `after`, in zones with DST', () => {
    const expressions = ['0 30 2 * * *', '0 0 * * * *', '0 */20 1-3 * * *', '0 30 1,2 * * SUN', '0 0 0 L * *', '*/30 * 2 * * *'];
    fc.assert(
      fc.property(fc.constantFrom(...expressions), fc.constantFrom(...zones), instant(2000, 2040), (expression, zone, after) => {
        const times = nextFireTimes(cron(expression, { timeZone: zone }), 'UTC', after, 10);
        expect(times).toHaveLength(10);
        expect(times[0]!.getTime()).toBeGreaterThan(after.getTime());
        for (let i = 1; i < times.length; i++) expect(times[i]!.getTime()).toBeGreaterThan(times[i - 1]!.getTime());
      }),
      { numRuns: 200 },
    );
  });
});
