import { type ExpressionKind, type FormField, type NameTable, toDisplayText } from '@switchyard/workflow';
import { newId } from '../lib/id.ts';

/* Pure helpers of the generated action forms (fields.tsx). */

/** A copy of `config` with the value at `path` replaced; list items are found by their `id`. */
export function updateAt(config: unknown, path: readonly string[], update: (value: unknown) => unknown): unknown {
  if (path.length === 0) return update(config);
  const [head, ...rest] = path as [string, ...string[]];
  if (Array.isArray(config)) {
    return config.map((item: { id?: unknown }) => (item?.id === head ? updateAt(item, rest, update) : item));
  }
  const record = (config ?? {}) as Record<string, unknown>;
  return { ...record, [head]: updateAt(record[head], rest, update) };
}

/** A new, empty item of a list field: an id plus an empty value for each of its fields. */
export function newItem(fields: readonly FormField[]): Record<string, unknown> {
  const empty = (field: FormField) => (field.kind === 'list' ? [] : field.kind === 'toggle' ? false : field.kind === 'parameters' ? {} : '');
  return { id: newId('item'), ...Object.fromEntries(fields.map((f) => [f.key, empty(f)])) };
}


/** The kind of the form field that holds `text` in `config` (top level or in a list's items). */
function kindOf(config: Record<string, unknown>, fields: readonly FormField[], text: string): ExpressionKind | null {
  for (const field of fields) {
    const value = config[field.key];
    if ((field.kind === 'template' || field.kind === 'expression') && value === text) return field.kind;
    if (field.kind === 'list' && Array.isArray(value)) {
      for (const item of value) {
        const kind = item && typeof item === 'object' ? kindOf(item as Record<string, unknown>, field.fields, text) : null;
        if (kind) return kind;
      }
    }
  }
  return null;
}

/**
 * The `display` a module's `summary` gets: stored text -> what the editor shows. The module passes
 * only the text, so its kind (a `{{ }}` template or a bare expression) is that of the field holding it.
 */
export function displayFor(config: object, fields: readonly FormField[], names: NameTable): (stored: string) => string {
  return (stored) => toDisplayText(stored, kindOf(config as Record<string, unknown>, fields, stored) ?? 'template', names);
}

/**
 * A 'parameters' field's record with one parameter's stored expression set; an empty one is
 * removed. Values of other parameters (the target's others, or ones it no longer has) are kept.
 */
export function withParameterValue(record: unknown, parameterId: string, stored: string): Record<string, string> {
  const current = record !== null && typeof record === 'object' && !Array.isArray(record) ? (record as Record<string, string>) : {};
  if (stored !== '') return { ...current, [parameterId]: stored };
  const { [parameterId]: _old, ...rest } = current;
  return rest;
}
