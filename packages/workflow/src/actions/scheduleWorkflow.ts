import { z } from 'zod';
import { Expr, type Json, toJsonValue } from '../expression.ts';
import { LIMITS } from '../limits.ts';
import { T } from '../types.ts';
import { type ActionModule, NonRetriableError } from './module.ts';
import { CompiledParameter, ParameterValues, compileParameterValues, compileTarget, warnSelfSchedule } from './target.ts';

const Config = z.object({
  type: z.literal('scheduleWorkflow'),
  workflowId: z
    .string()
    .max(64)
    .meta({ ui: { kind: 'workflow', label: 'Workflow', hint: 'The API workflow to run later. It runs in the same environment (draft or live) as this one.' } }),
  parameters: ParameterValues.meta({ ui: { kind: 'parameters', label: 'Parameters', workflowKey: 'workflowId' } }),
  scheduledDate: z
    .string()
    .max(LIMITS.expressionChars)
    .meta({
      ui: {
        kind: 'expression',
        label: 'Scheduled date',
        placeholder: 'addDays(now, 7)',
        hint: 'When the run starts: a date. now, or a date in the past, means as soon as possible.',
      },
    }),
});

const Compiled = z.object({ workflowId: z.string(), workflowName: z.string(), parameters: z.array(CompiledParameter), at: Expr });

/**
 * "Schedule API workflow": makes a run of a workflow (this one or another) due at a date. The run
 * is pinned to what is current now (the latest release, or the saved draft), so a later deploy
 * does not change what it does. Its result is the new run's id, for cancelling it later.
 */
export const scheduleWorkflowAction: ActionModule<z.infer<typeof Config>, z.infer<typeof Compiled>> = {
  type: 'scheduleWorkflow',
  label: 'Schedule API workflow',
  description: 'Runs a workflow later, at a date, with the parameters you give it. Its result is the run id.',
  icon: 'schedule',
  terminal: false,
  effect: true,
  config: Config,
  create: () => ({ type: 'scheduleWorkflow', workflowId: '', parameters: {}, scheduledDate: 'now' }),
  summary(config, display, workflowName) {
    if (!config.workflowId) return { text: 'Which workflow?', empty: true };
    const name = workflowName?.(config.workflowId) ?? 'a workflow';
    const when = config.scheduledDate.trim() ? display(config.scheduledDate) : 'now';
    return { text: `Schedules ${name} at ${when}`, empty: false };
  },
  compile(config, ctx) {
    const target = compileTarget(ctx, 'workflowId', config.workflowId);
    warnSelfSchedule(ctx, 'workflowId', config.workflowId);
    const parameters = target ? compileParameterValues(ctx, 'parameters', target, config.parameters) : null;
    if (config.scheduledDate.trim() === '') ctx.error('scheduledDate', 'Write when the run starts (now for as soon as possible)');
    const at = config.scheduledDate.trim() ? ctx.expression('scheduledDate', config.scheduledDate, { type: T.date }) : null;
    if (!target || !parameters || !at) return null;
    return { workflowId: config.workflowId, workflowName: target === 'unchecked' ? config.workflowId : target.name, parameters, at };
  },
  compiled: Compiled,
  targets: (step) => [step.workflowId],
  resultType: () => T.text,
  async execute(step, ctx) {
    const scheduler = ctx.services.scheduler;
    if (!scheduler) throw new NonRetriableError('This runner cannot schedule workflows');
    const runAt = ctx.evaluate('Scheduled date', step.at);
    if (!(runAt instanceof Date)) throw new NonRetriableError('Scheduled date: not a date');
    const params = new Map(step.parameters.map((p) => [p.id, ctx.evaluate(`Parameter "${p.key}"`, p.value)]));
    const { runId } = await scheduler.schedule({ workflowId: step.workflowId, params, runAt, idempotencyKey: ctx.idempotencyKey });
    ctx.log(`Scheduled ${step.workflowName} for ${runAt.toISOString()}: run ${runId}`);
    const shown: Record<string, Json> = {};
    for (const p of step.parameters) shown[p.key] = toJsonValue(params.get(p.id) ?? null);
    return { input: { workflow: step.workflowName, scheduled_date: runAt.toISOString(), parameters: shown }, output: runId };
  },
};
