import { z } from 'zod';
import { actionModule } from './actions/registry.ts';
import { upgradeV1Definition } from './definition-v1.ts';
import { EndpointSettings } from './endpoint.ts';
import { Expr } from './expression.ts';
import { ParameterType } from './graph.ts';
import { RecurrenceSpec } from './recurrence.ts';
import { WorkflowSettings } from './settings.ts';

/**
 * The executable form of a workflow, produced by `compile` and frozen into releases (schema version
 * 2). It is plain JSON: expressions are parsed and type-checked, and every reference is by id.
 *
 * It is a tree: `steps` is a sequence, and a step's path names where it sits (today the top level
 * only, so a path is the step's id; branches and loops will nest as `<parent path>/<id>` and
 * `<loop path>[<iteration>]/<id>`). Run records are keyed by step path and attempt, never by position.
 */
export const DEFINITION_SCHEMA_VERSION = 2;

export const FieldSpec = z.object({
  id: z.string(),
  key: z.string(),
  type: ParameterType,
  list: z.boolean(),
  optional: z.boolean(),
});
export type FieldSpec = z.infer<typeof FieldSpec>;

export const ParameterSpec = FieldSpec.extend({ fields: z.array(FieldSpec).optional(), fromQuery: z.boolean().optional() });
export type ParameterSpec = z.infer<typeof ParameterSpec>;

export const Step = z
  .object({
    /** The id of the action node this step was compiled from; also its path at the top level. */
    id: z.string(),
    /** The action module that runs it. */
    type: z.string(),
    /** What the run detail shows for this step. */
    label: z.string(),
    /** When present and false at run time, the step is skipped. */
    onlyWhen: Expr.optional(),
    /** The module's compiled configuration, checked against the module's own schema. */
    config: z.unknown(),
  })
  .superRefine((step, ctx) => {
    const module = actionModule(step.type);
    if (!module) {
      ctx.addIssue({ code: 'custom', path: ['type'], message: `Unknown action type "${step.type}"` });
      return;
    }
    const parsed = module.compiled.safeParse(step.config);
    if (!parsed.success) {
      ctx.addIssue({ code: 'custom', path: ['config'], message: `Invalid ${step.type} step: ${parsed.error.issues[0]?.message}` });
    }
  });
export type Step = z.infer<typeof Step>;

export const ApiTrigger = z.object({
  type: z.literal('api'),
  parameters: z.array(ParameterSpec),
  /** The event's "Only when": false means the run is skipped. */
  onlyWhen: Expr.optional(),
  /**
   * The endpoint settings when it was deployed. Calls use the saved workflow's settings; these
   * answer only for a workflow deleted while still live.
   */
  endpoint: EndpointSettings.optional(),
});
export type ApiTrigger = z.infer<typeof ApiTrigger>;

/** A recurring job's trigger: its schedule. It has no parameters (the list is empty). */
export const RecurringTrigger = z.object({
  type: z.literal('recurring'),
  parameters: z.array(ParameterSpec).max(0),
  schedule: RecurrenceSpec,
  onlyWhen: Expr.optional(),
});
export type RecurringTrigger = z.infer<typeof RecurringTrigger>;

export const Trigger = z.discriminatedUnion('type', [ApiTrigger, RecurringTrigger]);
export type Trigger = z.infer<typeof Trigger>;

export const WorkflowDefinition = z.object({
  schemaVersion: z.literal(DEFINITION_SCHEMA_VERSION),
  name: z.string(),
  trigger: Trigger,
  settings: WorkflowSettings,
  steps: z.array(Step),
});
export type WorkflowDefinition = z.infer<typeof WorkflowDefinition>;

/**
 * Reads a stored definition of any schema version (releases made before version 2 hold version-1
 * definitions that name parameters by key) and returns the current version.
 */
export function parseDefinition(raw: unknown): WorkflowDefinition {
  const version = (raw as { schemaVersion?: unknown } | null)?.schemaVersion;
  return WorkflowDefinition.parse(version === 1 ? upgradeV1Definition(raw) : raw);
}

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
