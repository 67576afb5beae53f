import type { z } from 'zod';
import type { Expectation } from '../check.ts';
import type { WorkflowSummary } from '../compile.ts';
import type { Expr, Json, Template, Value } from '../expression.ts';
import type { AbortSignalLike, Services } from '../services.ts';
import type { Type } from '../types.ts';

/**
 * One action type, whole: what the editor stores and shows, how it compiles, the type of its
 * result, and how it runs. Adding an action means writing one of these and adding it to the
 * registry (registry.ts); nothing else changes.
 *
 * `C` is the stored configuration (the graph's `action` object, discriminated by `type`), `D` the
 * compiled form frozen into definitions (expressions parsed, references resolved).
 */
export interface ActionModule<C extends { type: string } = { type: string }, D = unknown> {
  type: C['type'];
  label: string;
  description: string;
  /** Which icon the editor draws (see the web app's ActionIcon). */
  icon: string;
  /** Ends the run when it executes (nothing after it runs). */
  terminal: boolean;
  /**
   * Acts outside the run (writes data, sends email, calls HTTP, schedules). The run is durably
   * recorded before such a step starts, and the step gets an idempotency key to pass on.
   */
  effect: boolean;
  /**
   * May take a while (waits on a timer or the network). A run with such a step gets its time
   * limit enforced, and a synchronous caller is answered 202 if it has not ended within the wait
   * limit. Steps that compute and return at once leave it out.
   */
  waits?: boolean;
  /** The stored form, with UI hints as `.meta({ ui })` on its fields (see form.ts). */
  config: z.ZodType<C>;
  /** A fresh configuration for a node just added from the palette. */
  create(): C;
  /**
   * One line for the node on the canvas; `display` turns stored text into what the editor shows,
   * `workflowName` names a workflow by id (for actions that refer to another workflow).
   */
  summary(config: C, display: (storedText: string) => string, workflowName?: (id: string) => string | undefined): { text: string; empty: boolean };
  compile(config: C, ctx: CompileContext): D | null;
  /** The compiled form's schema, checked when a definition is read back. */
  compiled: z.ZodType<D>;
  /** The type of the result later steps may reference (`steps.<name>.…`); null: no result. */
  resultType(step: D): Type | null;
  execute(step: D, ctx: ExecuteContext): Promise<StepResult> | StepResult;
  /** Bytes of the stored JSON of this step's input and output; default LIMITS.recordBytes. */
  limits?: { recordBytes?: number };
  /**
   * The workflows (by id) this step runs or schedules. A deploy refuses a workflow whose targets
   * would not be live with it (releaseDiff.ts, `workflowTargets`). Left out: none.
   */
  targets?(step: D): string[];
}

export interface CompileContext {
  nodeId: string;
  /**
   * A workflow this one may schedule, by stable id: undefined when there is none, null when the
   * compiler was given no list of workflows (targets are then checked when a run schedules).
   */
  workflow(id: string): WorkflowSummary | undefined | null;
  /** The id of the workflow being compiled, when known. */
  selfId: string | null;
  /** This step or the event has an "Only when" condition. */
  conditional: boolean;
  /** Parses, resolves and type-checks a `{{ }}` template field. Problems go on `field`; null then. */
  template(field: string, text: string, expect: Expectation): Template | null;
  /** The same for a field that is one expression (braces optional), like "Only when". */
  expression(field: string, text: string, expect: Expectation): Expr | null;
  error(field: string | null, message: string): void;
  warning(field: string | null, message: string): void;
}

export interface ExecuteContext {
  /** Evaluates a template; a failure is a step error that names `what` ("Message", `Value of "total"`). */
  render(what: string, template: Template): Value;
  /** Like render, as text. */
  text(what: string, template: Template): string;
  evaluate(what: string, expr: Expr): Value;
  /** Adds a line to the step's log. */
  log(line: string): void;
  services: Services;
  /** Aborted when the run times out or the runner stops. */
  signal: AbortSignalLike;
  /** Run id and step path: pass it on (HTTP header, email Message-ID) so a repeated effect is recognised. */
  idempotencyKey: string;
}

export interface StepResult {
  /** What the step worked on, for the run record (e.g. the rendered message). */
  input?: Json;
  /** The step's result, which later steps can reference. */
  output?: Value;
  /**
   * Ends the run and answers the caller with this body. A terminal module makes it its `output` too:
   * a resumed run answers with the recorded output of the step that ended it.
   */
  response?: Record<string, Json>;
}

/** Thrown by a step whose failure will not go away by trying again. */
export class NonRetriableError extends Error {
  override name = 'NonRetriableError';
}
