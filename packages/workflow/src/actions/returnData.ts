import { z } from 'zod';
import { type Json, Template, toJsonValue } from '../expression.ts';
import { LIMITS } from '../limits.ts';
import type { ActionModule } from './module.ts';

const Entry = z.object({
  id: z.string().min(1).max(64),
  key: z.string().max(100).meta({ ui: { kind: 'text', label: 'Key', placeholder: 'greeting', mono: true } }),
  value: z
    .string()
    .max(LIMITS.expressionChars)
    .meta({ ui: { kind: 'template', label: 'Value', placeholder: 'Hello {{name}}' } }),
});

const Config = z.object({
  type: z.literal('returnData'),
  entries: z
    .array(Entry)
    .max(200)
    .meta({
      ui: {
        kind: 'list',
        label: 'Response',
        addLabel: 'Add key',
        itemLabel: 'Key',
        empty: 'No keys yet: the caller gets an empty response.',
        hint: 'A value that is exactly one {{expression}} keeps its type (number, yes/no, list...).',
      },
    }),
});

const Compiled = z.object({ entries: z.array(z.object({ key: z.string(), value: Template })) });

/** "Return data from API": ends the run and answers the caller with these keys. */
export const returnDataAction: ActionModule<z.infer<typeof Config>, z.infer<typeof Compiled>> = {
  type: 'returnData',
  label: 'Return data from API',
  description: 'Ends the run and answers the caller with these keys and values as JSON.',
  icon: 'return',
  terminal: true,
  effect: false,
  config: Config,
  create: () => ({ type: 'returnData', entries: [] }),
  summary(config) {
    const keys = config.entries.map((e) => e.key.trim()).filter(Boolean);
    return keys.length > 0 ? { text: `Returns ${keys.join(', ')}`, empty: false } : { text: 'Returns nothing yet', empty: true };
  },
  compile(config, ctx) {
    const seen = new Set<string>();
    const entries: { key: string; value: Template }[] = [];
    let failed = false;
    for (const entry of config.entries) {
      const key = entry.key.trim();
      const keyField = `entries.${entry.id}.key`;
      if (key === '') {
        ctx.error(keyField, 'Key is required');
        failed = true;
      } else if (seen.has(key)) {
        ctx.error(keyField, `Two keys are called "${key}"`);
        failed = true;
      }
      seen.add(key);
      const value = ctx.template(`entries.${entry.id}.value`, entry.value, 'any');
      if (value) entries.push({ key, value });
      else failed = true;
    }
    return failed ? null : { entries };
  },
  compiled: Compiled,
  resultType: () => null,
  execute(step, ctx) {
    // fromEntries defines own properties, so a key like "__proto__" is returned like any other.
    const response: Record<string, Json> = Object.fromEntries(
      step.entries.map((entry) => [entry.key, toJsonValue(ctx.render(`Value of "${entry.key}"`, entry.value))]),
    );
    return { response, output: response };
  },
};
