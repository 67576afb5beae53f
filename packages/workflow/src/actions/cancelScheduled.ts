import { z } from 'zod';
import { Expr } from '../expression.ts';
import { LIMITS } from '../limits.ts';
import { T } from '../types.ts';
import { type ActionModule, NonRetriableError } from './module.ts';

const Config = z.object({
  type: z.literal('cancelScheduled'),
  runId: z
    .string()
    .max(LIMITS.expressionChars)
    .meta({
      ui: {
        kind: 'expression',
        label: 'Run id',
        placeholder: 'steps.schedule_reminder',
        hint: 'The id "Schedule API workflow" gave. A run that has started already is not stopped.',
      },
    }),
});

const Compiled = z.object({ runId: Expr });

/** "Cancel a scheduled API workflow": its result says whether a pending run was cancelled. */
export const cancelScheduledAction: ActionModule<z.infer<typeof Config>, z.infer<typeof Compiled>> = {
  type: 'cancelScheduled',
  label: 'Cancel a scheduled API workflow',
  description: 'Cancels a scheduled run that has not started. Its result is yes when it was cancelled.',
  icon: 'cancel',
  terminal: false,
  effect: true,
  config: Config,
  create: () => ({ type: 'cancelScheduled', runId: '' }),
  summary: (config, display) =>
    config.runId.trim() ? { text: `Cancels run ${display(config.runId)}`, empty: false } : { text: 'Which run?', empty: true },
  compile(config, ctx) {
    if (config.runId.trim() === '') {
      ctx.error('runId', 'Write the id of the run to cancel');
      return null;
    }
    const runId = ctx.expression('runId', config.runId, { type: T.text });
    return runId ? { runId } : null;
  },
  compiled: Compiled,
  resultType: () => T.boolean,
  async execute(step, ctx) {
    const scheduler = ctx.services.scheduler;
    if (!scheduler) throw new NonRetriableError('This runner cannot cancel scheduled runs');
    const runId = ctx.text('Run id', { parts: [{ expr: step.runId }] });
    const result = await scheduler.cancel([runId]);
    ctx.log(result.cancelled ? `Cancelled run ${runId}` : result.started ? `Run ${runId} has already started: not cancelled` : `No scheduled run ${runId}`);
    return { input: { run_id: runId }, output: result.cancelled === 1 };
  },
};
