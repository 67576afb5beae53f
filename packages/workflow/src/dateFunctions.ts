import { tz } from '@date-fns/tz';
import {
  addDays,
  addHours,
  addMinutes,
  addMonths,
  addSeconds,
  addWeeks,
  addYears,
  differenceInDays,
  differenceInHours,
  differenceInMinutes,
  differenceInMonths,
  differenceInSeconds,
  differenceInWeeks,
  differenceInYears,
  format,
  startOfDay,
  startOfMonth,
  startOfWeek,
} from 'date-fns';
import { EvaluationError, type Value, describeValue } from './expression.ts';
import type { FunctionContext, FunctionParam, FunctionSpec } from './functions.ts';
import { T, type Type } from './types.ts';

/**
 * Dates in expressions: moving a date by calendar units, the start of its day, week or month, the
 * time between two dates, and formatting with Unicode (LDML) patterns. Calendar work happens in an
 * IANA time zone: the one given as the last argument, else the workflow's (its settings), else the
 * instance's, else UTC (see `FunctionContext.timeZone`). date-fns with @date-fns/tz does the
 * calendar arithmetic; nothing here reads the machine's own time zone.
 *
 * Seconds, minutes and hours are exact durations (`addHours(now, 24)` is 24 hours later even across
 * a clock change); days and longer units follow the calendar of the zone (`addDays(now, 1)` keeps
 * the time of day, so it may be 23 or 25 hours later).
 */

/** Largest amount, in its own unit, a date function accepts (further is a builder mistake, not a plan). */
export const MAX_DATE_AMOUNT = 1_000_000;
/** Longest formatDate pattern, in characters. */
export const MAX_DATE_PATTERN_CHARS = 200;
/** The largest distance from 1970 a JavaScript date can hold, in milliseconds. */
const MAX_DATE_MS = 8.64e15;

/** IANA names (Europe/Paris, America/New_York, UTC, Etc/GMT+5); not offsets like "+01:00". */
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+\-/]*$/;
const zoneCache = new Map<string, string | null>();

/**
 * The canonical spelling of an IANA time zone ("europe/paris" -> "Europe/Paris"), or null when the
 * platform does not know it. Names only: offsets such as "+01:00" are refused, because a fixed
 * offset has no daylight-saving rules and is not what a builder means by a place's time.
 */
export function canonicalTimeZone(zone: unknown): string | null {
  if (typeof zone !== 'string' || zone.length === 0 || zone.length > 64 || !ZONE_NAME.test(zone)) return null;
  const cached = zoneCache.get(zone);
  if (cached !== undefined) return cached;
  let canonical: string | null;
  try {
    canonical = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    canonical = null;
  }
  // Zones come from builders' data too: the cache stays small whatever they send.
  if (zoneCache.size >= 1000) zoneCache.clear();
  zoneCache.set(zone, canonical);
  return canonical;
}

/** Whether `zone` is an IANA time zone this platform knows ("UTC" and "Etc/UTC" included). */
export function isValidTimeZone(zone: unknown): zone is string {
  return canonicalTimeZone(zone) !== null;
}

const unknownZone = (zone: string) =>
  `Unknown time zone ${JSON.stringify(zone.length > 40 ? `${zone.slice(0, 40)}…` : zone)}: use an IANA name such as "Europe/Paris", "America/New_York" or "UTC"`;

/** The zone a call works in: its argument, or the context's (the workflow's) when it has none. */
function zoneOf(fn: string, arg: Value | undefined, ctx: FunctionContext): string {
  if (arg !== undefined && arg !== null && typeof arg !== 'string') {
    throw new EvaluationError(`${fn}: the time zone is ${describeValue(arg)}; text is needed, e.g. "Europe/Paris"`);
  }
  // Empty (or empty text) means the default, so an optional field can be passed straight on.
  const zone = arg === undefined || arg === null || arg === '' ? (ctx.timeZone ?? 'UTC') : arg;
  const canonical = canonicalTimeZone(zone);
  if (canonical === null) throw new EvaluationError(`${fn}: ${unknownZone(zone)}`);
  return canonical;
}

function dateArg(fn: string, what: string, value: Value | undefined): Date {
  if (value instanceof Date) return value;
  throw new EvaluationError(`${fn}: the ${what} is ${describeValue(value ?? null)}; a date is needed`);
}

function amountArg(fn: string, unit: string, value: Value | undefined): number {
  if (typeof value !== 'number') throw new EvaluationError(`${fn}: the number of ${unit} is ${describeValue(value ?? null)}; a number is needed`);
  if (!Number.isInteger(value)) throw new EvaluationError(`${fn}: the number of ${unit} must be a whole number, got ${value}`);
  if (Math.abs(value) > MAX_DATE_AMOUNT) {
    throw new EvaluationError(`${fn}: the number of ${unit} must be between -${MAX_DATE_AMOUNT.toLocaleString('en')} and ${MAX_DATE_AMOUNT.toLocaleString('en')}, got ${value}`);
  }
  return value;
}

/** A plain Date (never a TZDate, whose text form differs) within the range dates can hold. */
function dateResult(fn: string, result: Date): Date {
  const ms = result.getTime();
  if (!Number.isFinite(ms) || Math.abs(ms) > MAX_DATE_MS) {
    throw new EvaluationError(`${fn}: the result is outside the dates that can be represented (years -271821 to 275760)`);
  }
  return new Date(ms);
}

// ---- formatting -----------------------------------------------------------------------------

/** The tokens of an LDML pattern as date-fns reads them: a letter run, a quoted text, or one character. */
const PATTERN_TOKENS = /[yYQqMLwIdDecihHKkms]o|(\w)\1*|''|'(''|[^'])+('|$)|./g;

/**
 * Tokens date-fns refuses unless told otherwise, because they are nearly always a mistake: the
 * week-numbering year and the day of the year instead of the calendar year and the day of the month.
 */
const MISTAKEN_TOKENS: Record<string, string> = {
  YY: 'use "yy" for the year ("YY" is the week-numbering year)',
  YYYY: 'use "yyyy" for the year ("YYYY" is the week-numbering year)',
  D: 'use "d" for the day of the month ("D" is the day of the year)',
  DD: 'use "dd" for the day of the month ("DD" is the day of the year)',
};

const showPattern = (pattern: string) => JSON.stringify(pattern.length > 40 ? `${pattern.slice(0, 40)}…` : pattern);

/** Why a formatDate pattern cannot be used, or undefined when it can. */
function patternProblem(pattern: string): string | undefined {
  if (pattern.length === 0) return 'The pattern is empty: write one such as "yyyy-MM-dd HH:mm"';
  if (pattern.length > MAX_DATE_PATTERN_CHARS) return `The pattern is longer than ${MAX_DATE_PATTERN_CHARS} characters`;
  for (const token of pattern.match(PATTERN_TOKENS) ?? []) {
    const hint = MISTAKEN_TOKENS[token];
    if (hint) return `In the pattern ${showPattern(pattern)}, ${hint}`;
  }
  return undefined;
}

/** date-fns options: the tokens above are refused by patternProblem, so date-fns never warns on the console. */
const FORMAT_OPTIONS = { useAdditionalWeekYearTokens: true, useAdditionalDayOfYearTokens: true } as const;

function formatIn(fn: string, date: Date, pattern: string, zone: string): string {
  const problem = patternProblem(pattern);
  if (problem) throw new EvaluationError(`${fn}: ${problem}`);
  try {
    return format(date, pattern, { ...FORMAT_OPTIONS, in: tz(zone) });
  } catch (error) {
    if (error instanceof RangeError) {
      const letter = /character `(.)`/.exec(error.message)?.[1];
      const why = letter
        ? `"${letter}" is not a part of a date; put other text in single quotes, e.g. "dd MMM 'at' HH:mm"`
        : error.message;
      throw new EvaluationError(`${fn}: the pattern ${showPattern(pattern)} cannot be used: ${why}`);
    }
    throw error;
  }
}

/** The compile-time check of a literal pattern: also tries it, so an unknown letter is reported before any run. */
function checkPatternLiteral(value: Value): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    formatIn('formatDate', new Date(0), value, 'UTC');
    return undefined;
  } catch (error) {
    if (error instanceof EvaluationError) return error.message.replace(/^formatDate: /, '');
    throw error;
  }
}

function checkZoneLiteral(value: Value): string | undefined {
  return typeof value === 'string' && !isValidTimeZone(value) ? unknownZone(value) : undefined;
}

// ---- the table ------------------------------------------------------------------------------

/** Text or empty: empty (or "") means the default zone, so an optional field can be passed straight on. */
const ZONE_TYPE: Type = { kind: 'text', nullable: true };
const ZONE: FunctionParam = { name: 'timeZone', type: ZONE_TYPE, optional: true, checkLiteral: checkZoneLiteral };
const DATE = (name = 'date'): FunctionParam => ({ name, type: T.date });
const AMOUNT = (name: string): FunctionParam => ({ name, type: T.number });

type Shift = (date: Date, amount: number, options?: { in?: ReturnType<typeof tz> }) => Date;

/** addSeconds, addMinutes, addHours: exact durations, the same in every zone. */
function exactShift(name: string, unit: string, shift: Shift, description: string): FunctionSpec {
  return {
    name,
    description,
    params: [DATE(), AMOUNT(unit)],
    returns: T.date,
    call: ([date, amount]) => dateResult(name, shift(dateArg(name, 'date', date), amountArg(name, unit, amount))),
  };
}

/** addDays, addWeeks, addMonths, addYears: on the calendar of a zone, keeping the time of day. */
function calendarShift(name: string, unit: string, shift: Shift, description: string): FunctionSpec {
  return {
    name,
    description,
    params: [DATE(), AMOUNT(unit), ZONE],
    returns: T.date,
    call: ([date, amount, zone], ctx) =>
      dateResult(name, shift(dateArg(name, 'date', date), amountArg(name, unit, amount), { in: tz(zoneOf(name, zone, ctx)) })),
  };
}

function startOf(name: string, start: (date: Date, zone: string) => Date, description: string): FunctionSpec {
  return {
    name,
    description,
    params: [DATE(), ZONE],
    returns: T.date,
    call: ([date, zone], ctx) => dateResult(name, start(dateArg(name, 'date', date), zoneOf(name, zone, ctx))),
  };
}

type Difference = (later: Date, earlier: Date, options?: { in: ReturnType<typeof tz> }) => number;

/**
 * Whole units from `from` to `to` (negative when `to` is earlier), truncated towards zero. Seconds,
 * minutes and hours count exact time; days and longer count on the calendar of a zone (from 10:00
 * one day to 10:00 the next is one day, even when a clock change made it 23 hours).
 */
function difference(name: string, difference: Difference, description: string, calendar: boolean): FunctionSpec {
  return {
    name,
    description,
    params: calendar ? [DATE('from'), DATE('to'), ZONE] : [DATE('from'), DATE('to')],
    returns: T.number,
    call: ([from, to, zone], ctx) => {
      const later = dateArg(name, 'second date', to);
      const earlier = dateArg(name, 'first date', from);
      // `|| 0`: never -0, which would read as "-0" in text.
      return (calendar ? difference(later, earlier, { in: tz(zoneOf(name, zone, ctx)) }) : difference(later, earlier)) || 0;
    },
  };
}

const IN_ZONE = 'A time zone may be given last, e.g. "America/New_York" (default: the workflow\'s).';

export const DATE_FUNCTIONS: FunctionSpec[] = [
  exactShift('addSeconds', 'seconds', addSeconds, 'Adds seconds to a date (negative: subtracts): addSeconds(now, 30).'),
  exactShift('addMinutes', 'minutes', addMinutes, 'Adds minutes to a date (negative: subtracts): addMinutes(now, -15).'),
  exactShift(
    'addHours',
    'hours',
    addHours,
    'Adds exact hours to a date (negative: subtracts): addHours(now, 24) is 24 hours later even across a clock change; addDays keeps the time of day.',
  ),
  calendarShift(
    'addDays',
    'days',
    addDays,
    `Adds days on the calendar, keeping the time of day (negative: subtracts): addDays(now, 7). ${IN_ZONE}`,
  ),
  calendarShift('addWeeks', 'weeks', addWeeks, `Adds weeks on the calendar, keeping the time of day: addWeeks(now, 2). ${IN_ZONE}`),
  calendarShift(
    'addMonths',
    'months',
    addMonths,
    `Adds months; past the end of a shorter month, its last day (Jan 31 + 1 month is Feb 28 or 29): addMonths(now, 1). ${IN_ZONE}`,
  ),
  calendarShift('addYears', 'years', addYears, `Adds years (Feb 29 + 1 year is Feb 28): addYears(now, -1). ${IN_ZONE}`),
  startOf('startOfDay', (date, zone) => startOfDay(date, { in: tz(zone) }), `Midnight at the start of the date's day: startOfDay(now). ${IN_ZONE}`),
  startOf(
    'startOfWeek',
    (date, zone) => startOfWeek(date, { weekStartsOn: 1, in: tz(zone) }),
    `Monday midnight at the start of the date's week: startOfWeek(now). ${IN_ZONE}`,
  ),
  startOf('startOfMonth', (date, zone) => startOfMonth(date, { in: tz(zone) }), `Midnight on the first day of the date's month: startOfMonth(now). ${IN_ZONE}`),
  difference('diffSeconds', (later, earlier) => differenceInSeconds(later, earlier), 'Whole seconds from the first date to the second (negative when the second is earlier): diffSeconds(steps.start.at, now).', false),
  difference('diffMinutes', (later, earlier) => differenceInMinutes(later, earlier), 'Whole minutes from the first date to the second (negative when the second is earlier): diffMinutes(order.created, now).', false),
  difference('diffHours', (later, earlier) => differenceInHours(later, earlier), 'Whole hours from the first date to the second (negative when the second is earlier): diffHours(order.created, now).', false),
  difference(
    'diffDays',
    differenceInDays,
    `Whole days on the calendar from the first date to the second (negative when the second is earlier): diffDays(order.created, now). ${IN_ZONE}`,
    true,
  ),
  difference('diffWeeks', differenceInWeeks, `Whole weeks from the first date to the second: diffWeeks(order.created, now). ${IN_ZONE}`, true),
  difference('diffMonths', differenceInMonths, `Whole months from the first date to the second: diffMonths(customer.since, now). ${IN_ZONE}`, true),
  difference('diffYears', differenceInYears, `Whole years from the first date to the second: diffYears(customer.birthday, now). ${IN_ZONE}`, true),
  {
    name: 'formatDate',
    description: `Writes a date as text with a pattern: formatDate(now, "yyyy-MM-dd HH:mm") -> "2025-03-30 10:00". yyyy year, MM month, MMM Mar, dd day, EEE Mon, HH:mm:ss time, a AM/PM, xxx offset; text in single quotes. ${IN_ZONE}`,
    params: [DATE(), { name: 'pattern', type: T.text, checkLiteral: checkPatternLiteral }, ZONE],
    returns: T.text,
    call: ([date, pattern, zone], ctx) => {
      if (typeof pattern !== 'string') throw new EvaluationError(`formatDate: the pattern is ${describeValue(pattern ?? null)}; text is needed, e.g. "yyyy-MM-dd"`);
      return formatIn('formatDate', dateArg('formatDate', 'date', date), pattern, zoneOf('formatDate', zone, ctx));
    },
  },
];
