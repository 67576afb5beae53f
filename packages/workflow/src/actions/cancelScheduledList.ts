import { z } from 'zod';
import { Expr } from '../expression.ts';
import { LIMITS } from '../limits.ts';
import { T } from '../types.ts';
import { type ActionModule, NonRetriableError } from './module.ts';

/** Ids one step may cancel. */
export const MAX_CANCEL_IDS = 10_000;

const Config = z.object({
  type: z.literal('cancelScheduledList'),
  runIds: z
    .string()
    .max(LIMITS.expressionChars)
    .meta({
      ui: {
        kind: 'expression',
        label: 'Run ids',
        placeholder: 'reminder_ids',
        hint: `A list of run ids (text), at most ${MAX_CANCEL_IDS.toLocaleString('en')}. Runs that have started already are not stopped.`,
      },
    }),
});

const Compiled = z.object({ runIds: Expr });

/** "Cancel a list of scheduled API workflows": its result is how many were cancelled. */
export const cancelScheduledListAction: ActionModule<z.infer<typeof Config>, z.infer<typeof Compiled>> = {
  type: 'cancelScheduledList',
  label: 'Cancel a list of scheduled API workflows',
  description: 'Cancels the scheduled runs of a list of ids that have not started. Its result is how many were cancelled.',
  icon: 'cancel',
  terminal: false,
  effect: true,
  config: Config,
  create: () => ({ type: 'cancelScheduledList', runIds: '' }),
  summary: (config, display) =>
    config.runIds.trim() ? { text: `Cancels runs ${display(config.runIds)}`, empty: false } : { text: 'Which runs?', empty: true },
  compile(config, ctx) {
    if (config.runIds.trim() === '') {
      ctx.error('runIds', 'Write the list of run ids to cancel');
      return null;
    }
    const runIds = ctx.expression('runIds', config.runIds, { type: T.list(T.text) });
    return runIds ? { runIds } : null;
  },
  compiled: Compiled,
  resultType: () => T.number,
  async execute(step, ctx) {
    const scheduler = ctx.services.scheduler;
    if (!scheduler) throw new NonRetriableError('This runner cannot cancel scheduled runs');
    const list = ctx.evaluate('Run ids', step.runIds) ?? [];
    if (!Array.isArray(list)) throw new NonRetriableError('Run ids: not a list');
    if (list.length > MAX_CANCEL_IDS) throw new NonRetriableError(`Run ids: ${list.length} ids; at most ${MAX_CANCEL_IDS} at once`);
    const ids = list.filter((id): id is string => typeof id === 'string' && id !== '');
    const result = await scheduler.cancel(ids);
    ctx.log(`Cancelled ${result.cancelled}; ${result.started} had started; ${result.unknown} not found`);
    return { input: { run_ids: ids.length }, output: result.cancelled };
  },
};
