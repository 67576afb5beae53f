import { parseDate } from './dates.ts';
import type { FieldSpec, ParameterSpec } from './definition.ts';
import { type Value, setOwn } from './expression.ts';
import type { ParameterType } from './graph.ts';
import { T, type Type, orEmpty } from './types.ts';

export interface ParameterError {
  /** Where: the parameter's key, `items[2]` or `order.total`; null when the body as a whole is wrong. */
  parameter: string | null;
  message: string;
}

export type InputResult =
  | { ok: true; values: Map<string, Value> }
  | { ok: false; errors: ParameterError[] };

/**
 * Checks a request body against a workflow's parameters and converts each value to its type; the
 * values come back keyed by parameter id. Form-encoded callers send everything as text, so numeric
 * text, "yes"/"no"/"true"/"false" and ISO dates are accepted too, and a single value where a list is
 * expected is a one-item list. Anything else is an error naming the parameter. Unknown keys are
 * ignored; undeclared fields of objects are kept as sent.
 */
/**
 * The query string of a call: every parameter comes from it (`all`, a GET endpoint), or only the
 * parameters marked `fromQuery`. Its values are text, converted by type as form values are.
 */
export interface QueryInput {
  values: Record<string, unknown>;
  all: boolean;
}

export function readInputs(specs: readonly ParameterSpec[], body: unknown, query?: QueryInput): InputResult {
  if (body === undefined || body === null) body = {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    return { ok: false, errors: [{ parameter: null, message: 'The request body must be a JSON object' }] };
  }
  const fromBody = body as Record<string, unknown>;
  const values = new Map<string, Value>();
  const errors: ParameterError[] = [];
  for (const spec of specs) {
    const source = query && (query.all || spec.fromQuery) ? query.values : fromBody;
    const raw = Object.hasOwn(source, spec.key) ? source[spec.key] : undefined;
    const converted = readField(spec, raw, spec.key, spec.fields);
    if (converted.ok) values.set(spec.id, converted.value);
    else errors.push(...converted.errors);
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, values };
}

type Read = { ok: true; value: Value } | { ok: false; errors: ParameterError[] };

const isMissing = (raw: unknown) => raw === undefined || raw === null || raw === '';

function readField(spec: FieldSpec, raw: unknown, where: string, fields?: readonly FieldSpec[]): Read {
  if (isMissing(raw)) {
    return spec.optional ? { ok: true, value: null } : { ok: false, errors: [{ parameter: where, message: `Missing required parameter "${where}"` }] };
  }
  if (!spec.list) return readOne(spec.type, raw, where, fields);
  const items = Array.isArray(raw) ? raw : typeof raw === 'object' ? null : [raw];
  if (!items) return wrong(where, `a list of ${listWord(spec.type)}`, raw);
  const out: Value[] = [];
  const errors: ParameterError[] = [];
  items.forEach((item, index) => {
    const read = readOne(spec.type, item, `${where}[${index}]`, fields);
    if (read.ok) out.push(read.value);
    else errors.push(...read.errors);
  });
  return errors.length > 0 ? { ok: false, errors: errors.slice(0, 10) } : { ok: true, value: out };
}

function listWord(type: ParameterType): string {
  return { text: 'texts', number: 'numbers', boolean: 'yes/no values', date: 'dates', object: 'objects' }[type];
}

function wrong(where: string, expected: string, raw: unknown): Read {
  const shown = typeof raw === 'number' ? String(raw) : truncate(JSON.stringify(raw) ?? String(raw));
  return { ok: false, errors: [{ parameter: where, message: `Parameter "${where}" must be ${expected}, got ${shown}` }] };
}

const truncate = (text: string) => (text.length > 60 ? `${text.slice(0, 60)}…` : text);

function readOne(type: ParameterType, raw: unknown, where: string, fields?: readonly FieldSpec[]): Read {
  switch (type) {
    case 'text':
      if (typeof raw === 'string') return { ok: true, value: raw };
      if (typeof raw === 'number' || typeof raw === 'boolean') return { ok: true, value: String(raw) };
      return wrong(where, 'text', raw);
    case 'number': {
      const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
      return Number.isFinite(value) ? { ok: true, value } : wrong(where, 'a number', raw);
    }
    case 'boolean':
      if (typeof raw === 'boolean') return { ok: true, value: raw };
      if (typeof raw === 'string') {
        const word = raw.trim().toLowerCase();
        if (word === 'yes' || word === 'true') return { ok: true, value: true };
        if (word === 'no' || word === 'false') return { ok: true, value: false };
      }
      return wrong(where, 'yes or no (true/false)', raw);
    case 'date': {
      const date = parseDate(raw);
      return date ? { ok: true, value: date } : wrong(where, 'a date (ISO 8601 text or milliseconds since 1970)', raw);
    }
    case 'object': {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return wrong(where, 'an object', raw);
      if (!fields || fields.length === 0) return { ok: true, value: raw as Value };
      const source = raw as Record<string, unknown>;
      // Undeclared fields are kept; declared ones are converted to their types.
      const out: Record<string, Value> = { ...(source as Record<string, Value>) };
      const errors: ParameterError[] = [];
      for (const field of fields) {
        const read = readField(field, Object.hasOwn(source, field.key) ? source[field.key] : undefined, `${where}.${field.key}`);
        if (read.ok) setOwn(out, field.key, read.value);
        else errors.push(...read.errors);
      }
      return errors.length > 0 ? { ok: false, errors } : { ok: true, value: out };
    }
  }
}

function scalarType(type: ParameterType, fields?: readonly FieldSpec[]): Type {
  if (type !== 'object') return T[type];
  if (!fields || fields.length === 0) return T.object();
  return {
    kind: 'object',
    fields: Object.fromEntries(fields.map((f) => [f.key, typeOfField(f)])),
    fieldIds: Object.fromEntries(fields.map((f) => [f.id, f.key])),
  };
}

/** The static type of a parameter or field: its type, a list of it, or empty when optional. */
export function typeOfField(spec: FieldSpec & { fields?: readonly FieldSpec[] }): Type {
  const one = scalarType(spec.type, spec.fields);
  const type = spec.list ? T.list(one) : one;
  return spec.optional ? orEmpty(type) : type;
}
