import type { Value } from './expression.ts';
import type { ParameterSpec } from './definition.ts';

export interface ParameterError {
  /** The parameter's key, or null when the body as a whole is wrong. */
  parameter: string | null;
  message: string;
}

export type InputResult =
  | { ok: true; values: Record<string, Value> }
  | { ok: false; errors: ParameterError[] };

/**
 * Checks a request body against a workflow's parameters and converts each value to its type.
 * Form-encoded callers send everything as text, so numeric text, "yes"/"no"/"true"/"false" and ISO
 * dates are accepted too; anything else is an error naming the parameter. Unknown keys are ignored.
 */
export function readInputs(specs: readonly ParameterSpec[], body: unknown): InputResult {
  if (body === undefined || body === null) body = {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    return { ok: false, errors: [{ parameter: null, message: 'The request body must be a JSON object' }] };
  }
  const source = body as Record<string, unknown>;
  const values: Record<string, Value> = {};
  const errors: ParameterError[] = [];
  for (const spec of specs) {
    const raw = Object.hasOwn(source, spec.key) ? source[spec.key] : undefined;
    if (raw === undefined || raw === null || raw === '') {
      if (spec.optional) values[spec.key] = null;
      else errors.push({ parameter: spec.key, message: `Missing required parameter "${spec.key}"` });
      continue;
    }
    const converted = convert(spec, raw);
    if (converted.ok) values[spec.key] = converted.value;
    else errors.push({ parameter: spec.key, message: converted.message });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, values };
}

type Converted = { ok: true; value: Value } | { ok: false; message: string };

function convert(spec: ParameterSpec, raw: unknown): Converted {
  const wrong = (expected: string): Converted => ({
    ok: false,
    message: `Parameter "${spec.key}" must be ${expected}, got ${typeof raw === 'number' ? String(raw) : JSON.stringify(raw)}`,
  });
  switch (spec.type) {
    case 'text':
      if (typeof raw === 'string') return { ok: true, value: raw };
      if (typeof raw === 'number' || typeof raw === 'boolean') return { ok: true, value: String(raw) };
      return wrong('text');
    case 'number': {
      const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
      return Number.isFinite(value) ? { ok: true, value } : wrong('a number');
    }
    case 'boolean':
      if (typeof raw === 'boolean') return { ok: true, value: raw };
      if (typeof raw === 'string') {
        const word = raw.trim().toLowerCase();
        if (word === 'yes' || word === 'true') return { ok: true, value: true };
        if (word === 'no' || word === 'false') return { ok: true, value: false };
      }
      return wrong('yes or no (true/false)');
    case 'date': {
      const date = parseDate(raw);
      return date ? { ok: true, value: date } : wrong('a date (ISO 8601 text or milliseconds since 1970)');
    }
  }
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * ISO 8601 text or milliseconds since 1970. A time without an offset is read as UTC, so the same
 * call means the same instant whatever the server's time zone. Impossible calendar dates
 * (2024-02-31) are refused rather than rolled over into the next month.
 */
function parseDate(raw: unknown): Date | null {
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
