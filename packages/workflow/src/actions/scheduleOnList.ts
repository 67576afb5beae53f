import { z } from 'zod';
import { Expr } from '../expression.ts';
import { LIMITS } from '../limits.ts';
import { typeOfField } from '../parameters.ts';
import { T, type Type } from '../types.ts';
import { type ActionModule, NonRetriableError } from './module.ts';
import { CompiledParameter, ParameterValues, compileParameterValues, compileTarget, warnSelfSchedule } from './target.ts';

/** Items one batch may have. */
export const MAX_BATCH_ITEMS = 1_000_000;
/** The longest interval between two items' starts: 30 days. */
export const MAX_BATCH_INTERVAL_SECONDS = 30 * 86_400;
/** What the workflow run when a batch ends is given (parameters it may declare). */
export const BATCH_END_KEYS = ['batch_id', 'total', 'succeeded', 'failed', 'cancelled'] as const;

const expression = z.string().max(LIMITS.expressionChars);

const Config = z.object({
  type: z.literal('scheduleOnList'),
  workflowId: z
    .string()
    .max(64)
    .meta({ ui: { kind: 'workflow', label: 'Workflow', hint: 'The API workflow to run once for each item of the list.' } }),
  list: expression.meta({
    ui: { kind: 'expression', label: 'List', placeholder: 'customers', hint: `A list of up to ${MAX_BATCH_ITEMS.toLocaleString('en')} items.` },
  }),
  itemParameterId: z
    .string()
    .max(64)
    .meta({ ui: { kind: 'parameter', label: 'Each item goes to', workflowKey: 'workflowId', hint: "The target's parameter that gets the item." } }),
  parameters: ParameterValues.meta({
    ui: { kind: 'parameters', label: 'Other parameters', workflowKey: 'workflowId', excludeKey: 'itemParameterId', hint: 'The same for every item.' },
  }),
  startDate: expression.meta({
    ui: { kind: 'expression', label: 'Start date', placeholder: 'now', hint: 'When the first item starts; now or a past date means at once.' },
  }),
  intervalSeconds: expression.meta({
    ui: { kind: 'expression', label: 'Seconds between starts', placeholder: '0', hint: '0 starts them all as soon as possible.' },
  }),
  ordered: z
    .boolean()
    .meta({ ui: { kind: 'toggle', label: 'One after another, in list order', hint: 'Each item starts when the one before it has ended, whatever its outcome.' } }),
  onFinishWorkflowId: z
    .string()
    .max(64)
    .meta({
      ui: {
        kind: 'workflow',
        label: 'When all have ended, run',
        optional: true,
        hint: `Runs once with ${BATCH_END_KEYS.join(', ')} (declare the parameters it needs).`,
      },
    }),
});

const Compiled = z.object({
  workflowId: z.string(),
  workflowName: z.string(),
  list: Expr,
  itemParameterId: z.string(),
  parameters: z.array(CompiledParameter),
  start: Expr,
  intervalSeconds: Expr,
  ordered: z.boolean(),
  onFinishWorkflowId: z.string().nullable(),
});

/**
 * "Schedule API workflow on a list": one run of the target per item, the item given as one of its
 * parameters, starting at a date with an interval between starts, optionally strictly one after
 * another. The runner records the batch (and the list, once) and makes the items' runs as they
 * come due; the batch shows progress and can run a workflow when every item has ended. Its result
 * is the batch id.
 */
export const scheduleOnListAction: ActionModule<z.infer<typeof Config>, z.infer<typeof Compiled>> = {
  type: 'scheduleOnList',
  label: 'Schedule API workflow on a list',
  description: 'Runs a workflow once for each item of a list, with an interval, optionally in order. Its result is the batch id.',
  icon: 'list',
  terminal: false,
  effect: true,
  config: Config,
  create: () => ({
    type: 'scheduleOnList',
    workflowId: '',
    list: '',
    itemParameterId: '',
    parameters: {},
    startDate: 'now',
    intervalSeconds: '0',
    ordered: false,
    onFinishWorkflowId: '',
  }),
  summary(config, display, workflowName) {
    if (!config.workflowId) return { text: 'Which workflow?', empty: true };
    const name = workflowName?.(config.workflowId) ?? 'a workflow';
    if (!config.list.trim()) return { text: `Runs ${name} for each item of…?`, empty: true };
    return { text: `Runs ${name} for each of ${display(config.list)}${config.ordered ? ', in order' : ''}`, empty: false };
  },
  compile(config, ctx) {
    const target = compileTarget(ctx, 'workflowId', config.workflowId);
    warnSelfSchedule(ctx, 'workflowId', config.workflowId);
    let ok = target !== null;
    let itemType: Type = T.any;
    if (target && target !== 'unchecked') {
      const item = target.parameters.find((p) => p.id === config.itemParameterId);
      if (!item) {
        ctx.error('itemParameterId', config.itemParameterId ? 'That parameter is gone from the workflow: choose another' : 'Choose the parameter each item goes to');
        ok = false;
      } else {
        itemType = typeOfField({ ...item, optional: false });
      }
    } else if (target === 'unchecked' && !config.itemParameterId) {
      ctx.error('itemParameterId', 'Choose the parameter each item goes to');
      ok = false;
    }
    const parameters = target ? compileParameterValues(ctx, 'parameters', target, config.parameters, config.itemParameterId) : null;
    const required = (field: keyof typeof config, what: string) => {
      const text = String(config[field]).trim();
      if (text === '') ctx.error(field, `Write ${what}`);
      return text;
    };
    const listText = required('list', 'the list to run the workflow for');
    const list = listText ? ctx.expression('list', listText, { type: T.list(itemType) }) : null;
    const startText = required('startDate', 'when the first item starts (now for at once)');
    const start = startText ? ctx.expression('startDate', startText, { type: T.date }) : null;
    const intervalText = required('intervalSeconds', 'the seconds between starts (0 for none)');
    const intervalSeconds = intervalText ? ctx.expression('intervalSeconds', intervalText, { type: T.number }) : null;

    let onFinishWorkflowId: string | null = null;
    if (config.onFinishWorkflowId) {
      const onFinish = ctx.workflow(config.onFinishWorkflowId);
      if (onFinish === undefined) {
        ctx.error('onFinishWorkflowId', 'The chosen workflow no longer exists: choose another');
        ok = false;
      } else {
        const given = new Set<string>(BATCH_END_KEYS);
        const missing = onFinish?.parameters.filter((p) => !p.optional && !given.has(p.key.trim())) ?? [];
        // batch_id is text, the counts are numbers: a parameter declared otherwise could never be read.
        const mistyped = onFinish?.parameters.filter((p) => given.has(p.key.trim()) && (p.list || p.type !== (p.key.trim() === 'batch_id' ? 'text' : 'number'))) ?? [];
        if (onFinish?.recurring) {
          ctx.error('onFinishWorkflowId', `${onFinish.name} is a recurring job: it runs on its schedule and cannot be run at the end of a batch`);
          ok = false;
        } else if (missing.length > 0) {
          ctx.error('onFinishWorkflowId', `${onFinish!.name} needs ${missing.map((p) => `"${p.key}"`).join(', ')}, which the end of a batch does not give (it gives ${BATCH_END_KEYS.join(', ')})`);
          ok = false;
        } else if (mistyped.length > 0) {
          const p = mistyped[0]!;
          ctx.error('onFinishWorkflowId', `${onFinish!.name}'s "${p.key}" must be ${p.key.trim() === 'batch_id' ? 'text' : 'a number'} (the end of a batch gives batch_id as text and the counts as numbers)`);
          ok = false;
        }
        onFinishWorkflowId = config.onFinishWorkflowId;
      }
    }
    if (!ok || !target || !parameters || !list || !start || !intervalSeconds) return null;
    return {
      workflowId: config.workflowId,
      workflowName: target === 'unchecked' ? config.workflowId : target.name,
      list,
      itemParameterId: config.itemParameterId,
      parameters,
      start,
      intervalSeconds,
      ordered: config.ordered,
      onFinishWorkflowId,
    };
  },
  compiled: Compiled,
  targets: (step) => (step.onFinishWorkflowId ? [step.workflowId, step.onFinishWorkflowId] : [step.workflowId]),
  resultType: () => T.text,
  async execute(step, ctx) {
    const scheduler = ctx.services.scheduler;
    if (!scheduler) throw new NonRetriableError('This runner cannot schedule workflows');
    const items = ctx.evaluate('List', step.list) ?? [];
    if (!Array.isArray(items)) throw new NonRetriableError('List: not a list');
    if (items.length > MAX_BATCH_ITEMS) throw new NonRetriableError(`List: ${items.length.toLocaleString('en')} items; at most ${MAX_BATCH_ITEMS.toLocaleString('en')}`);
    const startAt = ctx.evaluate('Start date', step.start);
    if (!(startAt instanceof Date)) throw new NonRetriableError('Start date: not a date');
    const seconds = ctx.evaluate('Seconds between starts', step.intervalSeconds);
    if (typeof seconds !== 'number' || !(seconds >= 0 && seconds <= MAX_BATCH_INTERVAL_SECONDS)) {
      throw new NonRetriableError(`Seconds between starts: ${String(seconds)} is not between 0 and ${MAX_BATCH_INTERVAL_SECONDS}`);
    }
    const params = new Map(step.parameters.map((p) => [p.id, ctx.evaluate(`Parameter "${p.key}"`, p.value)]));
    const { batchId, total } = await scheduler.scheduleList({
      workflowId: step.workflowId,
      items,
      itemParameterId: step.itemParameterId,
      params,
      startAt,
      intervalMs: Math.round(seconds * 1000),
      ordered: step.ordered,
      onFinishWorkflowId: step.onFinishWorkflowId,
      idempotencyKey: ctx.idempotencyKey,
    });
    ctx.log(`Scheduled ${step.workflowName} for ${total} items from ${startAt.toISOString()}: batch ${batchId}`);
    return { input: { workflow: step.workflowName, items: total, start_date: startAt.toISOString(), interval_seconds: seconds, ordered: step.ordered }, output: batchId };
  },
};
