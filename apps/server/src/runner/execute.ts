import {
  type EvalContext,
  type Step,
  type Value,
  type WorkflowDefinition,
  EvaluationError,
  evaluate,
  formatValue,
  renderTemplate,
  toJsonValue,
} from '@switchyard/workflow';
import type { StepRecord } from '../services/runs.ts';

export interface Execution {
  status: 'success' | 'failed';
  /** What "Return data from API" produced; empty when no such step ran. */
  response: Record<string, unknown>;
  error: string | null;
  steps: StepRecord[];
}

type StepOutcome = { input: unknown; output: unknown; logs: string[]; ends: boolean };

/**
 * Executes a definition's steps in order against validated parameter values. Builder mistakes that
 * only show at run time (dividing by zero, comparing text with a number) fail the step with a
 * readable message; the run stops there.
 */
export function executeDefinition(
  definition: WorkflowDefinition,
  params: Record<string, Value>,
  now: () => Date,
): Execution {
  const steps: StepRecord[] = [];
  let response: Record<string, unknown> = {};
  for (const [position, step] of definition.steps.entries()) {
    const startedAt = now();
    const started = performance.now();
    const ctx: EvalContext = { params, now: startedAt };
    const base = { position, stepId: step.id, type: step.type, label: step.label, startedAt };
    try {
      if (step.onlyWhen && !evaluate(step.onlyWhen, ctx)) {
        steps.push({ ...base, status: 'skipped', durationMs: performance.now() - started, input: { onlyWhen: false }, output: null, error: null, logs: [] });
        continue;
      }
      const outcome = runStep(step, ctx);
      steps.push({ ...base, status: 'success', durationMs: performance.now() - started, input: outcome.input, output: outcome.output, error: null, logs: outcome.logs });
      if (step.type === 'returnData') response = outcome.output as Record<string, unknown>;
      if (outcome.ends) break;
    } catch (error) {
      const message = error instanceof EvaluationError ? error.message : `Internal error: ${(error as Error).message}`;
      steps.push({ ...base, status: 'failed', durationMs: performance.now() - started, input: null, output: null, error: message, logs: [] });
      return { status: 'failed', response: {}, error: `Step ${position + 1} "${step.label}" failed: ${message}`, steps };
    }
  }
  return { status: 'success', response, error: null, steps };
}

function runStep(step: Step, ctx: EvalContext): StepOutcome {
  switch (step.type) {
    case 'log': {
      const text = formatValue(renderTemplate(step.message, ctx));
      return { input: { message: text }, output: null, logs: [text], ends: false };
    }
    case 'returnData': {
      // fromEntries defines own properties, so a key like "__proto__" is returned like any other.
      const data = Object.fromEntries(step.entries.map((entry) => [entry.key, toJsonValue(renderTemplate(entry.value, ctx))]));
      return { input: null, output: data, logs: [], ends: true };
    }
  }
}
