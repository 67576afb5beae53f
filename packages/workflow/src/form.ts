import type { z } from 'zod';

/**
 * The editor's form for an action, read from the UI hints on its config schema
 * (`.meta({ ui: {...} })`), so a new action module gets its form without any editor code.
 *
 * Field paths follow the diagnostics' convention: a top-level field is its key (`message`); a field
 * of a list item is `<list>.<itemId>.<key>` (`entries.e1.value`).
 */
export type FormField =
  | {
      kind: 'template' | 'expression';
      key: string;
      label: string;
      placeholder?: string;
      hint?: string;
      multiline?: boolean;
    }
  | { kind: 'text'; key: string; label: string; placeholder?: string; hint?: string; mono?: boolean }
  | {
      kind: 'list';
      key: string;
      label: string;
      addLabel: string;
      itemLabel: string;
      empty?: string;
      hint?: string;
      fields: FormField[];
    };

type Ui = Omit<FormField, 'key' | 'fields'>;

interface SchemaInternals {
  _zod: { def: { type: string; shape?: Record<string, z.ZodType>; element?: z.ZodType; innerType?: z.ZodType } };
  meta(): { ui?: Ui } | undefined;
}

const internals = (schema: z.ZodType) => schema as unknown as SchemaInternals;

/** Unwraps optional/default/nullable wrappers to the schema that carries the shape. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (let i = 0; i < 5; i++) {
    const def = internals(current)._zod.def;
    if (def.innerType && (def.type === 'optional' || def.type === 'default' || def.type === 'nullable')) current = def.innerType;
    else break;
  }
  return current;
}

const cache = new WeakMap<z.ZodType, FormField[]>();

/** The fields of an object schema that carry UI hints, in declaration order. */
export function formOf(schema: z.ZodType): FormField[] {
  const cached = cache.get(schema);
  if (cached) return cached;
  const shape = internals(unwrap(schema))._zod.def.shape ?? {};
  const fields: FormField[] = [];
  for (const [key, fieldSchema] of Object.entries(shape)) {
    const ui = internals(fieldSchema).meta()?.ui;
    if (!ui) continue;
    if (ui.kind === 'list') {
      const element = internals(unwrap(fieldSchema))._zod.def.element;
      fields.push({ ...(ui as Extract<FormField, { kind: 'list' }>), key, fields: element ? formOf(element) : [] });
    } else {
      fields.push({ ...ui, key } as FormField);
    }
  }
  cache.set(schema, fields);
  return fields;
}

/**
 * Rewrites every expression field (templates and expressions) of a config with `change`, keeping
 * everything else; returns the same object when nothing changed.
 */
export function mapExpressionFields<C extends object>(
  config: C,
  fields: readonly FormField[],
  change: (text: string, kind: 'template' | 'expression', path: string) => string,
  prefix = '',
): C {
  let out: Record<string, unknown> | null = null;
  const source = config as Record<string, unknown>;
  for (const field of fields) {
    const value = source[field.key];
    let next: unknown = value;
    if ((field.kind === 'template' || field.kind === 'expression') && typeof value === 'string') {
      next = change(value, field.kind, `${prefix}${field.key}`);
    } else if (field.kind === 'list' && Array.isArray(value)) {
      let changed = false;
      const items = value.map((item: Record<string, unknown>) => {
        const mapped = mapExpressionFields(item, field.fields, change, `${prefix}${field.key}.${String(item.id)}.`);
        if (mapped !== item) changed = true;
        return mapped;
      });
      if (changed) next = items;
    }
    if (next !== value) {
      out ??= { ...source };
      out[field.key] = next;
    }
  }
  return (out ?? config) as C;
}
