import { addHours, addMinutes, addSeconds, differenceInHours, differenceInMinutes, differenceInSeconds, format } from 'date-fns';
import { constructFromSymbol } from 'date-fns/constants';
import { EvaluationError, type Value, describeValue } from './expression.ts';
import type { FunctionContext, FunctionParam, FunctionSpec } from './functions.ts';
import { T, type Type } from './types.ts';
import { DAY, addDaysToWall, addMonthsToWall, instantOfWall, offsetAt, startOfWallDay, wallOf, wallOfDate } from './zonedTime.ts';

/**
 * Dates in expressions: moving a date by calendar units, the start of its day, week or month, the
 * time between two dates, and formatting with Unicode (LDML) patterns. Calendar work happens in an
 * IANA time zone: the one given as the last argument, else the workflow's (its settings), else the
 * instance's, else UTC (see `FunctionContext.timeZone`).
 *
 * Seconds, minutes and hours are exact durations (`addHours(now, 24)` is 24 hours later even across
 * a clock change); days and longer units follow the calendar of the zone (`addDays(now, 1)` keeps
 * the time of day, so it may be 23 or 25 hours later).
 *
 * Nothing here reads the machine's own time zone: the same call gives the same instant on a server
 * in UTC, Paris or Apia. The calendar work is done on the zone's wall clock (zonedTime.ts, shared with
 * recurring schedules), never with date-fns' `TZDate`, whose results depend on the machine's zone
 * (date-fns/tz issue #40: `addDays` from Paris 2026-10-24 02:30 gave 2026-10-25 02:30 +01:00 on a
 * UTC server and +02:00 on a Paris server). A result whose wall-clock time does not exist (in the
 * hour skipped when clocks go forward) is the first valid time after the gap (addDays from 02:30
 * the day before Paris springs forward is 03:00); one that occurs twice (when clocks go back) is its
 * first occurrence. A calendar unit added zero times gives the date back unchanged. formatDate runs
 * date-fns `format` on a date whose local fields are the zone's wall clock (`WallClockDate`).
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

/** A plain Date within the range dates can hold. */
function dateResult(fn: string, ms: number): Date {
  if (!Number.isFinite(ms) || Math.abs(ms) > MAX_DATE_MS) {
    throw new EvaluationError(`${fn}: the result is outside the dates that can be represented (years -271821 to 275760)`);
  }
  return new Date(ms);
}

// ---- the calendar of a zone -------------------------------------------------------------------

/**
 * The instant of a date moved on the zone's wall clock: `move` takes and returns a wall clock
 * (zonedTime.ts); a wall-clock time in a gap is the first valid time after it, a repeated one its
 * first occurrence.
 */
function onWallClock(date: Date, zone: string, move: (wall: number) => number): number {
  return instantOfWall(zone, move(wallOf(zone, date.getTime())));
}

/** Midnight starting the week (Monday, ISO) of a wall clock. */
function startOfWallWeek(wall: number): number {
  const weekday = new Date(wall).getUTCDay(); // 0 is Sunday
  return addDaysToWall(startOfWallDay(wall), -((weekday + 6) % 7));
}

/** Midnight starting the month of a wall clock. */
function startOfWallMonth(wall: number): number {
  const date = new Date(wall);
  return wallOfDate(date.getUTCFullYear(), date.getUTCMonth(), 1);
}

const sign = (n: number) => (n > 0 ? 1 : n < 0 ? -1 : 0);

/** Whole days from one wall clock to another, truncated towards zero (10:00 to 09:00 two days later is 1). */
function wallDays(from: number, to: number): number {
  return Math.trunc((to - from) / DAY);
}

/** Calendar months from one wall clock to another, ignoring the day and the time. */
function calendarMonths(from: number, to: number): number {
  const a = new Date(from);
  const b = new Date(to);
  return (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + b.getUTCMonth() - a.getUTCMonth();
}

/**
 * Whole months from one wall clock to another, truncated towards zero: the most months that can be
 * added to `from` (as addMonths adds them, the day clamped to the month's last) without passing
 * `to`. Jan 31 to Feb 28 is 1 month (addMonths(Jan 31, 1) is Feb 28); Mar 31 to Feb 28 is -1.
 */
function wallMonths(from: number, to: number): number {
  const direction = sign(to - from);
  let months = calendarMonths(from, to);
  if (direction * (addMonthsToWall(from, months) - to) > 0) months -= direction;
  return months;
}

/**
 * Whole years from one wall clock to another, truncated towards zero, counted as birthdays are:
 * the month, day and time of `to` must have reached those of `from` (Feb 29, 2000 to Feb 28, 2025
 * is 24 years; to Mar 1, 2025 is 25).
 */
function wallYears(from: number, to: number): number {
  const direction = sign(to - from);
  const a = new Date(from);
  const b = new Date(to);
  // Where each falls in a leap year, so that Feb 29 comes after Feb 28 and before Mar 1.
  const inYear = (d: Date, wall: number) => wallOfDate(2000, d.getUTCMonth(), d.getUTCDate()) + (wall - startOfWallDay(wall));
  const years = b.getUTCFullYear() - a.getUTCFullYear();
  return direction * (inYear(b, to) - inYear(a, from)) < 0 ? years - direction : years;
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

/**
 * A Date whose local fields (the ones date-fns `format` reads and, for week numbers and the day of
 * the year, writes) are the wall clock of a zone: its time value is the wall clock (zonedTime.ts)
 * and every local getter and setter uses the UTC one, so the machine's zone is never consulted. Its
 * offset is the zone's at the instant being formatted, for the offset tokens (x, X, O, z). Its time
 * value is not that instant: `formatWall` writes the timestamp tokens (t, T) itself. Never returned
 * from a function.
 *
 * Not a `TZDate`, even here: date-fns works out week numbers and the day of the year (w, I, Y, R,
 * D) with setters, which `TZDate` resolves through the machine's zone (formatDate of 2011-12-30
 * 12:00 UTC with "DDD" in UTC gave 365 instead of 364 on a server in Pacific/Apia).
 */
class WallClockDate extends Date {
  readonly offsetMinutes: number;

  constructor(wall: number, offsetMinutes: number) {
    super(wall);
    this.offsetMinutes = offsetMinutes;
  }

  /** What date-fns uses to copy a date (`constructFrom`): copies are wall clocks too. */
  [constructFromSymbol](value: Date | number | string): WallClockDate {
    return new WallClockDate(new Date(value).getTime(), this.offsetMinutes);
  }

  override getTimezoneOffset(): number {
    return this.offsetMinutes;
  }

  override getFullYear(): number {
    return this.getUTCFullYear();
  }
  override getMonth(): number {
    return this.getUTCMonth();
  }
  override getDate(): number {
    return this.getUTCDate();
  }
  override getDay(): number {
    return this.getUTCDay();
  }
  override getHours(): number {
    return this.getUTCHours();
  }
  override getMinutes(): number {
    return this.getUTCMinutes();
  }
  override getSeconds(): number {
    return this.getUTCSeconds();
  }
  override getMilliseconds(): number {
    return this.getUTCMilliseconds();
  }
  override setFullYear(...args: [year: number, month?: number, date?: number]): number {
    return Date.prototype.setUTCFullYear.apply(this, args);
  }
  override setMonth(...args: [month: number, date?: number]): number {
    return Date.prototype.setUTCMonth.apply(this, args);
  }
  override setDate(date: number): number {
    return this.setUTCDate(date);
  }
  override setHours(...args: [hours: number, min?: number, sec?: number, ms?: number]): number {
    return Date.prototype.setUTCHours.apply(this, args);
  }
  override setMinutes(...args: [min: number, sec?: number, ms?: number]): number {
    return Date.prototype.setUTCMinutes.apply(this, args);
  }
  override setSeconds(...args: [sec: number, ms?: number]): number {
    return Date.prototype.setUTCSeconds.apply(this, args);
  }
  override setMilliseconds(ms: number): number {
    return this.setUTCMilliseconds(ms);
  }
}

/** A number as date-fns writes timestamps: zero-padded to the token's length, the sign before. */
const padded = (n: number, length: number) => `${n < 0 ? '-' : ''}${String(Math.abs(n)).padStart(length, '0')}`;

/**
 * date-fns `format` on the wall clock of the zone. The timestamp tokens (t: seconds, T:
 * milliseconds since 1970) are written here because the wall clock's time value is not the instant:
 * the pattern is cut into tokens as date-fns cuts it (PATTERN_TOKENS; the long formats it expands
 * first, P and p, contain no t or T) and each is replaced by its digits, which date-fns copies as
 * they are (digits and "-" are not pattern letters; quoted text could merge with a quote before it).
 */
function formatWall(instant: number, pattern: string, zone: string): string {
  const offset = offsetAt(zone, instant);
  // Minutes, the seconds of old local mean times dropped, as Date#getTimezoneOffset (never -0).
  const date = new WallClockDate(instant + offset, Math.trunc(-offset / 60_000) || 0);
  const withTimestamps = (pattern.match(PATTERN_TOKENS) ?? [])
    .map((token) => {
      if (/^t+$/.test(token)) return padded(Math.trunc(instant / 1000), token.length);
      if (/^T+$/.test(token)) return padded(instant, token.length);
      return token;
    })
    .join('');
  return format(date, withTimestamps, FORMAT_OPTIONS);
}

function formatIn(fn: string, date: Date, pattern: string, zone: string): string {
  const problem = patternProblem(pattern);
  if (problem) throw new EvaluationError(`${fn}: ${problem}`);
  const instant = date.getTime();
  if (!Number.isFinite(instant)) throw new EvaluationError(`${fn}: the date is not a valid date`);
  // A date at the very end of the range may have a wall clock past it.
  if (Math.abs(wallOf(zone, instant)) > MAX_DATE_MS) {
    throw new EvaluationError(`${fn}: the date cannot be written in ${zone}: its time there is outside the dates that can be represented`);
  }
  try {
    return formatWall(instant, pattern, zone);
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

type Shift = (date: Date, amount: number) => Date;

/** addSeconds, addMinutes, addHours: exact durations, the same in every zone. */
function exactShift(name: string, unit: string, shift: Shift, description: string): FunctionSpec {
  return {
    name,
    description,
    params: [DATE(), AMOUNT(unit)],
    returns: T.date,
    call: ([date, amount]) => dateResult(name, shift(dateArg(name, 'date', date), amountArg(name, unit, amount)).getTime()),
  };
}

/** A move on a wall clock (zonedTime.ts): the wall clock and the amount in, the moved wall clock out. */
type WallShift = (wall: number, amount: number) => number;

/** addDays, addWeeks, addMonths, addYears: on the calendar of a zone, keeping the time of day. */
function calendarShift(name: string, unit: string, shift: WallShift, description: string): FunctionSpec {
  return {
    name,
    description,
    params: [DATE(), AMOUNT(unit), ZONE],
    returns: T.date,
    call: ([date, amount, zone], ctx) => {
      const start = dateArg(name, 'date', date);
      const n = amountArg(name, unit, amount);
      const inZone = zoneOf(name, zone, ctx);
      // Zero units: the date itself (not the first occurrence of its wall-clock time).
      return dateResult(name, n === 0 ? start.getTime() : onWallClock(start, inZone, (wall) => shift(wall, n)));
    },
  };
}

function startOf(name: string, start: (wall: number) => number, description: string): FunctionSpec {
  return {
    name,
    description,
    params: [DATE(), ZONE],
    returns: T.date,
    call: ([date, zone], ctx) => {
      const of = dateArg(name, 'date', date);
      return dateResult(name, onWallClock(of, zoneOf(name, zone, ctx), start));
    },
  };
}

/**
 * Whole units from `from` to `to` (negative when `to` is earlier), truncated towards zero. Seconds,
 * minutes and hours count exact time; days and longer count on the calendar of a zone (from 10:00
 * one day to 10:00 the next is one day, even when a clock change made it 23 hours).
 */
function exactDifference(name: string, difference: (later: Date, earlier: Date) => number, description: string): FunctionSpec {
  return {
    name,
    description,
    params: [DATE('from'), DATE('to')],
    returns: T.number,
    call: ([from, to]) => {
      const later = dateArg(name, 'second date', to);
      const earlier = dateArg(name, 'first date', from);
      // `|| 0`: never -0, which would read as "-0" in text.
      return difference(later, earlier) || 0;
    },
  };
}

/** The calendar side of `exactDifference`: `count` takes the two wall clocks of the zone. */
function calendarDifference(name: string, count: (fromWall: number, toWall: number) => number, description: string): FunctionSpec {
  return {
    name,
    description,
    params: [DATE('from'), DATE('to'), ZONE],
    returns: T.number,
    call: ([from, to, zone], ctx) => {
      const later = dateArg(name, 'second date', to);
      const earlier = dateArg(name, 'first date', from);
      const inZone = zoneOf(name, zone, ctx);
      // `|| 0`: never -0, which would read as "-0" in text (nor NaN, for a date that is not valid).
      return count(wallOf(inZone, earlier.getTime()), wallOf(inZone, later.getTime())) || 0;
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
    (wall, days) => addDaysToWall(wall, days),
    `Adds days on the calendar, keeping the time of day (negative: subtracts): addDays(now, 7). ${IN_ZONE}`,
  ),
  calendarShift('addWeeks', 'weeks', (wall, weeks) => addDaysToWall(wall, 7 * weeks), `Adds weeks on the calendar, keeping the time of day: addWeeks(now, 2). ${IN_ZONE}`),
  calendarShift(
    'addMonths',
    'months',
    (wall, months) => addMonthsToWall(wall, months),
    `Adds months; past the end of a shorter month, its last day (Jan 31 + 1 month is Feb 28 or 29): addMonths(now, 1). ${IN_ZONE}`,
  ),
  calendarShift('addYears', 'years', (wall, years) => addMonthsToWall(wall, 12 * years), `Adds years (Feb 29 + 1 year is Feb 28): addYears(now, -1). ${IN_ZONE}`),
  startOf('startOfDay', startOfWallDay, `Midnight at the start of the date's day: startOfDay(now). ${IN_ZONE}`),
  startOf(
    'startOfWeek',
    startOfWallWeek,
    `Monday midnight at the start of the date's week: startOfWeek(now). ${IN_ZONE}`,
  ),
  startOf('startOfMonth', startOfWallMonth, `Midnight on the first day of the date's month: startOfMonth(now). ${IN_ZONE}`),
  exactDifference('diffSeconds', (later, earlier) => differenceInSeconds(later, earlier), 'Whole seconds from the first date to the second (negative when the second is earlier): diffSeconds(steps.start.at, now).'),
  exactDifference('diffMinutes', (later, earlier) => differenceInMinutes(later, earlier), 'Whole minutes from the first date to the second (negative when the second is earlier): diffMinutes(order.created, now).'),
  exactDifference('diffHours', (later, earlier) => differenceInHours(later, earlier), 'Whole hours from the first date to the second (negative when the second is earlier): diffHours(order.created, now).'),
  calendarDifference(
    'diffDays',
    wallDays,
    `Whole days on the calendar from the first date to the second (negative when the second is earlier): diffDays(order.created, now). ${IN_ZONE}`,
  ),
  calendarDifference('diffWeeks', (from, to) => Math.trunc(wallDays(from, to) / 7), `Whole weeks from the first date to the second: diffWeeks(order.created, now). ${IN_ZONE}`),
  calendarDifference('diffMonths', wallMonths, `Whole months from the first date to the second: diffMonths(customer.since, now). ${IN_ZONE}`),
  calendarDifference('diffYears', wallYears, `Whole years from the first date to the second: diffYears(customer.birthday, now). ${IN_ZONE}`),
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
