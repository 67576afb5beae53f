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
  | { kind: 'toggle'; key: string; label: string; hint?: string }
  /** A workflow chosen by stable id from the workflows the editor knows; `optional`: may be none (''). */
  | { kind: 'workflow'; key: string; label: string; hint?: string; optional?: boolean }
  /** One parameter (by id) of the workflow chosen in field `workflowKey`. */
  | { kind: 'parameter'; key: string; label: string; hint?: string; workflowKey: string }
  /**
   * A value (an expression) for each parameter of the workflow chosen in field `workflowKey`,
   * stored as { <parameter id>: <expression text> }; `excludeKey` names a 'parameter' field whose
   * parameter is given otherwise (the list item). Field paths: `<key>.<parameter id>`.
   */
  | { kind: 'parameters'; key: string; label: string; hint?: string; workflowKey: string; excludeKey?: string }
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
    } else if (field.kind === 'parameters' && value !== null && typeof value === 'object') {
      let changed = false;
      const values: Record<string, unknown> = {};
      for (const [id, text] of Object.entries(value as Record<string, unknown>)) {
        const mapped = typeof text === 'string' ? change(text, 'expression', `${prefix}${field.key}.${id}`) : text;
        if (mapped !== text) changed = true;
        values[id] = mapped;
      }
      if (changed) next = values;
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
