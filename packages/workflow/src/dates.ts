/**
 * The latest date a run may be due: the end of year 9999. Later dates are written with a sign
 * (+010000-…) and would sort before every other date as text; nobody schedules that far anyway.
 */
export const LATEST_DUE_DATE = new Date(Date.UTC(9999, 11, 31, 23, 59, 59, 999));

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Reads ISO 8601 text or milliseconds since 1970. A time without an offset is read as UTC, so the
 * same call means the same instant whatever the server's time zone. Impossible calendar dates
 * (2024-02-31) are refused rather than rolled over into the next month.
 */
export function parseDate(raw: unknown): Date | null {
  if (typeof raw === 'number') return validDate(new Date(raw));
  if (typeof raw !== 'string') return null;
  const text = raw.trim();
  const match = ISO_DATE.exec(text);
  if (!match) return null;
  const [, year, month, day, offset] = match;
  const hasTime = text.length > 10;
  const date = validDate(new Date(hasTime && !offset ? `${text}Z` : text));
  const calendarDay = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  const dayExists = calendarDay.getUTCMonth() === Number(month) - 1 && calendarDay.getUTCDate() === Number(day);
  return date && dayExists ? date : null;
}

function validDate(date: Date): Date | null {
  return Number.isNaN(date.getTime()) ? null : date;
}
