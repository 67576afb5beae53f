import { z } from 'zod';
import { Expr, Template } from './expression.ts';
import { ParameterType } from './graph.ts';

/**
 * The executable form of a workflow, produced by `compile` and frozen into releases. It is plain
 * JSON: every expression is already parsed, and steps keep the stable id of the node they came from
 * so run records can be shown on the canvas.
 */
export const DEFINITION_SCHEMA_VERSION = 1;

export const ParameterSpec = z.object({
  key: z.string(),
  type: ParameterType,
  optional: z.boolean(),
});
export type ParameterSpec = z.infer<typeof ParameterSpec>;

const StepBase = {
  /** The id of the action node this step was compiled from. */
  id: z.string(),
  /** What the run detail shows for this step. */
  label: z.string(),
  /** When present and false at run time, the step is skipped. */
  onlyWhen: Expr.optional(),
};

export const LogStep = z.object({ ...StepBase, type: z.literal('log'), message: Template });
export const ReturnDataStep = z.object({
  ...StepBase,
  type: z.literal('returnData'),
  entries: z.array(z.object({ key: z.string(), value: Template })),
});

export const Step = z.discriminatedUnion('type', [LogStep, ReturnDataStep]);
export type Step = z.infer<typeof Step>;

export const ApiTrigger = z.object({ type: z.literal('api'), parameters: z.array(ParameterSpec) });
export type ApiTrigger = z.infer<typeof ApiTrigger>;

export const WorkflowDefinition = z.object({
  schemaVersion: z.literal(DEFINITION_SCHEMA_VERSION),
  name: z.string(),
  trigger: ApiTrigger,
  steps: z.array(Step),
});
export type WorkflowDefinition = z.infer<typeof WorkflowDefinition>;

/** A problem found by the compiler, pinned to the node and field it comes from. */
export const Diagnostic = z.object({
  /** The node the problem belongs to; null for problems of the workflow as a whole. */
  nodeId: z.string().nullable(),
  /** A path inside the node's data, e.g. "message" or "parameters.<parameterId>.key". */
  field: z.string().nullable(),
  message: z.string(),
  /** Errors block deploys and test runs; warnings are shown but do not. */
  severity: z.enum(['error', 'warning']),
});
export type Diagnostic = z.infer<typeof Diagnostic>;
