import { parseDate } from './dates.ts';
import type { ObjectField, Parameter, ParameterType } from './graph.ts';
import { IDENTIFIER, isReservedWord } from './names.ts';

/**
 * "Detect data": proposes an API event's parameters from one sample request, which the builder
 * then accepts, picks from or edits. Pure: the caller passes the sample and makes the ids.
 *
 * What is detected, and why:
 * - JSON values keep the type the sender chose: numbers, true/false, objects, lists; text that
 *   reads as an ISO 8601 date (as `parseDate` reads it: `2026-12-01`, `2026-12-01T09:00:00Z`) is a
 *   date; other text stays text, numeric text included (zip codes, phone numbers, "007").
 * - Form bodies and query strings carry only text, so there numeric text without leading zeros is
 *   a number, yes/no/true/false a yes/no, ISO dates a date.
 * - A whole number is a date only when it looks like milliseconds since 1970 (years 2000 to 2100)
 *   *and* its key names a time (`created_at`, `timestamp`, `expiresAt`, `date`...): an amount or an
 *   id of that size stays a number. Seconds since 1970 (Stripe's `created`) stay numbers, since
 *   dates are read as milliseconds. Numeric text is never a date (dates in text must be ISO).
 * - null: optional text (the type cannot be seen).
 * - Objects become `object` parameters with declared fields (one level, as the Parameter schema
 *   has it); an object inside an object is an `object` field without fields; a list inside is a
 *   list field of its items' type.
 * - Lists take their items' type. Items of different scalar types make a list of text (text
 *   accepts numbers and yes/no); lists of objects merge the items' keys (a key some items lack is
 *   optional). A list mixing objects and other values, holding null items or lists of lists
 *   cannot be read by any type: it is proposed unticked with a note, or (lists of lists) left out.
 * - Every proposal the builder is not warned about reads the sample itself without an error (the
 *   property test checks it with `readInputs`).
 * - Parameter keys are identifiers and not reserved words. A key that is not is proposed renamed
 *   (`first-name` -> `first_name`), unticked, with a note: callers send the key as it is, so the
 *   sender must change too. Keys already used by the event are proposed unticked ("already a
 *   parameter"). Declared field keys may be any text except empty, `__proto__` or with spaces
 *   around; such fields are left undeclared (objects keep undeclared fields as sent).
 */

export interface ParameterProposal {
  /** A valid parameter with a fresh id, as it would be added. */
  parameter: Parameter;
  /** The key as the sample sent it (differs from `parameter.key` when renamed). */
  sourceKey: string;
  /** The sample's value, shortened, to show next to the proposal. */
  example: string;
  /** Whether the dialog ticks it at first: false when a note says why not. */
  suggested: boolean;
  /** What the builder should know: a rename, a guess, a value no type reads. */
  notes: string[];
}

export interface Detection {
  proposals: ParameterProposal[];
  /** Keys left out, and why. */
  skipped: { key: string; reason: string }[];
}

export interface DetectOptions {
  /** Makes a fresh id (`newId('param')`); ids must be unique across the graph. */
  newId: (prefix: string) => string;
  /** The sample came from a form body: every value is text, read by what it looks like. */
  textValues?: boolean;
  /** Values from the query string (always text): proposed with "from the query string". */
  query?: Record<string, unknown>;
  /** Keys the event's parameters already have. */
  takenKeys?: Iterable<string>;
}

/** The most parameters an event may have (ApiEventNode), and fields an object may declare. */
const MAX_PARAMETERS = 100;
const MAX_FIELDS = 100;
const MAX_KEY_CHARS = 100;
/** Items of a list looked at to find its type: enough to see its shape, bounded for huge samples. */
const ITEMS_LOOKED_AT = 1000;

/** Milliseconds since 1970 of 2000-01-01 and 2100-01-01. */
const EPOCH_MS_MIN = 946_684_800_000;
const EPOCH_MS_MAX = 4_102_444_800_000;
const TIME_KEY = /(date|time|_at$|[a-z]At$|^at$|timestamp|^ts$|created|updated|expires|deadline)/i;
const NUMERIC_TEXT = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;
const BOOLEAN_TEXT = /^(yes|no|true|false)$/i;

/** What one value looks like. `unreadable`: no parameter type reads it (nested lists). */
type Shape =
  | { kind: 'null' }
  | { kind: 'scalar'; type: Exclude<ParameterType, 'object'> }
  | { kind: 'object'; value: Record<string, unknown> }
  | { kind: 'list'; items: unknown[] };

function shapeOf(value: unknown, key: string, textValues: boolean): Shape {
  if (value === null || value === undefined || value === '') return { kind: 'null' };
  if (Array.isArray(value)) return { kind: 'list', items: value };
  if (typeof value === 'object') return { kind: 'object', value: value as Record<string, unknown> };
  if (typeof value === 'boolean') return { kind: 'scalar', type: 'boolean' };
  if (typeof value === 'number') {
    const epochMs = Number.isInteger(value) && value >= EPOCH_MS_MIN && value <= EPOCH_MS_MAX && TIME_KEY.test(key);
    return { kind: 'scalar', type: epochMs ? 'date' : 'number' };
  }
  const text = String(value);
  if (parseDate(text)) return { kind: 'scalar', type: 'date' };
  if (textValues) {
    const trimmed = text.trim();
    if (NUMERIC_TEXT.test(trimmed) && Number.isFinite(Number(trimmed))) return { kind: 'scalar', type: 'number' };
    if (BOOLEAN_TEXT.test(trimmed)) return { kind: 'scalar', type: 'boolean' };
  }
  return { kind: 'scalar', type: 'text' };
}

/** A field or parameter's type as detected, before it gets an id and a key. */
interface Typed {
  type: ParameterType;
  list: boolean;
  optional: boolean;
  fields?: Omit<ObjectField, 'id'>[];
  /** Why the sample itself would not pass: the proposal is not ticked. */
  problem?: string;
  note?: string;
}

/** The type of a list's items; null when nothing reads them (lists of lists). */
function listType(items: unknown[], key: string, textValues: boolean, depth: number): Typed | null {
  const looked = items.slice(0, ITEMS_LOOKED_AT);
  if (looked.length === 0) return { type: 'text', list: true, optional: true, note: 'Empty list in the sample: its item type is a guess' };
  const shapes = looked.map((item) => shapeOf(item, key, textValues));
  if (shapes.some((s) => s.kind === 'list')) return null;
  const objects = shapes.filter((s): s is Extract<Shape, { kind: 'object' }> => s.kind === 'object');
  const nulls = shapes.some((s) => s.kind === 'null');
  const problem = nulls ? 'Some items are empty (null), which a list refuses' : undefined;
  if (objects.length > 0) {
    const fields = depth === 0 ? mergeFields(objects.map((o) => o.value), textValues) : undefined;
    return {
      type: 'object',
      list: true,
      optional: false,
      ...(fields && { fields }),
      ...(objects.length < shapes.length ? { problem: 'The list mixes objects with other values; no one type reads both' } : problem ? { problem } : {}),
    };
  }
  const types = new Set(shapes.flatMap((s) => (s.kind === 'scalar' ? [s.type] : [])));
  if (types.size === 0) return { type: 'text', list: true, optional: true, note: 'Only empty items in the sample: the type is a guess', ...(problem && { problem }) };
  // Text reads numbers and yes/no values too, so a list of mixed scalars is a list of text.
  const type = types.size === 1 ? [...types][0]! : 'text';
  return { type, list: true, optional: false, ...(types.size > 1 && { note: 'Items of different types: read as text' }), ...(problem && { problem }) };
}

/** Whether a key can be declared as an object's field (compile's rules for field names). */
function declarableField(key: string): boolean {
  return key !== '' && key.length <= MAX_KEY_CHARS && key === key.trim() && key !== '__proto__';
}

/**
 * The declared fields of one or more sample objects: the union of their keys (at most 100), a key
 * missing or null in some object optional. Fields no one type reads are left undeclared: objects
 * keep undeclared fields as sent.
 */
function mergeFields(objects: Record<string, unknown>[], textValues: boolean): Omit<ObjectField, 'id'>[] {
  const byKey = new Map<string, { typed: Typed[]; nulls: number; unreadable: boolean }>();
  for (const object of objects) {
    for (const [key, value] of Object.entries(object)) {
      if (!declarableField(key)) continue;
      let entry = byKey.get(key);
      if (!entry) {
        if (byKey.size >= MAX_FIELDS) continue;
        entry = { typed: [], nulls: 0, unreadable: false };
        byKey.set(key, entry);
      }
      const typed = typeOf(value, key, textValues, 1);
      if (!typed || typed.problem) entry.unreadable = true;
      else if (shapeOf(value, key, textValues).kind === 'null') entry.nulls++;
      else entry.typed.push(typed);
    }
  }
  const fields: Omit<ObjectField, 'id'>[] = [];
  for (const [key, entry] of byKey) {
    if (entry.unreadable) continue;
    const present = entry.typed.length + entry.nulls;
    const optional = present < objects.length || entry.nulls > 0 || entry.typed.some((t) => t.optional);
    if (entry.typed.length === 0) {
      fields.push({ key, type: 'text', list: false, optional: true });
      continue;
    }
    const first = entry.typed[0]!;
    const same = entry.typed.every((t) => t.type === first.type && t.list === first.list);
    // Text reads numbers, yes/no and dates too; objects and lists of different kinds nothing reads.
    const scalars = entry.typed.every((t) => t.type !== 'object' && t.list === first.list);
    if (same) fields.push({ key, type: first.type, list: first.list, optional });
    else if (scalars) fields.push({ key, type: 'text', list: first.list, optional });
  }
  return fields;
}

/** The type of a value at `depth` (0: a parameter, 1: a field of an object parameter). */
function typeOf(value: unknown, key: string, textValues: boolean, depth: number): Typed | null {
  const shape = shapeOf(value, key, textValues);
  switch (shape.kind) {
    case 'null':
      return { type: 'text', list: false, optional: true, note: 'Empty (null) in the sample: the type is a guess' };
    case 'scalar':
      return { type: shape.type, list: false, optional: false };
    case 'object':
      // A field can be an object but cannot declare fields of its own.
      return depth === 0 ? { type: 'object', list: false, optional: false, fields: mergeFields([shape.value], textValues) } : { type: 'object', list: false, optional: false };
    case 'list':
      return listType(shape.items, key, textValues, depth);
  }
}

/** A parameter key for a sample key: itself when allowed, else the nearest identifier. */
function parameterKey(sourceKey: string): { key: string; reason?: string } {
  if (IDENTIFIER.test(sourceKey) && !isReservedWord(sourceKey) && sourceKey.length <= MAX_KEY_CHARS) return { key: sourceKey };
  if (IDENTIFIER.test(sourceKey) && isReservedWord(sourceKey)) return { key: `${sourceKey}_value`, reason: `"${sourceKey}" is a reserved word` };
  let key = sourceKey.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+(?=[A-Za-z0-9])/, '').slice(0, MAX_KEY_CHARS - 10);
  if (key === '' || key === '_') key = 'value';
  if (/^[0-9]/.test(key)) key = `_${key}`;
  if (isReservedWord(key)) key = `${key}_value`;
  return { key, reason: `"${shorten(sourceKey, 40)}" is not a parameter key (letters, digits and underscores, not starting with a digit)` };
}

function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function exampleOf(value: unknown): string {
  if (typeof value === 'string') return shorten(value, 60);
  return shorten(JSON.stringify(value) ?? String(value), 60);
}

export function detectParameters(sample: unknown, options: DetectOptions): Detection {
  const proposals: ParameterProposal[] = [];
  const skipped: Detection['skipped'] = [];
  const used = new Set<string>();
  const reserved = new Set<string>();
  const taken = new Set(options.takenKeys ?? []);
  const sources: { values: unknown; textValues: boolean; fromQuery: boolean }[] = [];
  if (options.query && Object.keys(options.query).length > 0) sources.push({ values: options.query, textValues: true, fromQuery: true });
  if (sample !== undefined && sample !== null) {
    if (typeof sample === 'object' && !Array.isArray(sample)) sources.push({ values: sample, textValues: options.textValues ?? false, fromQuery: false });
    else skipped.push({ key: '(body)', reason: 'The body is not a JSON object: parameters are read from the keys of an object' });
  }

  // Keys sent as they may be named keep their name; renamed ones go around them.
  for (const source of sources) for (const key of Object.keys(source.values as object)) if (parameterKey(key).reason === undefined) reserved.add(key);

  for (const source of sources) {
    for (const [sourceKey, value] of Object.entries(source.values as Record<string, unknown>)) {
      if (sourceKey === '__proto__') {
        skipped.push({ key: sourceKey, reason: 'Bodies holding "__proto__" are refused' });
        continue;
      }
      if (proposals.length >= MAX_PARAMETERS) {
        skipped.push({ key: shorten(sourceKey, 40), reason: `An event has at most ${MAX_PARAMETERS} parameters` });
        continue;
      }
      // The query string's api_token is a credential, never a parameter.
      if (source.fromQuery && sourceKey === 'api_token') continue;
      const typed = typeOf(value, sourceKey, source.textValues, 0);
      if (!typed) {
        skipped.push({ key: shorten(sourceKey, 40), reason: 'Lists of lists cannot be typed' });
        continue;
      }
      const notes: string[] = [];
      let suggested = true;
      const named = parameterKey(sourceKey);
      let key = named.key;
      if (named.reason) {
        notes.push(`${named.reason}: proposed as "${key}"; the caller must send "${key}" too`);
        suggested = false;
      }
      const free = (k: string) => !used.has(k) && (k === sourceKey || !reserved.has(k));
      for (let n = 2; !free(key); n++) key = `${named.key}_${n}`;
      used.add(key);
      // The same key twice (a body key and a query key): the second cannot keep its name.
      if (key !== sourceKey && !named.reason) {
        notes.push(`"${shorten(sourceKey, 40)}" is sent twice (body and query string): proposed as "${key}"`);
        suggested = false;
      }
      if (taken.has(key)) {
        notes.push('Already a parameter of this workflow');
        suggested = false;
      }
      if (typed.problem) {
        notes.push(typed.problem);
        suggested = false;
      }
      if (typed.note) notes.push(typed.note);
      const parameter: Parameter = {
        id: options.newId('param'),
        key,
        type: typed.type,
        list: typed.list,
        optional: typed.optional,
        ...(typed.fields && typed.fields.length > 0 && { fields: typed.fields.map((f) => ({ ...f, id: options.newId('field') })) }),
        ...(source.fromQuery && { fromQuery: true }),
      };
      proposals.push({ parameter, sourceKey, example: exampleOf(value), suggested, notes });
    }
  }
  return { proposals, skipped };
}
