import { z } from 'zod';

/**
 * The static types of the expression language. Every expression has one, worked out when the
 * workflow compiles, so "amount * name" is a diagnostic on its field instead of a failed run.
 *
 * - `nullable`: the value may be empty ("T or empty"). Using it where a value is required is a
 *   compile error unless it gets a default (`x ?? 0`).
 * - `any`: nothing is known (an undeclared field of a JSON object). Using it where a value of a
 *   given type is required is a compile error unless it is converted (`toNumber(x)`).
 * - `empty`: the type of `null`.
 */
export type ScalarKind = 'text' | 'number' | 'boolean' | 'date';
export type Type =
  | { kind: ScalarKind | 'any' | 'empty'; nullable?: boolean }
  | {
      kind: 'object';
      /** Declared fields by JSON key; absent: any JSON object. */
      fields?: Readonly<Record<string, Type>>;
      /** Stable field id -> JSON key, so stored expressions can name declared fields by id. */
      fieldIds?: Readonly<Record<string, string>>;
      nullable?: boolean;
    }
  | { kind: 'list'; of: Type; nullable?: boolean };

export const Type: z.ZodType<Type> = z.lazy(() =>
  z.union([
    z.object({ kind: z.enum(['text', 'number', 'boolean', 'date', 'any', 'empty']), nullable: z.boolean().optional() }),
    z.object({
      kind: z.literal('object'),
      fields: z.record(z.string(), Type).optional(),
      fieldIds: z.record(z.string(), z.string()).optional(),
      nullable: z.boolean().optional(),
    }),
    z.object({ kind: z.literal('list'), of: Type, nullable: z.boolean().optional() }),
  ]),
);

export const T = {
  text: { kind: 'text' },
  number: { kind: 'number' },
  boolean: { kind: 'boolean' },
  date: { kind: 'date' },
  any: { kind: 'any' },
  empty: { kind: 'empty' },
  object: (fields?: Record<string, Type>): Type => (fields ? { kind: 'object', fields } : { kind: 'object' }),
  list: (of: Type): Type => ({ kind: 'list', of }),
} as const satisfies Record<string, Type | ((...args: never[]) => Type)>;

/**
 * A declared field (or field id) by key, own entries only: field names come from builders and
 * callers, so `constructor` or `__proto__` must not find Object.prototype's members.
 */
export function ownEntry<V>(record: Readonly<Record<string, V>> | undefined, key: string): V | undefined {
  return record && Object.hasOwn(record, key) ? record[key] : undefined;
}

/** Whether a value of this type may be empty at run time. */
export function mayBeEmpty(type: Type): boolean {
  return type.kind === 'any' || type.kind === 'empty' || type.nullable === true;
}

export function orEmpty(type: Type): Type {
  if (type.kind === 'any' || type.kind === 'empty' || type.nullable) return type;
  return { ...type, nullable: true };
}

export function withoutEmpty(type: Type): Type {
  if (!type.nullable) return type;
  const { nullable: _nullable, ...rest } = type;
  return rest as Type;
}

/**
 * The type of "either of these" (the branches of `c ? a : b`, the two sides of `a ?? b`, the items
 * of a list): field by field for objects and item types for lists, so that a field that is a number
 * on one side and text on the other is `any`, never a number.
 */
export function unify(a: Type, b: Type): Type {
  if (a.kind === 'empty') return orEmpty(b);
  if (b.kind === 'empty') return orEmpty(a);
  if (a.kind === 'any' || b.kind === 'any') return T.any;
  let base: Type;
  if (a.kind === 'list' && b.kind === 'list') base = { kind: 'list', of: unify(a.of, b.of) };
  else if (a.kind === 'object' && b.kind === 'object') base = unifyObjects(a, b);
  else if (a.kind === b.kind) base = { kind: a.kind } as Type;
  else return T.any;
  return a.nullable || b.nullable ? orEmpty(base) : base;
}

function unifyObjects(a: Extract<Type, { kind: 'object' }>, b: Extract<Type, { kind: 'object' }>): Type {
  if (!a.fields || !b.fields) return T.object();
  const keys = new Set([...Object.keys(a.fields), ...Object.keys(b.fields)]);
  const fields = new Map<string, Type>();
  for (const key of keys) {
    const left = ownEntry(a.fields, key);
    const right = ownEntry(b.fields, key);
    fields.set(key, left && right ? unify(left, right) : orEmpty((left ?? right)!));
  }
  // fromEntries makes own properties, so a field called "__proto__" stays a field.
  return { kind: 'object', fields: Object.fromEntries(fields), fieldIds: { ...a.fieldIds, ...b.fieldIds } };
}

const SCALAR_WORDS: Record<ScalarKind, [one: string, many: string]> = {
  text: ['text', 'texts'],
  number: ['a number', 'numbers'],
  boolean: ['yes/no', 'yes/no values'],
  date: ['a date', 'dates'],
};

/** How a type reads in a diagnostic: "a number", "text or empty", "a list of dates", "any value". */
export function describeType(type: Type): string {
  const base = describeBase(type);
  return type.nullable ? `${base} or empty` : base;
}

function describeBase(type: Type): string {
  switch (type.kind) {
    case 'any':
      return 'any value';
    case 'empty':
      return 'empty';
    case 'object':
      return type.fields ? `an object with fields ${Object.keys(type.fields).join(', ') || '(none)'}` : 'an object';
    case 'list':
      return `a list of ${plural(type.of)}`;
    default:
      return SCALAR_WORDS[type.kind][0];
  }
}

function plural(type: Type): string {
  switch (type.kind) {
    case 'any':
      return 'values';
    case 'empty':
      return 'empty values';
    case 'object':
      return 'objects';
    case 'list':
      return 'lists';
    default:
      return SCALAR_WORDS[type.kind][1];
  }
}

/**
 * Whether a value of type `from` can be used where `to` is expected without a conversion or a
 * default. `any` is expected by fields that take whatever they are given.
 */
export function isAssignable(from: Type, to: Type): boolean {
  if (to.kind === 'any') return true;
  if (from.kind === 'empty') return mayBeEmpty(to);
  if (from.kind === 'any') return false;
  if (from.nullable && !to.nullable) return false;
  if (from.kind !== to.kind) return false;
  if (from.kind === 'list' && to.kind === 'list') return isAssignable(from.of, to.of);
  if (from.kind === 'object' && to.kind === 'object') {
    if (!to.fields) return true;
    if (!from.fields) return false;
    return Object.entries(to.fields).every(([key, type]) => {
      const have = ownEntry(from.fields, key);
      return have ? isAssignable(have, type) : mayBeEmpty(type);
    });
  }
  return true;
}
