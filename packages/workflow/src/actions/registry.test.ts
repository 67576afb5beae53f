import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type FormField, formOf, mapExpressionFields } from '../form.ts';
import { ActionConfig } from '../graph.ts';
import { logAction } from './log.ts';
import { ACTION_MODULES, ACTION_TYPES, actionModule } from './registry.ts';
import { returnDataAction } from './returnData.ts';

describe('registry', () => {
  it('lists every action module once, by type', () => {
    expect(ACTION_TYPES).toEqual(['log', 'wait', 'returnData', 'scheduleWorkflow', 'scheduleOnList', 'cancelScheduled', 'cancelScheduledList']);
    expect(new Set(ACTION_TYPES).size).toBe(ACTION_MODULES.length);
    expect(actionModule('log')).toBe(logAction);
    expect(actionModule('returnData')).toBe(returnDataAction);
    expect(actionModule('teleport')).toBeUndefined();
    expect(actionModule('constructor')).toBeUndefined();
  });

  // What "adding an action is one module and one registry line" relies on, checked for every module.
  describe.each(ACTION_MODULES.map((m) => [m.type, m] as const))('%s', (type, module) => {
    it('creates a fresh config its own schema and the graph schema accept', () => {
      const fresh = module.create();
      expect(fresh.type).toBe(type);
      expect(module.config.parse(fresh)).toEqual(fresh);
      expect(ActionConfig.parse(fresh)).toEqual(fresh);
    });

    it('has a form: every field it shows is a field of its config', () => {
      const shape = (module.config as unknown as z.ZodObject).shape;
      const fields = formOf(module.config);
      expect(fields.length).toBeGreaterThan(0);
      for (const field of fields) expect(Object.keys(shape)).toContain(field.key);
      expect(module.label.length).toBeGreaterThan(0);
      expect(module.description.length).toBeGreaterThan(0);
    });
  });

  it('the graph refuses a config of no registered type', () => {
    expect(ActionConfig.safeParse({ type: 'teleport' }).success).toBe(false);
  });
});

describe('form', () => {
  const Item = z.object({
    id: z.string(),
    label: z.string().meta({ ui: { kind: 'text', label: 'Label' } }),
    when: z.string().meta({ ui: { kind: 'expression', label: 'When' } }),
  });
  const Schema = z.object({
    type: z.literal('demo'),
    title: z.string().optional().meta({ ui: { kind: 'template', label: 'Title' } }),
    body: z.string().default('').meta({ ui: { kind: 'template', label: 'Body', multiline: true } }),
    rows: z.array(Item).optional().meta({ ui: { kind: 'list', label: 'Rows', addLabel: 'Add', itemLabel: 'Row' } }),
    more: z.array(Item).default([]).meta({ ui: { kind: 'list', label: 'More', addLabel: 'Add', itemLabel: 'Row' } }),
    hidden: z.number(),
  });
  const itemFields: FormField[] = [
    { kind: 'text', key: 'label', label: 'Label' },
    { kind: 'expression', key: 'when', label: 'When' },
  ];

  it('reads UI hints from the schema, through optional and default wrappers, in declaration order', () => {
    const fields = formOf(Schema);
    expect(fields).toEqual([
      { kind: 'template', key: 'title', label: 'Title' },
      { kind: 'template', key: 'body', label: 'Body', multiline: true },
      {
        kind: 'list',
        key: 'rows',
        label: 'Rows',
        addLabel: 'Add',
        itemLabel: 'Row',
        fields: itemFields,
      },
      { kind: 'list', key: 'more', label: 'More', addLabel: 'Add', itemLabel: 'Row', fields: itemFields },
    ] satisfies FormField[]);
    // The whole schema may be wrapped too.
    expect(formOf(Schema.optional()).map((f) => f.key)).toEqual(['title', 'body', 'rows', 'more']);
    expect(formOf(Schema)).toBe(fields);
  });

  it('rewrites every expression field with its path, leaving the rest alone', () => {
    const config = { type: 'demo', title: 'a', body: 'b', rows: [{ id: 'r1', label: 'L', when: 'c' }], hidden: 1 };
    const seen: [string, string, string][] = [];
    const out = mapExpressionFields(config, formOf(Schema), (text, kind, path) => {
      seen.push([text, kind, path]);
      return text.toUpperCase();
    });
    expect(seen).toEqual([
      ['a', 'template', 'title'],
      ['b', 'template', 'body'],
      ['c', 'expression', 'rows.r1.when'],
    ]);
    expect(out).toEqual({ type: 'demo', title: 'A', body: 'B', rows: [{ id: 'r1', label: 'L', when: 'C' }], hidden: 1 });
    expect(config.title).toBe('a');
  });

  it('returns the very same object when nothing changed', () => {
    const config = { type: 'demo', body: 'b', rows: [{ id: 'r1', label: 'L', when: 'c' }], hidden: 1 };
    expect(mapExpressionFields(config, formOf(Schema), (text) => text)).toBe(config);
  });
});
