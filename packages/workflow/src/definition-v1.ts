import { z } from 'zod';
import type { Expr } from './expression.ts';
import { DEFAULT_SETTINGS } from './settings.ts';

/**
 * Version 1 of the compiled definition, as releases made before schema version 2 hold it:
 * parameters named by key, expressions reading `{kind: 'param', key}`. `upgradeV1Definition` turns
 * one into version 2 with the same behaviour: each parameter's id is its key.
 */
type V1Expr =
  | { kind: 'literal'; value: string | number | boolean | null }
  | { kind: 'param'; key: string }
  | { kind: 'now' }
  | { kind: 'unary'; op: '-' | '!'; arg: V1Expr }
  | { kind: 'binary'; op: string; left: V1Expr; right: V1Expr }
  | { kind: 'conditional'; test: V1Expr; then: V1Expr; else: V1Expr };

const V1Expr: z.ZodType<V1Expr> = z.lazy(() =>
  z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('literal'), value: z.union([z.string(), z.number(), z.boolean(), z.null()]) }),
    z.object({ kind: z.literal('param'), key: z.string() }),
    z.object({ kind: z.literal('now') }),
    z.object({ kind: z.literal('unary'), op: z.enum(['-', '!']), arg: V1Expr }),
    z.object({
      kind: z.literal('binary'),
      op: z.enum(['+', '-', '*', '/', '%', '==', '!=', '<', '<=', '>', '>=', '&&', '||']),
      left: V1Expr,
      right: V1Expr,
    }),
    z.object({ kind: z.literal('conditional'), test: V1Expr, then: V1Expr, else: V1Expr }),
  ]),
);
const V1Template = z.object({ parts: z.array(z.union([z.object({ text: z.string() }), z.object({ expr: V1Expr })])) });
const V1StepBase = { id: z.string(), label: z.string(), onlyWhen: V1Expr.optional() };

const V1Definition = z.object({
  schemaVersion: z.literal(1),
  name: z.string(),
  trigger: z.object({
    type: z.literal('api'),
    parameters: z.array(z.object({ key: z.string(), type: z.enum(['text', 'number', 'boolean', 'date']), optional: z.boolean() })),
  }),
  steps: z.array(
    z.discriminatedUnion('type', [
      z.object({ ...V1StepBase, type: z.literal('log'), message: V1Template }),
      z.object({ ...V1StepBase, type: z.literal('returnData'), entries: z.array(z.object({ key: z.string(), value: V1Template })) }),
    ]),
  ),
});

type IdOf = (key: string) => string;

function upgradeExpr(expr: V1Expr, idOf: IdOf): Expr {
  switch (expr.kind) {
    case 'param':
      return { kind: 'ref', id: idOf(expr.key) };
    case 'unary':
      return { ...expr, arg: upgradeExpr(expr.arg, idOf) };
    case 'binary':
      return { ...expr, left: upgradeExpr(expr.left, idOf), right: upgradeExpr(expr.right, idOf) } as Expr;
    case 'conditional':
      return {
        kind: 'conditional',
        test: upgradeExpr(expr.test, idOf),
        then: upgradeExpr(expr.then, idOf),
        else: upgradeExpr(expr.else, idOf),
      };
    default:
      return expr;
  }
}

const upgradeTemplate = (template: z.infer<typeof V1Template>, idOf: IdOf) => ({
  parts: template.parts.map((part) => ('expr' in part ? { expr: upgradeExpr(part.expr, idOf) } : part)),
});

/**
 * Each parameter's id is its key, unless a step has that id: parameters and steps' results share
 * one namespace at run time, so such a parameter gets `<key>_param` (or `_param_2`...).
 */
function parameterIds(v1: z.infer<typeof V1Definition>): IdOf {
  const taken = new Set(v1.steps.map((s) => s.id));
  const ids = new Map<string, string>();
  for (const { key } of v1.trigger.parameters) {
    let id = key;
    for (let n = 1; taken.has(id); n++) id = n === 1 ? `${key}_param` : `${key}_param_${n}`;
    taken.add(id);
    ids.set(key, id);
  }
  return (key) => ids.get(key) ?? key;
}

export function upgradeV1Definition(raw: unknown): unknown {
  const v1 = V1Definition.parse(raw);
  const idOf = parameterIds(v1);
  return {
    schemaVersion: 2,
    name: v1.name,
    trigger: {
      type: 'api',
      parameters: v1.trigger.parameters.map((p) => ({ id: idOf(p.key), key: p.key, type: p.type, list: false, optional: p.optional })),
    },
    settings: DEFAULT_SETTINGS,
    steps: v1.steps.map((step) => ({
      id: step.id,
      type: step.type,
      label: step.label,
      ...(step.onlyWhen && { onlyWhen: upgradeExpr(step.onlyWhen, idOf) }),
      config:
        step.type === 'log'
          ? { message: upgradeTemplate(step.message, idOf) }
          : { entries: step.entries.map((e) => ({ key: e.key, value: upgradeTemplate(e.value, idOf) })) },
    })),
  };
}
