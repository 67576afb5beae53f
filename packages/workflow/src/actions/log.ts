import { z } from 'zod';
import { Template } from '../expression.ts';
import { LIMITS } from '../limits.ts';
import { T } from '../types.ts';
import type { ActionModule } from './module.ts';

const Config = z.object({
  type: z.literal('log'),
  message: z
    .string()
    .max(LIMITS.expressionChars)
    .meta({
      ui: {
        kind: 'template',
        label: 'Message',
        placeholder: 'Hello {{name}}',
        multiline: true,
        hint: 'Text with {{ expressions }}, e.g. Total: {{amount * 2}}',
      },
    }),
});

const Compiled = z.object({ message: Template });

/** "Log a value": evaluates a message and writes it to the run's log. Its result is the message. */
export const logAction: ActionModule<z.infer<typeof Config>, z.infer<typeof Compiled>> = {
  type: 'log',
  label: 'Log a value',
  description: "Writes text or an expression's value to the run's log.",
  icon: 'log',
  terminal: false,
  effect: false,
  config: Config,
  create: () => ({ type: 'log', message: '' }),
  summary: (config, display) =>
    config.message.trim() ? { text: display(config.message), empty: false } : { text: 'Nothing to log yet', empty: true },
  compile(config, ctx) {
    if (config.message.trim() === '') {
      ctx.error('message', 'Write the text or {{expression}} to log');
      return null;
    }
    const message = ctx.template('message', config.message, 'text');
    return message ? { message } : null;
  },
  compiled: Compiled,
  resultType: () => T.object({ message: T.text }),
  execute(step, ctx) {
    const message = ctx.text('Message', step.message);
    ctx.log(message);
    const record = { message };
    return { input: record, output: record };
  },
};
