import {
  type RecurrenceProblem,
  type RecurrenceSpec,
  type RecurrenceUnit,
  describeRecurrence,
  isValidTimeZone,
  nextFireTimes,
  validateRecurrence,
} from '@switchyard/workflow';

// The Recurring event's form, in plain functions: the schedule a new Recurring event starts with,
// the live preview (the schedule in words and its next fire times, or the field to fix and why),
// and fire times in words in a given zone. The kernel does the arithmetic (recurrence.ts).

/** What the cron field suggests when empty, and the schedule a new Recurring event starts with. */
export const DEFAULT_CRON = '0 0 3 * * *';

/** A new Recurring event's schedule: every day at 03:00 in the instance's zone, missed runs once. */
export function defaultSchedule(): RecurrenceSpec {
  return { kind: 'cron', cron: DEFAULT_CRON, startAt: null, timeZone: null, missed: 'once' };
}

/** The schedule "every N units" starts as when chosen: every day. */
export const DEFAULT_EVERY = { every: 1, unit: 'days' } as const satisfies { every: number; unit: RecurrenceUnit };

/** Examples under the cron field, each a button that puts it in the field. */
export const CRON_EXAMPLES: readonly { cron: string; words: string }[] = [
  { cron: '0 0 3 * * *', words: 'every day at 03:00' },
  { cron: '0 */15 * * * *', words: 'every 15 minutes' },
  { cron: '0 30 9 * * MON-FRI', words: 'weekdays at 09:30' },
  { cron: '0 0 8 1 * *', words: 'the 1st of each month at 08:00' },
];

export const UNIT_OPTIONS: readonly { value: RecurrenceUnit; label: string }[] = [
  { value: 'minutes', label: 'minutes' },
  { value: 'hours', label: 'hours' },
  { value: 'days', label: 'days' },
  { value: 'weeks', label: 'weeks' },
  { value: 'months', label: 'months' },
];

/** How many upcoming fire times the form shows. */
export const PREVIEW_COUNT = 5;

export type SchedulePreview =
  | {
      ok: true;
      /** The schedule in words, with its zone: "every day at 03:00, Europe/Paris". */
      words: string;
      /** The zone the schedule runs in (its own, else the instance's). */
      zone: string;
      /** The next fire times after `now`, earliest first (fewer only for a schedule that ends). */
      times: Date[];
    }
  | {
      ok: false;
      /** The field to change: `cron`, `every`, `startAt` or `timeZone` (as `schedule.<field>` diagnostics). */
      field: RecurrenceProblem['field'];
      message: string;
      zone: string;
    };

/**
 * The schedule as the form previews it on each keystroke: validated first (never throws), then
 * described and its next `count` fire times counted from `now`. `instanceZone` is the server's
 * zone, used when the schedule has none of its own.
 */
export function schedulePreview(spec: RecurrenceSpec, instanceZone: string, now: Date, count = PREVIEW_COUNT): SchedulePreview {
  const zone = spec.timeZone ?? instanceZone;
  const fallbackField: RecurrenceProblem['field'] = spec.kind === 'cron' ? 'cron' : 'every';
  try {
    const checked = validateRecurrence(spec, instanceZone);
    if (!checked.ok) return { ok: false, field: checked.field, message: checked.message, zone };
    return { ok: true, words: describeRecurrence(spec, instanceZone), zone, times: nextFireTimes(spec, instanceZone, now, count) };
  } catch (error) {
    // validateRecurrence refuses what the fire-time functions throw on; this is a last guard.
    const field = error instanceof Error && 'field' in error && typeof error.field === 'string' ? (error.field as RecurrenceProblem['field']) : fallbackField;
    return { ok: false, field, message: error instanceof Error ? error.message : String(error), zone };
  }
}

/** The browser's IANA time zone ("Europe/Paris"), or null when the runtime does not say. */
export function browserTimeZone(): string | null {
  try {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    return zone && isValidTimeZone(zone) ? zone : null;
  } catch {
    return null;
  }
}

/** Whether any of these instants has seconds (then every fire time shows them). */
export function hasSeconds(times: readonly Date[]): boolean {
  return times.some((t) => t.getUTCSeconds() !== 0 || t.getUTCMilliseconds() !== 0);
}

const formats = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string, seconds: boolean, year: boolean, locale: string | undefined): Intl.DateTimeFormat {
  const key = `${zone}|${seconds}|${year}|${locale ?? ''}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, {
      timeZone: zone,
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      ...(year && { year: 'numeric' }),
      hour: '2-digit',
      minute: '2-digit',
      ...(seconds && { second: '2-digit' }),
      hourCycle: 'h23',
    });
    formats.set(key, format);
  }
  return format;
}

/** The year of an instant on the zone's calendar. */
function yearIn(date: Date, zone: string): number {
  return Number(new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric' }).format(date));
}

/**
 * A fire time on the zone's wall clock, compact: "Tue 12 May, 03:00" in the current year (of
 * `now`, in that zone), "Tue 12 May 2027, 03:00" otherwise; seconds when `seconds`.
 */
export function formatInZone(date: Date, zone: string, now: Date, { seconds = false, locale }: { seconds?: boolean; locale?: string } = {}): string {
  return formatter(zone, seconds, yearIn(date, zone) !== yearIn(now, zone), locale).format(date);
}

/** The calendar day of an instant in a zone, as `2026-03-27`. */
function dayIn(date: Date, zone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(date);
}

/**
 * A fire time in a second zone, next to the same time in the schedule's: the time alone when it
 * falls on the same day there ("10:30"), else with its day ("Fri 27 Nov, 22:00").
 */
export function formatAlongside(date: Date, scheduleZone: string, zone: string, now: Date, options: { seconds?: boolean; locale?: string } = {}): string {
  if (dayIn(date, scheduleZone) === dayIn(date, zone)) {
    return new Intl.DateTimeFormat(options.locale, {
      timeZone: zone,
      hour: '2-digit',
      minute: '2-digit',
      ...(options.seconds && { second: '2-digit' }),
      hourCycle: 'h23',
    }).format(date);
  }
  return formatInZone(date, zone, now, options);
}

/**
 * The `startAt` a date-time input can show (`2026-01-05T09:00`, seconds kept), or null for a stored
 * value it cannot (a date alone, an offset, milliseconds): the form then shows the text itself.
 */
export function localInputOf(startAt: string | null): string | null {
  if (startAt === null) return '';
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?$/.test(startAt) ? startAt : null;
}
