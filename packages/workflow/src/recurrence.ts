import { Cron, CronPattern, type CronOptions } from 'croner';
import { z } from 'zod';
import { isValidTimeZone } from './dateFunctions.ts';
import { DAY, HOUR, MINUTE, addDaysToWall, addMonthsToWall, daysInMonth, instantOfWall, wallOf } from './zonedTime.ts';

// Recurring schedules: the stored spec of a "Recurring" event, its validation with messages for
// the builder, its fire times and its description in words. Pure: no clock is read (every function
// takes the instant it counts from), no local time zone is used (every zone is passed in).
//
// Decisions, pinned by recurrence.test.ts:
//
// - Cron expressions have 6 fields, seconds first (`0 30 9 * * MON-FRI`), or the classic 5 fields,
//   read with seconds 0 (`30 9 * * MON-FRI` is the same schedule). Nicknames (`@daily`, `@hourly`,
//   `@weekly`, `@monthly`, `@yearly`) are accepted; `@reboot` and the 7th (year) field are not.
//   croner does the arithmetic, with its defaults: day of month OR day of week when both are
//   restricted, as in Vixie cron (`+` before the day of week asks for AND), and Sunday is 0 or 7.
// - Daylight saving, cron: croner's rules with `fixedTimeRule: 'no-wildcard'` (Vixie cron's). A job
//   whose second, minute and hour have no `*` and no step (`0 30 2 * * *`, `0 0 9,17 * * *`) is a
//   fixed-time job: a time that does not exist (02:30 on the spring-forward day in Paris) fires at
//   the first valid time after the gap (03:00), and a time that occurs twice fires once, at its
//   first occurrence. Other jobs (`0 0 * * * *`, `0 */15 * * * *`) are interval jobs: they skip
//   times in the gap and fire on both occurrences of a repeated hour (so an hourly job fires 23
//   times on a spring-forward day and 25 times on a fall-back day, once per elapsed hour).
// - Daylight saving, "every N days / weeks / months": calendar arithmetic on the wall clock of the
//   zone, so 09:00 stays 09:00 across changes, and Jan 31 + 1 month is Feb 28 (29), + 2 months is
//   Mar 31 (each fire is counted from the anchor, never from the previous fire). A wall-clock time
//   that does not exist or occurs twice is resolved as croner resolves fixed-time jobs: the first
//   valid time after the gap, the first occurrence. "Every N minutes / hours" is exact elapsed time.
// - The anchor of "every": `startAt`, which is also the first fire (fires at startAt + k x interval,
//   k = 0, 1, 2...). Without one, 2001-01-01 00:00 (a Monday) on the zone's wall clock, and k may be
//   negative: every N minutes fires at :00, :N... from the top of that hour (every 15 minutes: :00,
//   :15, :30, :45), every day at 00:00, every week on Monday at 00:00, every month on the 1st at
//   00:00. For cron, `startAt` is the first instant a fire may happen (inclusive).
// - `startAt` is ISO 8601: `2026-01-05T09:00` (also with seconds, milliseconds, or a date alone,
//   read as 00:00). Without an offset it is the wall clock of the schedule's zone (unlike
//   dates.ts, which reads such a time as UTC): a builder writes the time the schedule starts where
//   it runs. With `Z` or `+01:00` it is that instant. Years 1970 to 9999.
// - `timeZone` null means the instance's zone, passed in by the caller (`defaultZone`). Zones are
//   IANA names (`Europe/Paris`, `UTC`), as the runtime's Intl knows them.
//
// Why the calendar arithmetic is not date-fns' `TZDate`: its results depend on the host's own time
// zone (date-fns/tz issue #40), and fire times must not depend on where the server runs. The wall
// clocks of zones, with the rules above for times in a gap or repeated, are in zonedTime.ts, shared
// with the date functions of expressions. Describing cron expressions needs no library either:
// cronstrue does not read croner's seconds and extensions the same way, and the common shapes are a
// few lines; anything else is shown as the expression itself.

/** The last instant a JavaScript Date can hold. */
const MAX_INSTANT = 8.64e15;
/** The anchor of "every" without a start: 2001-01-01 00:00 (a Monday) on the zone's wall clock. */
const DEFAULT_ANCHOR_WALL = Date.UTC(2001, 0, 1);

/** Bounds of recurring schedules. */
export const RECURRENCE_LIMITS = {
  /** Characters of a cron expression. */
  cronChars: 100,
  /** Largest N of "every N units". */
  every: 10_000,
  /** Most fire times `nextFireTimes` returns. */
  nextFireTimes: 100,
  /** Most fire times `fireTimesBetween` returns. */
  fireTimesBetween: 1_000,
} as const;

/** What happens to fire times missed while the server was down: one run for all of them, or none. */
export const MissedFirePolicy = z.enum(['once', 'skip']);
export type MissedFirePolicy = z.infer<typeof MissedFirePolicy>;

/** The unit of "every N units": minutes and hours are elapsed time, days and longer the calendar. */
export const RecurrenceUnit = z.enum(['minutes', 'hours', 'days', 'weeks', 'months']);
export type RecurrenceUnit = z.infer<typeof RecurrenceUnit>;

// The schemas hold what can be stored (a draft may hold a cron expression still being typed);
// `validateRecurrence` says whether it can run, with a message for the builder.
const recurrenceCommon = {
  /**
   * ISO 8601. For "every", the anchor and first fire; for cron, no fire before it. Without an
   * offset, the wall clock of the schedule's zone. Null: "every" counts from 2001-01-01 00:00.
   */
  startAt: z.string().max(40).nullable().default(null),
  /** IANA time zone (`Europe/Paris`). Null: the instance's zone. */
  timeZone: z.string().max(64).nullable().default(null),
  /** After downtime: "once" runs one run for all missed fire times, "skip" runs none. */
  missed: MissedFirePolicy.default('once'),
};

/** A cron expression: 6 fields with seconds first, or 5 fields (seconds 0), or a nickname. */
export const CronRecurrence = z.object({
  kind: z.literal('cron'),
  cron: z.string().max(RECURRENCE_LIMITS.cronChars),
  ...recurrenceCommon,
});
export type CronRecurrence = z.infer<typeof CronRecurrence>;

/** Every N minutes, hours, days, weeks or months, counted from `startAt`. */
export const EveryRecurrence = z.object({
  kind: z.literal('every'),
  every: z.number().int().min(1).max(RECURRENCE_LIMITS.every),
  unit: RecurrenceUnit,
  ...recurrenceCommon,
});
export type EveryRecurrence = z.infer<typeof EveryRecurrence>;

/** When a "Recurring" event fires: stored in the event node's data and in compiled definitions. */
export const RecurrenceSpec = z.discriminatedUnion('kind', [CronRecurrence, EveryRecurrence]);
export type RecurrenceSpec = z.infer<typeof RecurrenceSpec>;

/** A problem with a spec, pinned to the field the builder has to change. */
export type RecurrenceProblem = { ok: false; field: 'cron' | 'every' | 'startAt' | 'timeZone'; message: string };
export type RecurrenceValidation = { ok: true } | RecurrenceProblem;

/** Thrown by `nextFireTimes` and `fireTimesBetween` for a spec `validateRecurrence` refuses. */
export class RecurrenceError extends Error {
  readonly field: RecurrenceProblem['field'];
  constructor(problem: RecurrenceProblem) {
    super(problem.message);
    this.name = 'RecurrenceError';
    this.field = problem.field;
  }
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `2026-01-05 09:00` (seconds and milliseconds only when there are some). */
function formatWall(wall: number): string {
  const d = new Date(wall);
  const seconds = d.getUTCSeconds() || d.getUTCMilliseconds() ? `:${pad(d.getUTCSeconds())}` : '';
  const millis = d.getUTCMilliseconds() ? `.${pad(d.getUTCMilliseconds(), 3)}` : '';
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}${seconds}${millis}`;
}

// ---------------------------------------------------------------------------------------------
// startAt

const START_AT = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const START_AT_EXAMPLE = 'use a date and time such as 2026-01-05T09:00';

type StartAt = {
  /** The first instant a fire may happen. */
  instant: number;
  /** The wall clock the schedule counts from (as written when written without an offset). */
  wall: number;
};

/** Reads `startAt` in the zone (which must be valid), or says what is wrong with it. */
function readStartAt(text: string, zone: string): StartAt | { error: string } {
  const match = START_AT.exec(text.trim());
  if (!match) return { error: `The start "${text}" is not a date and time: ${START_AT_EXAMPLE}` };
  const [, y, mo, d, h = '0', mi = '0', s = '0', ms = '0', offsetText] = match;
  const year = Number(y);
  const month = Number(mo) - 1;
  const day = Number(d);
  if (year < 1970 || year > 9999) return { error: `The start "${text}" must be between the years 1970 and 9999` };
  if (month < 0 || month > 11 || day < 1 || day > daysInMonth(year, month)) {
    return { error: `The start "${text}" is not a date of the calendar: ${START_AT_EXAMPLE}` };
  }
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) {
    return { error: `The start "${text}" has no such time of day: hours are 00–23, minutes and seconds 00–59` };
  }
  const wall = Date.UTC(year, month, day, Number(h), Number(mi), Number(s), Number(ms.padEnd(3, '0')));
  if (offsetText === undefined) return { wall, instant: instantOfWall(zone, wall) };
  let offset = 0;
  if (offsetText !== 'Z') {
    const digits = offsetText.slice(1).replace(':', '');
    const hours = Number(digits.slice(0, 2));
    const minutes = Number(digits.slice(2));
    if (hours > 23 || minutes > 59) return { error: `The start "${text}" has an offset that does not exist: ${START_AT_EXAMPLE}` };
    offset = (offsetText.startsWith('-') ? -1 : 1) * (hours * HOUR + minutes * MINUTE);
  }
  const instant = wall - offset;
  return { instant, wall: wallOf(zone, instant) };
}

// ---------------------------------------------------------------------------------------------
// Cron expressions

const CRON_OPTIONS = { paused: true, mode: '5-or-6-parts', fixedTimeRule: 'no-wildcard' } as const satisfies CronOptions;
const NICKNAMES = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

type CronField = { name: string; min: number; max: number; values: number; names?: string };
const CRON_FIELDS: readonly CronField[] = [
  { name: 'second', min: 0, max: 59, values: 60 },
  { name: 'minute', min: 0, max: 59, values: 60 },
  { name: 'hour', min: 0, max: 23, values: 24 },
  { name: 'day-of-month', min: 1, max: 31, values: 31 },
  { name: 'month', min: 1, max: 12, values: 12, names: 'JAN–DEC' },
  { name: 'day-of-week', min: 0, max: 7, values: 7, names: 'SUN–SAT; 0 and 7 are Sunday' },
];

/** The expression with its whitespace tidied, as croner is given it. */
function normaliseCron(cron: string): string {
  return cron.trim().split(/\s+/).join(' ');
}

function rangeText(field: CronField): string {
  return `${field.min}–${field.max}${field.names ? ` (or ${field.names})` : ''}`;
}

/** A builder-friendly message for one field croner refuses, or null when croner accepts it. */
function cronFieldProblem(field: CronField, index: number, text: string): string | null {
  // Numbers out of range first: croner reports them shifted by one for days and months.
  const numbers = text
    .replace(/^\+/, '')
    .split(',')
    .flatMap((item) => (item.split('/')[0] ?? '').split('-'))
    .map((bound) => bound.replace(/#.*$/, '').replace(/[LW]$/i, ''))
    .filter((bound) => /^\d+$/.test(bound))
    .map(Number);
  const outside = numbers.find((n) => n < field.min || n > field.max);
  if (outside !== undefined) {
    return String(outside) === text
      ? `The ${field.name} field "${text}" must be ${rangeText(field)}`
      : `The ${field.name} field "${text}" must be within ${rangeText(field)}: ${outside} is not`;
  }
  const probe = ['0', '*', '*', '*', '*', '*'];
  probe[index] = text;
  try {
    new CronPattern(probe.join(' '), undefined, { mode: '6-part' });
    return null;
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).replace(/^CronPattern:\s*/, '').replace(/^Syntax error,\s*/, '');
    if (/illegal stepping|steps cannot be greater/i.test(message)) {
      return `The ${field.name} field "${text}" has a step that is not possible: a step is 1 to ${field.values}`;
    }
    if (/larger than to value/i.test(message)) {
      return `The ${field.name} field "${text}" has a range from high to low: write the lower value first`;
    }
    if (/numeric prefix/i.test(message)) {
      return `The ${field.name} field "${text}" has a step after a single value: write */step or a range such as ${field.min}-${field.max}/step`;
    }
    if (/nth weekday/i.test(message)) {
      return `The ${field.name} field "${text}" must have 1–5 or L after # (the 1st to 5th, or last, such weekday of the month)`;
    }
    if (/illegal characters|stand alone|empty/i.test(message)) {
      const extras = index === 3 ? ', L (last day), W (nearest weekday)' : index === 4 ? ', JAN–DEC' : index === 5 ? ', SUN–SAT, L, # (MON#1: first Monday)' : '';
      return `The ${field.name} field "${text}" is not understood: use numbers ${rangeText(field)}, * (any), ranges (1-5), lists (1,15), steps (*/15)${extras}`;
    }
    return `The ${field.name} field "${text}": ${message}`;
  }
}

/** What is wrong with the syntax of a cron expression, or null. */
function cronSyntaxProblem(cron: string): string | null {
  const text = normaliseCron(cron);
  if (text === '') return 'Enter a cron expression, such as "0 0 3 * * *" (every day at 03:00)';
  if (cron.length > RECURRENCE_LIMITS.cronChars) return `A cron expression has at most ${RECURRENCE_LIMITS.cronChars} characters`;
  if (text.startsWith('@')) {
    return NICKNAMES.has(text.toLowerCase())
      ? null
      : `"${text}" is not a schedule: the nicknames are @hourly, @daily, @weekly, @monthly and @yearly`;
  }
  const parts = text.split(' ');
  if (parts.length !== 5 && parts.length !== 6) {
    return `A cron expression has 6 fields: second, minute, hour, day-of-month, month and day-of-week (or 5, without the second); "${text}" has ${parts.length}`;
  }
  const offset = 6 - parts.length;
  for (const [i, part] of parts.entries()) {
    const problem = cronFieldProblem(CRON_FIELDS[i + offset]!, i + offset, part);
    if (problem) return problem;
  }
  try {
    new CronPattern(text, undefined, { mode: CRON_OPTIONS.mode });
    return null;
  } catch (error) {
    return `The cron expression "${text}" is not valid: ${(error instanceof Error ? error.message : String(error)).replace(/^CronPattern:\s*/, '')}`;
  }
}

function cronJob(cron: string, zone: string): Cron {
  return new Cron(normaliseCron(cron), { ...CRON_OPTIONS, timezone: zone });
}

// ---------------------------------------------------------------------------------------------
// Validation

function zoneOf(spec: RecurrenceSpec, defaultZone: string): string {
  return spec.timeZone ?? defaultZone;
}

function zoneProblem(spec: RecurrenceSpec, defaultZone: string): RecurrenceProblem | null {
  if (spec.timeZone !== null) {
    return isValidTimeZone(spec.timeZone)
      ? null
      : { ok: false, field: 'timeZone', message: `Unknown time zone "${spec.timeZone}": use a name such as Europe/Paris, America/New_York or UTC` };
  }
  return isValidTimeZone(defaultZone)
    ? null
    : { ok: false, field: 'timeZone', message: `The instance's time zone "${defaultZone}" is unknown: choose a time zone for this schedule` };
}

/** Everything but "does it ever fire", which costs a search: what the fire-time functions check. */
function syntaxProblem(spec: RecurrenceSpec, defaultZone: string): RecurrenceProblem | null {
  if (spec.kind === 'cron') {
    const message = cronSyntaxProblem(spec.cron);
    if (message) return { ok: false, field: 'cron', message };
  } else if (!Number.isInteger(spec.every) || spec.every < 1 || spec.every > RECURRENCE_LIMITS.every) {
    return { ok: false, field: 'every', message: `"Every" must be a whole number from 1 to ${RECURRENCE_LIMITS.every.toLocaleString('en-US')}` };
  }
  const zone = zoneProblem(spec, defaultZone);
  if (zone) return zone;
  if (spec.startAt !== null) {
    const start = readStartAt(spec.startAt, zoneOf(spec, defaultZone));
    if ('error' in start) return { ok: false, field: 'startAt', message: start.error };
  }
  return null;
}

/**
 * Whether the spec can run, or the field to change and why: the cron field that is wrong ('The
 * hour field "25" must be 0–23'), a cron expression that never fires, an unknown zone (named),
 * a start that is not a date. `defaultZone` is the instance's zone, used when the spec has none.
 */
export function validateRecurrence(spec: RecurrenceSpec, defaultZone: string): RecurrenceValidation {
  const problem = syntaxProblem(spec, defaultZone);
  if (problem) return problem;
  if (spec.kind === 'cron') {
    const text = normaliseCron(spec.cron);
    // Without a year field a date that matches recurs at least every 28 years; none means never.
    if (cronJob(text, zoneOf(spec, defaultZone)).nextRun(new Date(Date.UTC(2001, 0, 1))) === null) {
      return { ok: false, field: 'cron', message: `The cron expression "${text}" never fires: no date matches it (such as the 30th of February)` };
    }
  }
  return { ok: true };
}

// ---------------------------------------------------------------------------------------------
// Fire times

const UNIT_MS = { minutes: MINUTE, hours: HOUR } as const;
const UNIT_DAYS = { days: 1, weeks: 7 } as const;

/** Fire times strictly after `after`, in order, without end (or until the last a Date can hold). */
function* fireTimes(spec: RecurrenceSpec, defaultZone: string, after: number): Generator<number, void, undefined> {
  const problem = syntaxProblem(spec, defaultZone);
  if (problem) throw new RecurrenceError(problem);
  if (!Number.isFinite(after)) throw new RangeError('The instant to count from is not a valid date');
  const zone = zoneOf(spec, defaultZone);
  const start = spec.startAt === null ? null : (readStartAt(spec.startAt, zone) as StartAt);

  if (spec.kind === 'cron') {
    const job = cronJob(spec.cron, zone);
    // croner returns the first fire strictly after the instant it is given.
    let from = start && start.instant - 1 > after ? start.instant - 1 : after;
    for (;;) {
      const next = job.nextRun(new Date(from))?.getTime();
      if (next === undefined || next <= from) return;
      yield next;
      from = next;
    }
  }

  // "every": fire k is the anchor plus k intervals; k >= 0 from a start, any k without one.
  const firstK = start ? 0 : Number.NEGATIVE_INFINITY;
  const anchorWall = start ? start.wall : DEFAULT_ANCHOR_WALL;
  let fire: (k: number) => number;
  let k: number;
  if (spec.unit === 'minutes' || spec.unit === 'hours') {
    const step = spec.every * UNIT_MS[spec.unit];
    const anchor = start ? start.instant : instantOfWall(zone, DEFAULT_ANCHOR_WALL);
    fire = (i) => anchor + i * step;
    k = Math.max(firstK, Math.floor((after - anchor) / step) + 1);
  } else {
    const afterWall = wallOf(zone, after);
    if (spec.unit === 'months') {
      fire = (i) => instantOfWall(zone, addMonthsToWall(anchorWall, i * spec.every));
      const a = new Date(anchorWall);
      const b = new Date(afterWall);
      const months = (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + b.getUTCMonth() - a.getUTCMonth();
      k = Math.floor(months / spec.every) - 1;
    } else {
      const stepDays = spec.every * UNIT_DAYS[spec.unit];
      fire = (i) => instantOfWall(zone, addDaysToWall(anchorWall, i * stepDays));
      k = Math.floor((afterWall - anchorWall) / (stepDays * DAY)) - 1;
    }
    k = Math.max(firstK, k);
    // The estimate is within a step or two: move to the first fire after `after`.
    for (let guard = 0; guard < 100 && k > firstK && fire(k - 1) > after; guard++) k--;
    for (let guard = 0; guard < 100 && fire(k) <= after; guard++) k++;
  }
  let last = after;
  for (; ; k++) {
    const next = fire(k);
    if (!Number.isFinite(next) || next > MAX_INSTANT) return;
    // Two wall-clock times in one gap resolve to the same instant: it fires once.
    if (next <= last) continue;
    yield next;
    last = next;
  }
}

function instantOf(date: Date, what: string): number {
  const time = date instanceof Date ? date.getTime() : Number.NaN;
  if (!Number.isFinite(time)) throw new RangeError(`${what} is not a valid date`);
  return time;
}

/**
 * The next `count` fire times strictly after `after` (at most 100), earliest first: fewer when the
 * schedule ends (never, short of the year 275760). Throws `RecurrenceError` for a spec that
 * `validateRecurrence` refuses (a cron expression that never fires gives none).
 */
export function nextFireTimes(spec: RecurrenceSpec, defaultZone: string, after: Date, count: number): Date[] {
  const wanted = Math.min(RECURRENCE_LIMITS.nextFireTimes, Math.max(0, Math.floor(count)));
  const times: Date[] = [];
  if (wanted === 0) {
    syntaxProblemOrThrow(spec, defaultZone);
    return times;
  }
  for (const time of fireTimes(spec, defaultZone, instantOf(after, '"after"'))) {
    times.push(new Date(time));
    if (times.length >= wanted) break;
  }
  return times;
}

/**
 * The fire times in (afterExclusive, untilInclusive], earliest first, at most `cap` of them (at
 * most 1,000); `more` says whether others in the range were left out. For catching up after
 * downtime: the caller applies the missed-fire policy.
 */
export function fireTimesBetween(
  spec: RecurrenceSpec,
  defaultZone: string,
  afterExclusive: Date,
  untilInclusive: Date,
  cap: number,
): { times: Date[]; more: boolean } {
  const limit = Math.min(RECURRENCE_LIMITS.fireTimesBetween, Math.max(0, Math.floor(cap)));
  const after = instantOf(afterExclusive, '"afterExclusive"');
  const until = instantOf(untilInclusive, '"untilInclusive"');
  syntaxProblemOrThrow(spec, defaultZone);
  const times: Date[] = [];
  if (until <= after) return { times, more: false };
  for (const time of fireTimes(spec, defaultZone, after)) {
    if (time > until) break;
    if (times.length >= limit) return { times, more: true };
    times.push(new Date(time));
  }
  return { times, more: false };
}

function syntaxProblemOrThrow(spec: RecurrenceSpec, defaultZone: string): void {
  const problem = syntaxProblem(spec, defaultZone);
  if (problem) throw new RecurrenceError(problem);
}

// ---------------------------------------------------------------------------------------------
// In words

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function joinWords(words: string[]): string {
  return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

/** The indexes set in one of croner's parsed fields. */
function setIndexes(values: readonly number[]): number[] {
  return values.flatMap((value, index) => (value ? [index] : []));
}

/** The step N when the values are exactly 0, N, 2N... and N divides the field (*\/N), else null. */
function evenStep(values: number[], size: number): number | null {
  const step = values[1];
  if (values[0] !== 0 || step === undefined || size % step !== 0 || values.length !== size / step) return null;
  return values.every((value, i) => value === i * step) ? step : null;
}

function clock(hour: number, minute: number, second: number): string {
  return `${pad(hour)}:${pad(minute)}${second ? `:${pad(second)}` : ''}`;
}

const ANY_WEEKDAY = new CronPattern('* * * * * *', undefined, { mode: '6-part' }).dayOfWeek[0];

/** The common shapes of cron expressions in words, or null for the others. */
function cronInWords(cron: string): string | null {
  let pattern: CronPattern;
  try {
    pattern = new CronPattern(normaliseCron(cron), undefined, { mode: CRON_OPTIONS.mode });
  } catch {
    return null;
  }
  const seconds = setIndexes(pattern.second);
  const minutes = setIndexes(pattern.minute);
  const hours = setIndexes(pattern.hour);
  const days = setIndexes(pattern.day).map((i) => i + 1);
  const months = setIndexes(pattern.month);
  const weekdays = setIndexes(pattern.dayOfWeek);
  if (pattern.dayOfWeek.some((value) => value && value !== ANY_WEEKDAY)) return null; // MON#2, FRI#L
  if (pattern.lastWeekday || pattern.nearestWeekdays.some(Boolean) || !pattern.starYear) return null;

  // Which days.
  let dayPhrase: string;
  const everyMonth = months.length === 12;
  if (pattern.starDOM && pattern.starDOW) dayPhrase = 'every day';
  else if (pattern.starDOM) {
    // Weekdays sorted Monday first, Sunday last.
    const sorted = [...weekdays].sort((a, b) => ((a + 6) % 7) - ((b + 6) % 7));
    dayPhrase = sorted.join() === '1,2,3,4,5' ? 'every weekday' : `every ${joinWords(sorted.map((d) => WEEKDAYS[d]!))}`;
  } else if (pattern.starDOW) {
    const which = pattern.lastDayOfMonth ? (days.length === 0 ? 'the last day' : null) : `${days.length === 1 ? 'day' : 'days'} ${joinWords(days.map(String))}`;
    if (which === null || (!everyMonth && (months.length !== 1 || days.length !== 1))) return null;
    dayPhrase = everyMonth ? `every month on ${which}` : `every year on ${days[0]} ${MONTHS[months[0]!]}`;
  } else return null; // day of month OR day of week: the expression says it best
  if (!everyMonth && !dayPhrase.startsWith('every year')) return null;

  const second = seconds.length === 1 ? seconds[0]! : null;
  const minute = minutes.length === 1 ? minutes[0]! : null;
  const atSecond = second ? ` at second ${second}` : '';
  if (dayPhrase === 'every day' && hours.length === 24) {
    if (seconds.length === 60 && minutes.length === 60) return 'every second';
    const secondStep = evenStep(seconds, 60);
    if (secondStep !== null && minutes.length === 60) return `every ${secondStep} seconds`;
    if (second === null) return null;
    if (minutes.length === 60) return `every minute${atSecond}`;
    const minuteStep = evenStep(minutes, 60);
    if (minuteStep !== null) return `every ${minuteStep} minutes${atSecond}`;
    if (minute !== null) return `every hour at :${pad(minute)}${second ? `:${pad(second)}` : ''}`;
    return null;
  }
  if (second === null || minute === null) return null;
  const hourStep = evenStep(hours, 24);
  if (dayPhrase === 'every day' && hourStep !== null && hourStep > 1) return `every ${hourStep} hours at :${pad(minute)}${second ? `:${pad(second)}` : ''}`;
  if (hours.length > 6) return null;
  return `${dayPhrase} at ${joinWords(hours.map((hour) => clock(hour, minute, second)))}`;
}

/**
 * The schedule in words, with its zone: 'every day at 03:00, Europe/Paris', 'every 15 minutes,
 * UTC', 'every 2 weeks from 2026-01-05 09:00, Europe/Paris'; a cron expression of a less common
 * shape is shown as itself ('cron "0 0 12 1 * MON", UTC'). Never throws: an invalid spec is shown
 * as written.
 */
export function describeRecurrence(spec: RecurrenceSpec, defaultZone: string): string {
  const zone = zoneOf(spec, defaultZone);
  let startText = '';
  if (spec.startAt !== null) {
    const read = isValidTimeZone(zone) ? readStartAt(spec.startAt, zone) : { error: '' };
    startText = 'error' in read ? ` from "${spec.startAt}"` : ` from ${formatWall(read.wall)}`;
  }
  if (spec.kind === 'cron') {
    const text = normaliseCron(spec.cron);
    const words = cronSyntaxProblem(spec.cron) ? null : cronInWords(text);
    return `${words ?? `cron "${text}"`}${startText}, ${zone}`;
  }
  const singular = spec.unit.slice(0, -1);
  const every = spec.every === 1 ? `every ${singular}` : `every ${spec.every} ${spec.unit}`;
  if (spec.startAt !== null || spec.unit === 'minutes' || spec.unit === 'hours') return `${every}${startText}, ${zone}`;
  if (spec.every > 1) return `${every} from ${formatWall(DEFAULT_ANCHOR_WALL)}, ${zone}`;
  const on = spec.unit === 'weeks' ? ' on Monday' : spec.unit === 'months' ? ' on day 1' : '';
  return `${every}${on} at 00:00, ${zone}`;
}
