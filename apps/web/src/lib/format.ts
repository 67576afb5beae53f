const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const absolute = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
];

/** "3 minutes ago", "in 5 minutes", "just now". */
export function formatRelative(date: Date, now: number = Date.now()): string {
  const seconds = Math.round((date.getTime() - now) / 1000);
  if (Math.abs(seconds) < 10) return 'just now';
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size || unit === 'second') return relative.format(Math.round(seconds / size), unit);
  }
  return absolute.format(date);
}

/** "12 May 2026, 14:02:11" in the browser's locale. */
export function formatAbsolute(date: Date): string {
  return absolute.format(date);
}

/** "12 May 2026" (a day, no time), e.g. when retention deletes a run. */
export function formatDate(date: Date, locale?: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(date);
}

/**
 * A compact absolute time for lists: the time of day for today ("14:02:11"), the day and minute
 * this year ("12 May, 14:02"), the day for older dates ("12 May 2025"). `now` decides "today".
 */
export function formatShortDateTime(date: Date, now: number, locale?: string): string {
  const today = new Date(now);
  const sameYear = date.getFullYear() === today.getFullYear();
  if (sameYear && date.getMonth() === today.getMonth() && date.getDate() === today.getDate()) {
    return new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(date);
  }
  if (sameYear) {
    return new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }).format(date);
  }
  return new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', year: 'numeric' }).format(date);
}

/**
 * A duration with the precision a person needs: "0.42 ms", "4.2 ms", "12 ms", "1.25 s", "42.1 s",
 * "2 min 5 s", "1 h 2 min", "3 d 4 h". Nothing (null, NaN) is "—". Rounding carries into the
 * next unit ("1.00 s", never "1000 ms"; "1 min 0 s", never "60.0 s").
 */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms <= 0) return '0 ms';
  if (ms < 0.005) return '< 0.01 ms';
  if (Number(ms.toFixed(2)) < 1) return `${ms.toFixed(2)} ms`;
  if (Number(ms.toFixed(1)) < 10) return `${ms.toFixed(1)} ms`;
  if (Math.round(ms) < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (Number(seconds.toFixed(2)) < 10) return `${seconds.toFixed(2)} s`;
  if (Number(seconds.toFixed(1)) < 60) return `${seconds.toFixed(1)} s`;
  const totalSeconds = Math.round(seconds);
  if (totalSeconds < 3600) return `${Math.floor(totalSeconds / 60)} min ${totalSeconds % 60} s`;
  const totalMinutes = Math.round(totalSeconds / 60);
  if (totalMinutes < 24 * 60) return `${Math.floor(totalMinutes / 60)} h ${totalMinutes % 60} min`;
  const totalHours = Math.round(totalMinutes / 60);
  return `${Math.floor(totalHours / 24)} d ${totalHours % 24} h`;
}

/** The milliseconds between two instants, or null when one is missing. */
export function between(from: Date | null | undefined, to: Date | null | undefined): number | null {
  if (!from || !to) return null;
  return Math.max(0, to.getTime() - from.getTime());
}

/** "512 B", "14.2 KB", "1.0 MB": sizes of stored values. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** JSON for people: two-space indent, Dates as ISO text, undefined as "—". */
export function formatJson(value: unknown): string {
  if (value === undefined) return '—';
  return JSON.stringify(value, null, 2) ?? String(value);
}

/**
 * Stored JSON text made readable: pretty-printed when it parses, the stored text as it is when it
 * does not (a record is always shown, whatever it holds). `null` text means "nothing stored".
 */
export function prettyJsonText(text: string | null | undefined): { text: string; valid: boolean } | null {
  if (text === null || text === undefined) return null;
  try {
    return { text: JSON.stringify(JSON.parse(text), null, 2), valid: true };
  } catch {
    return { text, valid: false };
  }
}
