import { tzOffset } from '@date-fns/tz';

// Wall clocks of IANA time zones, without the machine's own zone: the calendar arithmetic shared by
// recurring schedules (recurrence.ts) and the date functions of expressions (dateFunctions.ts).
//
// A "wall" is a wall-clock time of a zone written as milliseconds whose UTC fields are that wall
// clock: 09:30 on 2026-01-05 in Paris is `Date.UTC(2026, 0, 5, 9, 30)`, whatever Paris's offset.
// Walls have no daylight saving (every day is 24 hours), so calendar arithmetic on them is plain
// `Date.UTC` arithmetic; only the conversions between walls and instants know the zone.
//
// Why not date-fns' `TZDate`: it turns a wall-clock time into an instant through the host's own
// zone, so the same call gives different instants on hosts in different zones (date-fns/tz issue
// #40; reproduced: `addDays` from Paris 2026-10-24 02:30 gives 2026-10-25 02:30 +01:00 on a UTC
// host and +02:00 on a Paris host, and `addMonths` on a `TZDate` in "UTC" goes wrong on hosts in
// Pacific/Apia or Australia/Lord_Howe). Here offsets come from @date-fns/tz's `tzOffset` (Intl, the
// same on every host) and nothing reads the machine's zone: no local `Date` getter or setter, no
// `new Date(year, month, ...)`.
//
// From a wall to an instant (`instantOfWall`), as croner resolves fixed-time cron jobs: a wall-clock
// time that does not exist (02:30 on the spring-forward day in Paris) is the first valid time after
// the gap (03:00), and one that occurs twice (02:30 on the fall-back day) is its first occurrence
// (02:30 +02:00).

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** The zone's offset from UTC at an instant, in milliseconds (whole seconds; NaN outside the dates a Date can hold). */
export function offsetAt(zone: string, instant: number): number {
  return Math.round(tzOffset(zone, new Date(instant)) * 60) * 1_000;
}

/** The wall clock of the zone at an instant (milliseconds read through UTC fields). */
export function wallOf(zone: string, instant: number): number {
  return instant + offsetAt(zone, instant);
}

/**
 * The first instant whose wall clock in the zone is at or after `wall`: the instant itself when the
 * wall-clock time exists once, its first occurrence when it occurs twice, and the end of the gap
 * (the first valid time after it) when it does not exist. For a wall past the dates a Date can hold,
 * NaN or an instant out of that range: callers check.
 */
export function instantOfWall(zone: string, wall: number): number {
  const offsets = [offsetAt(zone, wall - DAY), offsetAt(zone, wall), offsetAt(zone, wall + DAY)];
  let best = Number.POSITIVE_INFINITY;
  for (const offset of offsets) {
    const instant = wall - offset;
    if (instant < best && offsetAt(zone, instant) === offset) best = instant;
  }
  if (best !== Number.POSITIVE_INFINITY) return best;
  // In a gap: before `low` the wall clock is behind `wall`, at `high` it is past it.
  let low = wall - Math.max(...offsets);
  let high = wall - Math.min(...offsets);
  if (wallOf(zone, high) < wall || wallOf(zone, low) >= wall) return wall - offsets[0]!;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (wallOf(zone, middle) >= wall) high = middle;
    else low = middle;
  }
  return high;
}

/**
 * Midnight starting a calendar day as milliseconds since 1970 (`Date.UTC` without its habit of
 * reading the years 0 to 99 as 1900 to 1999); months and days out of range roll over.
 */
export function wallOfDate(year: number, monthIndex: number, day: number): number {
  const date = new Date(0);
  return date.setUTCFullYear(year, monthIndex, day);
}

/** Days in a month (`monthIndex` 0 is January) of the proleptic Gregorian calendar. */
export function daysInMonth(year: number, monthIndex: number): number {
  return new Date(wallOfDate(year, monthIndex + 1, 0)).getUTCDate();
}

/** Midnight starting the day of a wall clock. */
export function startOfWallDay(wall: number): number {
  return Math.floor(wall / DAY) * DAY;
}

/** Calendar days added to a wall clock (negative: subtracted), keeping the time of day. */
export function addDaysToWall(wall: number, days: number): number {
  return wall + days * DAY;
}

/**
 * Calendar months added to a wall clock (negative: subtracted), keeping the time of day, the day
 * clamped to the month's last (Jan 31 + 1 = Feb 28 or 29; Mar 31 - 1 = Feb 28 or 29).
 */
export function addMonthsToWall(wall: number, months: number): number {
  const date = new Date(wall);
  const monthCount = date.getUTCFullYear() * 12 + date.getUTCMonth() + months;
  const year = Math.floor(monthCount / 12);
  const month = monthCount - year * 12;
  const day = Math.min(date.getUTCDate(), daysInMonth(year, month));
  return wallOfDate(year, month, day) + (wall - startOfWallDay(wall));
}
