/** Reading the Settings page's text fields: what the server's schema takes, with the same messages. */

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** "" is no limit; otherwise a whole number from 1 to 1,000,000 requests a minute. */
export function parseRateLimit(text: string): Parsed<number | null> {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, value: null };
  if (!/^\d+$/.test(trimmed)) return { ok: false, error: 'A whole number of requests a minute, or empty for no limit' };
  const value = Number(trimmed);
  if (value < 1 || value > 1_000_000) return { ok: false, error: 'From 1 to 1,000,000 requests a minute' };
  return { ok: true, value };
}

/** One origin per line (scheme and host, no path), or "*". */
export function parseOrigins(text: string): Parsed<string[]> {
  const lines = [...new Set(text.split('\n').map((line) => line.trim()).filter(Boolean))];
  if (lines.length > 50) return { ok: false, error: 'At most 50 origins' };
  for (const line of lines) {
    if (line === '*') continue;
    if (originOf(line) !== line) return { ok: false, error: `"${line}" is not an origin: give a scheme and host, such as https://shop.example.com, with no path` };
  }
  return { ok: true, value: lines };
}

function originOf(text: string): string | null {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : null;
  } catch {
    return null;
  }
}
