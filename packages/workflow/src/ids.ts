import { z } from 'zod';

/**
 * Ids of nodes, parameters and fields. They double as reference tokens inside expressions
 * (`$param_x1`), so they are identifier-safe. Its own module because action modules use it and
 * graph.ts imports the action modules.
 */
export const Id = z
  .string()
  .regex(/^[A-Za-z0-9_]{1,64}$/, 'Ids are 1 to 64 letters, digits or underscores');
