import { z } from 'zod';
import type { WorkflowSummary } from '../compile.ts';
import { Expr } from '../expression.ts';
import { Id } from '../ids.ts';
import { LIMITS } from '../limits.ts';
import { typeOfField } from '../parameters.ts';
import type { CompileContext } from './module.ts';

/**
 * What the scheduling actions share: a target workflow chosen by stable id, and a value (an
 * expression) for each of its parameters, stored by parameter id so renaming a parameter of the
 * target breaks nothing.
 */
export const ParameterValues = z
  .record(Id, z.string().max(LIMITS.expressionChars))
  .refine((values) => Object.keys(values).length <= 100, 'At most 100 parameter values');

export const CompiledParameter = z.object({ id: z.string(), key: z.string(), value: Expr });
export type CompiledParameter = z.infer<typeof CompiledParameter>;

/** The target, or null with a diagnostic; 'unchecked' when the compiler was given no workflows. */
export function compileTarget(ctx: CompileContext, field: string, workflowId: string): WorkflowSummary | 'unchecked' | null {
  if (workflowId === '') {
    ctx.error(field, 'Choose the workflow to schedule');
    return null;
  }
  const target = ctx.workflow(workflowId);
  if (target === null) return 'unchecked';
  if (target === undefined) {
    ctx.error(field, 'The chosen workflow no longer exists: choose another');
    return null;
  }
  if (target.recurring) {
    ctx.error(field, `${target.name} is a recurring job: it runs on its schedule and cannot be scheduled`);
    return null;
  }
  return target;
}

/**
 * Compiles the values given for the target's parameters, each checked against the parameter's
 * type; a required parameter without a value is an error on its field. `exclude` is a parameter
 * given another way (the list item of "Schedule on a list").
 */
export function compileParameterValues(
  ctx: CompileContext,
  field: string,
  target: WorkflowSummary | 'unchecked',
  values: Readonly<Record<string, string>>,
  exclude: string | null = null,
): CompiledParameter[] | null {
  const out: CompiledParameter[] = [];
  let failed = false;
  if (target === 'unchecked') {
    for (const [id, text] of Object.entries(values)) {
      if (id === exclude || text.trim() === '') continue;
      const value = ctx.expression(`${field}.${id}`, text, 'any');
      if (value) out.push({ id, key: id, value });
      else failed = true;
    }
    return failed ? null : out;
  }
  const known = new Set(target.parameters.map((p) => p.id));
  for (const parameter of target.parameters) {
    if (parameter.id === exclude) continue;
    const text = values[parameter.id]?.trim() ?? '';
    const path = `${field}.${parameter.id}`;
    if (text === '') {
      if (!parameter.optional) {
        ctx.error(path, `"${parameter.key}" is required by ${target.name}`);
        failed = true;
      }
      continue;
    }
    const value = ctx.expression(path, text, { type: typeOfField(parameter) });
    if (value) out.push({ id: parameter.id, key: parameter.key.trim(), value });
    else failed = true;
  }
  const stale = Object.entries(values).filter(([id, text]) => !known.has(id) && text.trim() !== '').length;
  if (stale > 0) ctx.warning(field, `${stale} value${stale === 1 ? ' is' : 's are'} for parameters ${target.name} no longer has, and ${stale === 1 ? 'is' : 'are'} ignored`);
  return failed ? null : out;
}

/** The warning for the classic runaway loop: a workflow that schedules itself unconditionally. */
export function warnSelfSchedule(ctx: CompileContext, field: string, workflowId: string): void {
  if (ctx.selfId !== null && workflowId === ctx.selfId && !ctx.conditional) {
    ctx.warning(
      field,
      'This workflow schedules itself with no "Only when" condition, so it never stops (until the chain limit fails it): add a condition that ends the loop',
    );
  }
}
