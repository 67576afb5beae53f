import { z } from 'zod';
import { Expr } from '../expression.ts';
import { LIMITS } from '../limits.ts';
import { T } from '../types.ts';
import { type ActionModule, NonRetriableError } from './module.ts';

const MAX_SECONDS = 3600;

const Config = z.object({
  type: z.literal('wait'),
  seconds: z
    .string()
    .max(LIMITS.expressionChars)
    .meta({
      ui: {
        kind: 'expression',
        label: 'Seconds',
        placeholder: '5',
        hint: `A number of seconds, up to ${MAX_SECONDS}, or an expression giving one.`,
      },
    }),
});

const Compiled = z.object({ seconds: Expr });

/**
 * "Wait": pauses the run, e.g. to let a slow system catch up before the next step. The pause
 * counts against the run's time limit; a synchronous caller still waiting when the wait limit
 * passes gets 202 and the run goes on.
 */
export const waitAction: ActionModule<z.infer<typeof Config>, z.infer<typeof Compiled>> = {
  type: 'wait',
  label: 'Wait',
  description: 'Pauses the run for a number of seconds before the next step.',
  icon: 'wait',
  terminal: false,
  effect: false,
  waits: true,
  config: Config,
  create: () => ({ type: 'wait', seconds: '5' }),
  summary: (config, display) =>
    config.seconds.trim() ? { text: `Waits ${display(config.seconds)} s`, empty: false } : { text: 'How long? (seconds)', empty: true },
  compile(config, ctx) {
    if (config.seconds.trim() === '') {
      ctx.error('seconds', 'Write how many seconds to wait');
      return null;
    }
    const seconds = ctx.expression('seconds', config.seconds, { type: T.number });
    return seconds ? { seconds } : null;
  },
  compiled: Compiled,
  resultType: () => null,
  async execute(step, ctx) {
    const seconds = ctx.evaluate('Seconds', step.seconds) as number;
    if (!Number.isFinite(seconds) || seconds < 0 || seconds > MAX_SECONDS) {
      throw new NonRetriableError(`Seconds: ${seconds} is not between 0 and ${MAX_SECONDS}`);
    }
    if (!ctx.services.sleep) throw new NonRetriableError('This runner cannot wait');
    await ctx.services.sleep(seconds * 1000, ctx.signal);
    return { input: { seconds } };
  },
};
