import { describe, expect, it } from 'vitest';
import { compile } from './compile.ts';
import { MAX_DATE_PATTERN_CHARS, canonicalTimeZone, isValidTimeZone } from './dateFunctions.ts';
import { EvaluationError, type Value, evaluate, parseExpression } from './expression.ts';
import { callFunction } from './functions.ts';
import { call, compiled, fakeServices, graph, returnData, values } from './test-support.ts';

/**
 * Every expectation is an instant written in UTC, computed by hand from the zone's rules, and the
 * zone is always given (as an argument or as the workflow's): the machine's own time zone plays no
 * part, and code that used it would give other instants for Paris and New York.
 */
const at = (iso: string) => new Date(iso);
const iso = (value: Value) => (value instanceof Date ? value.toISOString() : value);

/** Calls a function as the evaluator does, with the workflow's zone (absent: UTC). */
const fn = (name: string, args: Value[], workflowZone?: string) =>
  callFunction(name, args, workflowZone === undefined ? {} : { timeZone: workflowZone });
const dateOf = (name: string, args: Value[], workflowZone?: string) => iso(fn(name, args, workflowZone));

/** Evaluates an expression written in stored text (`$when` is the value "when"). */
const run = (source: string, timeZone?: string, when: Date = at('2025-03-29T09:00:00Z')) =>
  evaluate(parseExpression(source), { values: values({ when }), now: at('2026-01-01T00:00:00Z'), ...(timeZone && { timeZone }) });

const failure = (thunk: () => unknown): string => {
  try {
    thunk();
  } catch (error) {
    if (error instanceof EvaluationError) return error.message;
    throw error;
  }
  throw new Error('expected an EvaluationError');
};

// 2025-03-30: Paris springs forward at 02:00 (CET +01:00 -> CEST +02:00); 2025-10-26: falls back.
// 2025-03-09: New York springs forward (EST -05:00 -> EDT -04:00).
const PARIS_SAT_10H = at('2025-03-29T09:00:00Z'); // Saturday 29 March 2025, 10:00 in Paris

describe('adding to a date', () => {
  it('adds exact seconds, minutes and hours; negative amounts subtract', () => {
    const d = at('2025-01-01T00:00:00Z');
    expect(dateOf('addSeconds', [d, 90])).toBe('2025-01-01T00:01:30.000Z');
    expect(dateOf('addMinutes', [d, -15])).toBe('2024-12-31T23:45:00.000Z');
    expect(dateOf('addHours', [d, 36])).toBe('2025-01-02T12:00:00.000Z');
  });

  it('addDays keeps the time of day across the spring-forward (23 h later); addHours(24) is 24 h', () => {
    const nextDay = fn('addDays', [PARIS_SAT_10H, 1, 'Europe/Paris']) as Date;
    expect(nextDay.toISOString()).toBe('2025-03-30T08:00:00.000Z'); // Sunday 10:00 in Paris (CEST)
    expect(nextDay.getTime() - PARIS_SAT_10H.getTime()).toBe(23 * 3_600_000);
    expect(dateOf('addHours', [PARIS_SAT_10H, 24])).toBe('2025-03-30T09:00:00.000Z'); // 11:00 in Paris
    // The same call in UTC is 24 h: the zone is what made the day 23 hours long.
    expect(dateOf('addDays', [PARIS_SAT_10H, 1, 'UTC'])).toBe('2025-03-30T09:00:00.000Z');
    // Back again, and across the fall-back (a 25-hour day).
    expect(dateOf('addDays', [nextDay, -1, 'Europe/Paris'])).toBe(PARIS_SAT_10H.toISOString());
    expect(dateOf('addDays', [at('2025-10-25T08:00:00Z'), 1, 'Europe/Paris'])).toBe('2025-10-26T09:00:00.000Z');
    // New York's own change, two weeks earlier: 09:00 EST -> 09:00 EDT.
    expect(dateOf('addDays', [at('2025-03-08T14:00:00Z'), 1, 'America/New_York'])).toBe('2025-03-09T13:00:00.000Z');
    expect(dateOf('addWeeks', [at('2025-03-08T14:00:00Z'), 1, 'America/New_York'])).toBe('2025-03-15T13:00:00.000Z');
  });

  it('addMonths lands on the last day of a shorter month; addYears on Feb 28 from Feb 29', () => {
    expect(dateOf('addMonths', [at('2024-01-31T12:00:00Z'), 1])).toBe('2024-02-29T12:00:00.000Z');
    expect(dateOf('addMonths', [at('2025-01-31T12:00:00Z'), 1])).toBe('2025-02-28T12:00:00.000Z');
    expect(dateOf('addMonths', [at('2025-03-31T12:00:00Z'), -1])).toBe('2025-02-28T12:00:00.000Z');
    expect(dateOf('addYears', [at('2024-02-29T12:00:00Z'), 1])).toBe('2025-02-28T12:00:00.000Z');
    // Jan 30, 23:30 in New York is already Jan 31 in UTC: each zone has its own month end.
    const lateJan30 = at('2025-01-31T04:30:00Z');
    expect(dateOf('addMonths', [lateJan30, 1, 'America/New_York'])).toBe('2025-03-01T04:30:00.000Z'); // Feb 28, 23:30 EST
    expect(dateOf('addMonths', [lateJan30, 1, 'UTC'])).toBe('2025-02-28T04:30:00.000Z');
  });

  it('works in the workflow\'s zone when given none, and an empty zone means that one too', () => {
    expect(dateOf('addDays', [PARIS_SAT_10H, 1], 'Europe/Paris')).toBe('2025-03-30T08:00:00.000Z');
    expect(dateOf('addDays', [PARIS_SAT_10H, 1, null], 'Europe/Paris')).toBe('2025-03-30T08:00:00.000Z');
    expect(dateOf('addDays', [PARIS_SAT_10H, 1, ''], 'Europe/Paris')).toBe('2025-03-30T08:00:00.000Z');
    // A zone given in the call wins over the workflow's.
    expect(dateOf('addDays', [PARIS_SAT_10H, 1, 'UTC'], 'Europe/Paris')).toBe('2025-03-30T09:00:00.000Z');
    // No zone anywhere: UTC.
    expect(dateOf('addDays', [PARIS_SAT_10H, 1])).toBe('2025-03-30T09:00:00.000Z');
    // Through the evaluator, which passes its context's zone on.
    expect(iso(run('addDays($when, 1)', 'Europe/Paris'))).toBe('2025-03-30T08:00:00.000Z');
    expect(iso(run('addDays($when, 1)'))).toBe('2025-03-30T09:00:00.000Z');
  });

  it('refuses amounts that are not whole numbers or are out of bounds, and results dates cannot hold', () => {
    expect(failure(() => fn('addDays', [PARIS_SAT_10H, 1.5]))).toBe('addDays: the number of days must be a whole number, got 1.5');
    expect(failure(() => fn('addHours', [PARIS_SAT_10H, 1_000_001]))).toBe(
      'addHours: the number of hours must be between -1,000,000 and 1,000,000, got 1000001',
    );
    expect(failure(() => fn('addMinutes', [PARIS_SAT_10H, Number.NaN]))).toMatch(/^addMinutes: the number of minutes must be a whole number/);
    expect(dateOf('addDays', [at('2000-01-01T00:00:00Z'), 1_000_000])).toBe('4737-11-28T00:00:00.000Z');
    expect(failure(() => fn('addYears', [PARIS_SAT_10H, 1_000_000]))).toBe(
      'addYears: the result is outside the dates that can be represented (years -271821 to 275760)',
    );
    expect(failure(() => fn('addDays', [new Date(8.64e15), 1, 'Europe/Paris']))).toMatch(/the result is outside the dates/);
    expect(failure(() => fn('addSeconds', [new Date(-8.64e15), -1]))).toMatch(/the result is outside the dates/);
    // Only reachable from workflows migrated from before typed expressions (not type-checked).
    expect(failure(() => fn('addDays', ['2025-01-01', 1]))).toBe('addDays: the date is text; a date is needed');
    expect(failure(() => fn('addDays', [PARIS_SAT_10H, '1']))).toBe('addDays: the number of days is text; a number is needed');
  });

  it('returns plain dates, which read as ISO 8601 in UTC', () => {
    const result = fn('addDays', [PARIS_SAT_10H, 1, 'Europe/Paris']) as Date;
    expect(Object.getPrototypeOf(result)).toBe(Date.prototype);
    expect(JSON.stringify(result)).toBe('"2025-03-30T08:00:00.000Z"');
  });
});

describe('start of day, week and month', () => {
  it('startOfDay is midnight in the zone, also on the day the clocks change', () => {
    const sundayNoon = at('2025-03-30T12:00:00Z');
    expect(dateOf('startOfDay', [sundayNoon, 'Europe/Paris'])).toBe('2025-03-29T23:00:00.000Z'); // 00:00 CET
    expect(dateOf('startOfDay', [at('2025-03-09T18:00:00Z'), 'America/New_York'])).toBe('2025-03-09T05:00:00.000Z'); // 00:00 EST
    expect(dateOf('startOfDay', [sundayNoon, 'UTC'])).toBe('2025-03-30T00:00:00.000Z');
    expect(dateOf('startOfDay', [sundayNoon], 'Europe/Paris')).toBe('2025-03-29T23:00:00.000Z');
    // Santiago springs forward at midnight (00:00 -> 01:00 on 2024-09-08): that day starts at 01:00.
    expect(dateOf('startOfDay', [at('2024-09-08T12:00:00Z'), 'America/Santiago'])).toBe('2024-09-08T04:00:00.000Z');
  });

  it('startOfWeek is Monday (ISO), and which Monday depends on the zone', () => {
    const mondayHalfPastMidnightParis = at('2025-03-23T23:30:00Z'); // still Sunday in UTC
    expect(dateOf('startOfWeek', [mondayHalfPastMidnightParis, 'Europe/Paris'])).toBe('2025-03-23T23:00:00.000Z');
    expect(dateOf('startOfWeek', [mondayHalfPastMidnightParis, 'UTC'])).toBe('2025-03-17T00:00:00.000Z');
    expect(dateOf('startOfWeek', [at('2025-03-30T12:00:00Z')], 'Europe/Paris')).toBe('2025-03-23T23:00:00.000Z'); // Sunday -> the Monday before
  });

  it('startOfMonth is midnight on the first day of the month in the zone', () => {
    const firstOfMarchParis = at('2025-02-28T23:30:00Z'); // March 1, 00:30 in Paris
    expect(dateOf('startOfMonth', [firstOfMarchParis, 'Europe/Paris'])).toBe('2025-02-28T23:00:00.000Z');
    expect(dateOf('startOfMonth', [firstOfMarchParis, 'America/New_York'])).toBe('2025-02-01T05:00:00.000Z');
    expect(dateOf('startOfMonth', [firstOfMarchParis])).toBe('2025-02-01T00:00:00.000Z');
  });
});

describe('the time between two dates', () => {
  const sundayParis = at('2025-03-30T08:00:00Z'); // the day after PARIS_SAT_10H, 10:00 in Paris, 23 h later

  it('counts exact time for seconds, minutes and hours, and calendar days in the zone', () => {
    expect(fn('diffHours', [PARIS_SAT_10H, sundayParis])).toBe(23);
    expect(fn('diffMinutes', [PARIS_SAT_10H, sundayParis])).toBe(23 * 60);
    expect(fn('diffSeconds', [PARIS_SAT_10H, sundayParis])).toBe(23 * 3600);
    expect(fn('diffDays', [PARIS_SAT_10H, sundayParis, 'Europe/Paris'])).toBe(1);
    expect(fn('diffDays', [PARIS_SAT_10H, sundayParis], 'Europe/Paris')).toBe(1);
    expect(fn('diffDays', [PARIS_SAT_10H, sundayParis, 'UTC'])).toBe(0); // 23 hours: not a whole day in UTC
  });

  it('is negative when the second date is earlier, truncated towards zero, never -0', () => {
    expect(fn('diffDays', [sundayParis, PARIS_SAT_10H, 'Europe/Paris'])).toBe(-1);
    expect(fn('diffMinutes', [at('2025-01-01T00:01:30Z'), at('2025-01-01T00:00:00Z')])).toBe(-1);
    expect(fn('diffDays', [at('2025-01-01T00:00:00Z'), at('2025-01-02T23:00:00Z')])).toBe(1);
    expect(Object.is(fn('diffSeconds', [at('2025-01-01T00:00:00.500Z'), at('2025-01-01T00:00:00Z')]), 0)).toBe(true);
  });

  it('counts whole weeks, months and years', () => {
    expect(fn('diffWeeks', [at('2025-03-01T00:00:00Z'), at('2025-03-22T00:00:00Z')])).toBe(3);
    expect(fn('diffMonths', [at('2025-01-15T00:00:00Z'), at('2025-03-14T00:00:00Z')])).toBe(1);
    expect(fn('diffMonths', [at('2025-01-15T00:00:00Z'), at('2025-03-15T00:00:00Z')])).toBe(2);
    expect(fn('diffYears', [at('2000-02-29T00:00:00Z'), at('2025-02-28T00:00:00Z')])).toBe(24);
    expect(fn('diffYears', [at('2000-02-29T00:00:00Z'), at('2025-03-01T00:00:00Z')])).toBe(25);
  });
});

describe('formatDate', () => {
  it('formats with Unicode (LDML) patterns in the zone', () => {
    expect(fn('formatDate', [PARIS_SAT_10H, 'yyyy-MM-dd HH:mm', 'Europe/Paris'])).toBe('2025-03-29 10:00');
    expect(fn('formatDate', [PARIS_SAT_10H, 'yyyy-MM-dd HH:mm', 'America/New_York'])).toBe('2025-03-29 05:00');
    expect(fn('formatDate', [PARIS_SAT_10H, 'yyyy-MM-dd HH:mm'])).toBe('2025-03-29 09:00');
    expect(fn('formatDate', [PARIS_SAT_10H, 'yyyy-MM-dd HH:mm'], 'Europe/Paris')).toBe('2025-03-29 10:00');
    expect(fn('formatDate', [PARIS_SAT_10H, "EEEE d MMMM yyyy 'at' h:mm a", 'America/New_York'])).toBe('Saturday 29 March 2025 at 5:00 AM');
    expect(fn('formatDate', [at('2025-03-30T08:00:00Z'), "yyyy-MM-dd'T'HH:mm:ssxxx", 'Europe/Paris'])).toBe('2025-03-30T10:00:00+02:00');
    expect(fn('formatDate', [PARIS_SAT_10H, "dd/MM/yy, EEE, 'o''clock'", 'Europe/Paris'])).toBe("29/03/25, Sat, o'clock");
    expect(fn('formatDate', [PARIS_SAT_10H, 'QQQ, w, DDD'], 'UTC')).toBe('Q1, 13, 088');
  });

  it('explains a pattern it cannot use', () => {
    expect(failure(() => fn('formatDate', [PARIS_SAT_10H, 'yyyy-jj']))).toBe(
      'formatDate: the pattern "yyyy-jj" cannot be used: "j" is not a part of a date; put other text in single quotes, e.g. "dd MMM \'at\' HH:mm"',
    );
    expect(failure(() => fn('formatDate', [PARIS_SAT_10H, 'YYYY-MM-dd']))).toBe(
      'formatDate: In the pattern "YYYY-MM-dd", use "yyyy" for the year ("YYYY" is the week-numbering year)',
    );
    expect(failure(() => fn('formatDate', [PARIS_SAT_10H, 'DD.MM.yyyy']))).toMatch(/use "dd" for the day of the month/);
    // Quoted, the same letters are text.
    expect(fn('formatDate', [PARIS_SAT_10H, "'YYYY' yyyy"])).toBe('YYYY 2025');
    expect(failure(() => fn('formatDate', [PARIS_SAT_10H, '']))).toBe('formatDate: The pattern is empty: write one such as "yyyy-MM-dd HH:mm"');
    expect(fn('formatDate', [PARIS_SAT_10H, 'y'.repeat(MAX_DATE_PATTERN_CHARS)])).toHaveLength(MAX_DATE_PATTERN_CHARS);
    expect(failure(() => fn('formatDate', [PARIS_SAT_10H, 'y'.repeat(MAX_DATE_PATTERN_CHARS + 1)]))).toBe(
      `formatDate: The pattern is longer than ${MAX_DATE_PATTERN_CHARS} characters`,
    );
    expect(failure(() => fn('formatDate', [PARIS_SAT_10H, 3]))).toBe('formatDate: the pattern is a number; text is needed, e.g. "yyyy-MM-dd"');
  });
});

describe('time zones', () => {
  it('isValidTimeZone accepts IANA names (UTC and Etc/UTC included) and nothing else', () => {
    for (const zone of ['UTC', 'Etc/UTC', 'Europe/Paris', 'America/New_York', 'Asia/Kolkata', 'Etc/GMT+5', 'europe/paris']) {
      expect(isValidTimeZone(zone), zone).toBe(true);
    }
    for (const zone of ['Mars/Base', '', ' UTC', '+01:00', 'Europe/Paris ', 'x'.repeat(65), 42, null, undefined]) {
      expect(isValidTimeZone(zone), String(zone)).toBe(false);
    }
    expect(canonicalTimeZone('europe/paris')).toBe('Europe/Paris');
  });

  it('an unknown zone is an error that names it, whether given or the workflow\'s', () => {
    expect(failure(() => fn('addDays', [PARIS_SAT_10H, 1, 'Mars/Base']))).toBe(
      'addDays: Unknown time zone "Mars/Base": use an IANA name such as "Europe/Paris", "America/New_York" or "UTC"',
    );
    expect(failure(() => fn('formatDate', [PARIS_SAT_10H, 'yyyy'], 'Europe/Pariss'))).toMatch(/^formatDate: Unknown time zone "Europe\/Pariss"/);
    expect(failure(() => fn('startOfDay', [PARIS_SAT_10H, '+02:00']))).toMatch(/^startOfDay: Unknown time zone "\+02:00"/);
    expect(failure(() => fn('diffDays', [PARIS_SAT_10H, PARIS_SAT_10H, 7]))).toBe('diffDays: the time zone is a number; text is needed, e.g. "Europe/Paris"');
    // From data, at run time: the same message, in the step's error.
    expect(failure(() => run('formatDate($when, "yyyy", "Nowhere/City")'))).toMatch(/Unknown time zone "Nowhere\/City"/);
  });
});

describe('in a workflow', () => {
  const source = (settings?: unknown) =>
    graph({
      parameters: [{ id: 'p_when', key: 'when', type: 'date', optional: false }],
      actions: [returnData('ret', { day: '{{formatDate(when, "yyyy-MM-dd HH:mm")}}', next: '{{addDays(when, 1)}}', paris: '{{formatDate(when, "HH:mm", "Europe/Paris")}}' })],
      ...(settings !== undefined && { settings }),
    });
  const body = { when: '2025-03-29T09:00:00Z' };
  const responseOf = async (settings: unknown, instanceZone?: string) => {
    const services = { ...fakeServices(), ...(instanceZone && { timeZone: instanceZone }) };
    const outcome = await call(compiled(source(settings)), body, { services });
    if (outcome.status !== 'succeeded') throw new Error(JSON.stringify(outcome));
    return JSON.parse(outcome.response!) as unknown;
  };

  it('uses the workflow\'s zone, else the instance\'s, else UTC', async () => {
    expect(await responseOf({ timeZone: 'America/New_York' }, 'Europe/Paris')).toEqual({
      day: '2025-03-29 05:00',
      next: '2025-03-30T09:00:00.000Z',
      paris: '10:00',
    });
    expect(await responseOf({ timeZone: null }, 'Europe/Paris')).toEqual({ day: '2025-03-29 10:00', next: '2025-03-30T08:00:00.000Z', paris: '10:00' });
    expect(await responseOf(undefined)).toEqual({ day: '2025-03-29 09:00', next: '2025-03-30T09:00:00.000Z', paris: '10:00' });
  });

  it('refuses an unknown workflow zone when it compiles, on the event\'s settings', () => {
    const diagnostics = (settings: unknown) => compile('dates', source(settings)).diagnostics.map((d) => [d.nodeId, d.field, d.message]);
    expect(diagnostics({ timeZone: 'Mars/Base' })).toEqual([
      ['event', 'settings.timeZone', 'Unknown time zone "Mars/Base": use an IANA name such as "Europe/Paris", "America/New_York" or "UTC"'],
    ]);
    for (const zone of ['UTC', 'Etc/UTC', 'Europe/Paris', null]) expect(diagnostics({ timeZone: zone }), String(zone)).toEqual([]);
  });

  it('refuses a date joined to text, wrong argument types and wrong arity when it compiles', () => {
    const diagnostics = (value: string) =>
      compile('dates', graph({ parameters: [{ id: 'p_when', key: 'when', type: 'date', optional: false }], actions: [returnData('ret', { value })] })).diagnostics.map(
        (d) => d.message,
      );
    expect(diagnostics('{{"Ordered on " + when}}')).toEqual(['Cannot join when to text: it is a date; format it first, formatDate(when, "yyyy-MM-dd")']);
    expect(diagnostics('{{"Ordered on " + formatDate(when, "d MMM")}}')).toEqual([]);
    // Inside a template, a date still reads as text (ISO 8601), as before.
    expect(diagnostics('Ordered on {{when}}')).toEqual([]);
    expect(diagnostics('{{when + 7}}')).toEqual(['when + 7: when is a date; a number is needed: to move a date, use addDays(when, …) (or addHours, addMonths…)']);
    expect(diagnostics('{{addDays(7, when)}}')).toEqual(['The date of addDays: 7 is a number; a date is needed']);
    expect(diagnostics('{{startOfDay()}}')).toEqual(['startOfDay(date, timeZone?) takes 1 or 2 values, got 0']);
    expect(diagnostics('{{formatDate(when, "yyyy", "Mars/Base")}}')).toEqual([
      'formatDate: Unknown time zone "Mars/Base": use an IANA name such as "Europe/Paris", "America/New_York" or "UTC"',
    ]);
  });
});
