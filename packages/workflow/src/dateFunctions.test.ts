import { tzOffset } from '@date-fns/tz';
import { afterEach, describe, expect, it, vi } from 'vitest';
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

describe('clock changes', () => {
  it('a result whose time of day does not exist is the first valid time after the gap', () => {
    // Paris 2025-03-30: 02:00 CET -> 03:00 CEST, so 02:30 that day does not exist: 03:00 CEST.
    expect(dateOf('addDays', [at('2025-03-29T01:30:00Z'), 1, 'Europe/Paris'])).toBe('2025-03-30T01:00:00.000Z');
    expect(dateOf('addWeeks', [at('2025-03-23T01:30:00Z'), 1, 'Europe/Paris'])).toBe('2025-03-30T01:00:00.000Z');
    expect(dateOf('addMonths', [at('2025-01-30T01:30:00Z'), 2], 'Europe/Paris')).toBe('2025-03-30T01:00:00.000Z');
    // New York 2025-03-09: 02:00 EST -> 03:00 EDT.
    expect(dateOf('addDays', [at('2025-03-08T07:15:00Z'), 1, 'America/New_York'])).toBe('2025-03-09T07:00:00.000Z');
  });

  it('a result whose time of day occurs twice is its first occurrence', () => {
    // Paris 2026-10-25: 03:00 CEST -> 02:00 CET; 02:30 is 00:30 UTC, then 01:30 UTC.
    expect(dateOf('addDays', [at('2026-10-24T00:30:00Z'), 1, 'Europe/Paris'])).toBe('2026-10-25T00:30:00.000Z');
    expect(dateOf('addDays', [at('2026-10-26T01:30:00Z'), -1, 'Europe/Paris'])).toBe('2026-10-25T00:30:00.000Z');
    // Lord Howe 2025-04-06 moves back half an hour (02:00 +11:00 -> 01:30 +10:30): 01:45 +11:00.
    expect(dateOf('addMonths', [at('2025-03-05T14:45:00Z'), 1, 'Australia/Lord_Howe'])).toBe('2025-04-05T14:45:00.000Z');
    // Adding nothing gives the date back, also the second 02:30.
    expect(dateOf('addDays', [at('2026-10-25T01:30:00Z'), 0, 'Europe/Paris'])).toBe('2026-10-25T01:30:00.000Z');
    expect(dateOf('addMonths', [at('2026-10-25T01:30:00Z'), 0, 'Europe/Paris'])).toBe('2026-10-25T01:30:00.000Z');
  });

  it('a day, a week or a month starts at its first instant', () => {
    // Havana 2010-10-31 fell back at 01:00 to 00:00: midnight came twice; the day starts at the first.
    expect(dateOf('startOfDay', [at('2010-10-31T12:00:00Z'), 'America/Havana'])).toBe('2010-10-31T04:00:00.000Z');
    // Lord Howe 2025-10-05: 02:00 -> 02:30; the day starts at 00:00 +10:30.
    expect(dateOf('startOfDay', [at('2025-10-05T12:00:00Z'), 'Australia/Lord_Howe'])).toBe('2025-10-04T13:30:00.000Z');
    // Apia skipped Friday 30 December 2011 (-10:00 -> +14:00); 2011-12-31T12:00Z was Sunday 1 January
    // there: its week started on Monday 26 December (-10:00), its month on 1 January, 00:00 (+14:00).
    expect(dateOf('startOfWeek', [at('2011-12-31T12:00:00Z'), 'Pacific/Apia'])).toBe('2011-12-26T10:00:00.000Z');
    expect(dateOf('startOfMonth', [at('2011-12-31T12:00:00Z'), 'Pacific/Apia'])).toBe('2011-12-31T10:00:00.000Z');
    expect(dateOf('startOfDay', [at('2011-12-30T12:00:00Z'), 'Pacific/Apia'])).toBe('2011-12-30T10:00:00.000Z'); // Saturday 31, 00:00 +14:00
  });

  it('counts calendar days across a change on the wall clock, by whole days from the first time', () => {
    // From 02:30 (first) to 02:30 (first) the next day, a 25-hour day: 1 day; to 01:00 the day after: still 1.
    expect(fn('diffDays', [at('2026-10-24T00:30:00Z'), at('2026-10-25T00:30:00Z'), 'Europe/Paris'])).toBe(1);
    expect(fn('diffDays', [at('2026-10-24T00:30:00Z'), at('2026-10-26T00:00:00Z'), 'Europe/Paris'])).toBe(1);
    expect(fn('diffDays', [at('2026-10-24T00:30:00Z'), at('2026-10-26T01:30:00Z'), 'Europe/Paris'])).toBe(2);
    // The two 02:30 of 2026-10-25 are the same time of day: no whole day, no -0.
    expect(Object.is(fn('diffDays', [at('2026-10-25T01:30:00Z'), at('2026-10-25T00:30:00Z'), 'Europe/Paris']), 0)).toBe(true);
    expect(fn('diffWeeks', [at('2025-03-23T09:00:00Z'), at('2025-03-30T08:00:00Z'), 'Europe/Paris'])).toBe(1); // 10:00 to 10:00, 167 hours
  });
});

describe('whole months and years at the end of a month', () => {
  it('diffMonths counts the months addMonths adds: Jan 31 to Feb 28 is one, Mar 30 to Feb 29 minus one', () => {
    expect(fn('diffMonths', [at('2025-01-31T12:00:00Z'), at('2025-02-28T12:00:00Z')])).toBe(1);
    expect(fn('diffMonths', [at('2025-01-31T12:00:00Z'), at('2025-02-28T11:59:59Z')])).toBe(0);
    expect(fn('diffMonths', [at('2024-03-30T00:00:00Z'), at('2024-02-29T00:00:00Z')])).toBe(-1);
    expect(fn('diffMonths', [at('2024-04-29T00:00:00Z'), at('2024-02-29T00:00:00Z')])).toBe(-2);
    expect(fn('diffMonths', [at('2023-12-31T10:00:00Z'), at('2024-02-29T00:00:00Z')])).toBe(1); // Feb 29, 10:00 is two
    expect(fn('diffMonths', [at('2025-02-28T12:00:00Z'), at('2025-01-31T12:00:00Z')])).toBe(0); // Feb 28 - 1 month is Jan 28
    expect(fn('diffMonths', [at('2025-01-31T23:30:00Z'), at('2025-03-01T00:00:00Z'), 'UTC'])).toBe(1);
    // New York: Jan 31, 23:30 EST to Feb 28, 23:30 EST (already March in UTC).
    expect(fn('diffMonths', [at('2025-02-01T04:30:00Z'), at('2025-03-01T04:30:00Z'), 'America/New_York'])).toBe(1);
    expect(fn('diffMonths', [at('2025-02-01T04:30:00Z'), at('2025-03-01T04:30:00Z'), 'UTC'])).toBe(1);
    expect(fn('diffMonths', [at('2025-02-01T04:30:00Z'), at('2025-03-01T04:29:00Z'), 'UTC'])).toBe(0);
  });

  it('diffMonths of a date and addMonths of it is the number of months, whatever the day', () => {
    for (let day = 0; day < 366; day += 1) {
      const from = at(`2024-01-01T10:00:00Z`);
      const date = new Date(from.getTime() + day * 86_400_000);
      for (const months of [-25, -13, -1, 1, 2, 11, 12, 49]) {
        const moved = fn('addMonths', [date, months, 'UTC']) as Date;
        expect(fn('diffMonths', [date, moved, 'UTC']), `${date.toISOString()} ${months}`).toBe(months);
      }
    }
  });

  it('diffYears counts as birthdays do: Feb 29 to Feb 28 is not yet a year', () => {
    expect(fn('diffYears', [at('2024-02-29T00:00:00Z'), at('2025-02-28T23:59:59Z')])).toBe(0);
    expect(fn('diffYears', [at('2025-02-28T00:00:00Z'), at('2000-02-29T00:00:00Z')])).toBe(-24);
    expect(fn('diffYears', [at('2024-12-31T23:00:00Z'), at('2025-01-01T00:00:00Z')])).toBe(0);
    expect(fn('diffYears', [at('2024-12-31T23:00:00Z'), at('2025-12-31T23:00:00Z')])).toBe(1);
    // 2025-01-01 00:30 in Paris is still 2024 in UTC.
    expect(fn('diffYears', [at('2023-12-31T23:30:00Z'), at('2024-12-31T23:30:00Z'), 'Europe/Paris'])).toBe(1);
  });
});

describe('formatDate with offsets, timestamps and week numbers', () => {
  it('writes the zone\'s offset, the instant\'s timestamp and the zone\'s calendar', () => {
    const parisSummer = at('2026-07-05T08:00:00Z');
    expect(fn('formatDate', [parisSummer, 'xxx XXX x O OOOO z zzzz', 'Europe/Paris'])).toBe('+02:00 +02:00 +02 GMT+2 GMT+02:00 GMT+2 GMT+02:00');
    expect(fn('formatDate', [parisSummer, 'xxx XXX', 'UTC'])).toBe('+00:00 Z');
    expect(fn('formatDate', [parisSummer, 'HH:mm xxx', 'Asia/Kathmandu'])).toBe('13:45 +05:45');
    expect(fn('formatDate', [parisSummer, 'HH:mm xxx', 'Australia/Lord_Howe'])).toBe('18:30 +10:30');
    expect(fn('formatDate', [parisSummer, 'HH:mm xxx', 'America/New_York'])).toBe('04:00 -04:00');
    // Paris mean time (+00:09:21) is written to the minute, as Date#getTimezoneOffset does.
    expect(fn('formatDate', [at('1900-01-01T00:00:00Z'), 'yyyy-MM-dd HH:mm:ss xxx', 'Europe/Paris'])).toBe('1900-01-01 00:09:21 +00:09');
    // t and T are the instant (seconds, milliseconds since 1970), the same in every zone.
    expect(fn('formatDate', [parisSummer, 't T', 'Pacific/Kiritimati'])).toBe('1783238400 1783238400000');
    expect(fn('formatDate', [parisSummer, "'at'T", 'Europe/Paris'])).toBe('at1783238400000');
    expect(fn('formatDate', [at('1969-12-31T23:59:59.000Z'), 'ttt TTTTTTT', 'Europe/Paris'])).toBe('-001 -0001000');
    // Long formats, which hold a zone name.
    expect(fn('formatDate', [parisSummer, 'PPPP pppp', 'Europe/Paris'])).toBe('Sunday, July 5th, 2026 10:00:00 AM GMT+02:00');
  });

  it('numbers weeks and days of the year on the zone\'s calendar', () => {
    // Saturday 2011-12-31, 12:00 UTC was Sunday 2012-01-01 in Apia.
    expect(fn('formatDate', [at('2011-12-31T12:00:00Z'), "yyyy-MM-dd 'w'w 'I'I DDD Y R", 'UTC'])).toBe('2011-12-31 w53 I52 365 2011 2011');
    expect(fn('formatDate', [at('2011-12-31T12:00:00Z'), "yyyy-MM-dd 'w'w 'I'I DDD Y R", 'Pacific/Apia'])).toBe('2012-01-01 w1 I52 001 2012 2011');
    expect(fn('formatDate', [at('2026-03-29T01:30:00Z'), "HH:mm 'w'w 'I'I DDD", 'Europe/Paris'])).toBe('03:30 w14 I13 088');
  });

  it('refuses a date whose time in the zone is past the dates that can be represented', () => {
    expect(fn('formatDate', [new Date(8.64e15), 'yyyy-MM-dd', 'America/New_York'])).toBe('275760-09-12');
    expect(failure(() => fn('formatDate', [new Date(8.64e15), 'yyyy-MM-dd', 'Europe/Paris']))).toBe(
      'formatDate: the date cannot be written in Europe/Paris: its time there is outside the dates that can be represented',
    );
    expect(failure(() => fn('formatDate', [new Date(Number.NaN), 'yyyy', 'UTC']))).toBe('formatDate: the date is not a valid date');
  });
});

/**
 * Results that depended on the server's own time zone with date-fns' TZDate (date-fns/tz issue
 * #40), each with the server zones of the test below where it went wrong. The expectations are worked out from the
 * zones' rules alone, so they hold on every server; the test moves the process to each zone in turn
 * (Node applies a change of TZ at once, as in dates.test.ts) and checks that it did, so it cannot
 * silently pass on a UTC machine.
 */
const SERVER_INDEPENDENT: { call: string; args: Value[]; expected: string | number; wrongOn: string }[] = [
  // Oct 25, 02:30 in Paris occurs twice: the first, +02:00.
  { call: 'addDays', args: [at('2026-10-24T00:30:00Z'), 1, 'Europe/Paris'], expected: '2026-10-25T00:30:00.000Z', wrongOn: 'UTC, America/New_York, America/Santiago, America/Havana' },
  { call: 'addDays', args: [at('2010-11-01T01:54:00Z'), -1, 'Europe/Paris'], expected: '2010-10-31T00:54:00.000Z', wrongOn: 'UTC, America/New_York, Pacific/Apia, America/Santiago, America/Havana' },
  // Apr 6, 01:45 on Lord Howe occurs twice: the first, +11:00.
  { call: 'addMonths', args: [at('2025-03-05T14:45:00Z'), 1, 'Australia/Lord_Howe'], expected: '2025-04-05T14:45:00.000Z', wrongOn: 'all but Australia/Lord_Howe and Pacific/Apia' },
  // In UTC, a wall-clock time that Lord Howe skipped (2025-10-05 02:00-02:30).
  { call: 'addMonths', args: [at('2025-09-05T02:15:00Z'), 1, 'UTC'], expected: '2025-10-05T02:15:00.000Z', wrongOn: 'Australia/Lord_Howe' },
  { call: 'addDays', args: [at('2025-10-04T02:15:00Z'), 1, 'UTC'], expected: '2025-10-05T02:15:00.000Z', wrongOn: 'Australia/Lord_Howe' },
  { call: 'addYears', args: [at('2024-10-05T02:15:00Z'), 1, 'UTC'], expected: '2025-10-05T02:15:00.000Z', wrongOn: 'Australia/Lord_Howe' },
  // In UTC and Paris, 30 December 2011, a day Apia skipped.
  { call: 'addMonths', args: [at('2011-11-30T10:00:00Z'), 1, 'UTC'], expected: '2011-12-30T10:00:00.000Z', wrongOn: 'Pacific/Apia' },
  { call: 'addMonths', args: [at('2011-11-30T10:00:00Z'), 1, 'Europe/Paris'], expected: '2011-12-30T10:00:00.000Z', wrongOn: 'Pacific/Apia' },
  { call: 'addDays', args: [at('2011-12-29T11:00:00Z'), 1, 'UTC'], expected: '2011-12-30T11:00:00.000Z', wrongOn: 'Pacific/Apia' },
  { call: 'startOfDay', args: [at('2011-12-30T12:00:00Z'), 'UTC'], expected: '2011-12-30T00:00:00.000Z', wrongOn: 'Pacific/Apia' },
  { call: 'diffDays', args: [at('2011-11-19T23:19:00Z'), at('2011-12-30T04:19:00Z'), 'UTC'], expected: 40, wrongOn: 'Pacific/Apia' },
  { call: 'formatDate', args: [at('2011-12-30T12:00:00Z'), "yyyy-MM-dd DDD 'w'w", 'UTC'], expected: '2011-12-30 364 w53', wrongOn: 'Pacific/Apia' },
  // Midnights that the server's zone skipped (Santiago 2010-04-04 fell back at midnight; Havana 2012-04-01 sprang forward at midnight).
  { call: 'startOfDay', args: [at('2010-04-03T14:05:00Z'), 'Australia/Lord_Howe'], expected: '2010-04-03T13:00:00.000Z', wrongOn: 'America/Santiago' },
  { call: 'startOfMonth', args: [at('2012-04-01T12:00:00Z'), 'America/New_York'], expected: '2012-04-01T04:00:00.000Z', wrongOn: 'America/Havana' },
  // Unchanged cases, for good measure: the time of day kept across a change.
  { call: 'addDays', args: [PARIS_SAT_10H, 1, 'Europe/Paris'], expected: '2025-03-30T08:00:00.000Z', wrongOn: 'none' },
  { call: 'formatDate', args: [at('2026-10-25T01:30:00Z'), 'yyyy-MM-dd HH:mm xxx', 'Europe/Paris'], expected: '2026-10-25 02:30 +01:00', wrongOn: 'none' },
];

describe('on a server in any time zone', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  const MACHINE_ZONES = ['UTC', 'Europe/Paris', 'America/New_York', 'Pacific/Apia', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'America/Santiago', 'America/Havana'];
  for (const machineZone of MACHINE_ZONES) {
    it(`gives the same results on a server in ${machineZone}`, () => {
      vi.stubEnv('TZ', machineZone);
      const probe = new Date('2026-01-05T08:00:00Z');
      expect(probe.getTimezoneOffset() + tzOffset(machineZone, probe), 'the process is in the zone').toBe(0);
      // One line a case, so that a failure shows which calls went wrong.
      const line = (name: string, args: Value[], result: unknown) => `${name}(${args.map((a) => JSON.stringify(iso(a))).join(', ')}) = ${JSON.stringify(result)}`;
      const results = SERVER_INDEPENDENT.map(({ call: name, args }) => line(name, args, iso(fn(name, args))));
      expect(results).toEqual(SERVER_INDEPENDENT.map(({ call: name, args, expected }) => line(name, args, expected)));
    });
  }
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
