import { z } from 'zod';
import { functionSpec } from './functions.ts';

/** A workflow's name: the last segment of its endpoint URL, so only URL-safe characters. */
export const WorkflowName = z
  .string()
  .min(1, 'Name is required')
  .max(64, 'Name must be at most 64 characters')
  .regex(
    /^[a-z0-9]+(?:-[a-z0-9]+)*$/,
    'Name may contain lowercase letters, digits and single hyphens, and must not start or end with a hyphen',
  );
export type WorkflowName = z.infer<typeof WorkflowName>;

/** A free-text label shown in the editor. */
export const WorkflowLabel = z.string().trim().max(200, 'Label must be at most 200 characters');

/**
 * Parameter keys appear in JSON bodies and in expressions, so they are identifiers (letters, digits,
 * underscores; not starting with a digit). Keys of returned data only appear in JSON: any text.
 */
export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Words that expressions reserve; a parameter may not be called this, nor like a function. */
export const RESERVED_WORDS = new Set(['now', 'true', 'false', 'null', 'this', 'steps']);

export function isReservedWord(key: string): boolean {
  return RESERVED_WORDS.has(key) || functionSpec(key) !== undefined;
}
