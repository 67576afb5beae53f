import { type ActionModule, type ExecuteContext, NonRetriableError, type StepResult } from './actions/module.ts';
import { actionModule } from './actions/registry.ts';
import { parseDate } from './dates.ts';
import type { Step, WorkflowDefinition } from './definition.ts';
import { type EvalContext, EvaluationError, type Json, type Value, evaluate, formatValue, isRecord, renderTemplate, setOwn, toJsonValue, truthy } from './expression.ts';
import { LIMITS } from './limits.ts';
import type { AbortSignalLike, Services } from './services.ts';
import type { Type } from './types.ts';

/**
 * The interpreter: runs a compiled definition step by step against injected services and returns
 * what happened as records; it writes nothing itself (the server's runner does). Given the steps
 * an earlier attempt finished, it resumes after them without executing them again.
 */

export type StepStatus = 'succeeded' | 'failed' | 'skipped';

export interface StepRecord {
  /** Where the step sits in the definition's tree (today: its id). Records are keyed by path and attempt. */
  path: string;
  stepId: string;
  type: string;
  label: string;
  status: StepStatus;
  startedAt: Date;
  durationMs: number;
  /** JSON text, bounded (LIMITS.recordBytes or the module's own cap). */
  input: string | null;
  output: string | null;
  error: string | null;
  logs: string[];
  /** The step ran out of the run's time. */
  timedOut: boolean;
}

/**
 * A step an earlier attempt finished: its status and (parsed) output. When the step ended the run
 * (a terminal action such as "Return data"), its output is its response: resuming answers with it
 * and runs nothing after it.
 */
export interface CompletedStep {
  status: 'succeeded' | 'skipped';
  output: Value;
}

export interface InterpretRequest {
  definition: WorkflowDefinition;
  /** Parameter values by parameter id (see readInputs). */
  params: ReadonlyMap<string, Value>;
  services: Services;
  runId: string;
  /** This is a later attempt of the run (a retry or a recovery): the event's condition passed before. */
  resumed?: boolean;
  /** Steps finished by earlier attempts, by path: not executed again. */
  completed?: ReadonlyMap<string, CompletedStep>;
  /** Aborted when the run times out (or the runner must stop). */
  signal?: AbortSignalLike;
  /** Awaited before a step that acts outside the run: the server makes the run durable there. */
  beforeEffect?(step: Step): Promise<void>;
  /** Each record as soon as its step ends, for checkpointing. */
  onStep?(record: StepRecord): void;
  /** Where action modules are looked up by type; default: the registry (tests pass their own). */
  modules?: (type: string) => ActionModule | undefined;
}

export type Outcome =
  | { status: 'skipped'; reason: string; records: StepRecord[] }
  | {
      status: 'succeeded';
      /** What "Return data from API" answered, as JSON text; null when no such step ran. */
      response: string | null;
      records: StepRecord[];
    }
  | {
      status: 'failed';
      error: string;
      /** Whether another attempt may succeed (not for builder mistakes or timeouts). */
      retriable: boolean;
      timedOut: boolean;
      failedPath: string;
      records: StepRecord[];
    };

export const CONDITION_NOT_MET = 'The workflow\'s "Only when" condition was not met';

/** Raised through a step when the run's signal aborts. */
export class RunTimeoutError extends Error {
  override name = 'RunTimeoutError';
}

class StepFailure extends Error {
  constructor(
    message: string,
    readonly retriable: boolean,
    readonly timedOut = false,
  ) {
    super(message);
  }
}

export async function interpret(request: InterpretRequest): Promise<Outcome> {
  const { definition, services } = request;
  const values = new Map<string, Value>(request.params);
  const records: StepRecord[] = [];
  const completed = request.completed ?? new Map<string, CompletedStep>();
  const timeZone = effectiveTimeZone(definition, services);

  // A later attempt resumes a run the condition already let through; it is not asked again.
  if (definition.trigger.onlyWhen && !request.resumed) {
    let pass: boolean;
    try {
      pass = truthy(evaluate(definition.trigger.onlyWhen, { values, now: services.now(), timeZone }));
    } catch (error) {
      const message = error instanceof EvaluationError ? `"Only when" of the workflow: ${error.message}` : internalError(services, error);
      return { status: 'failed', error: message, retriable: false, timedOut: false, failedPath: '', records };
    }
    if (!pass) return { status: 'skipped', reason: CONDITION_NOT_MET, records };
  }

  const lookup = request.modules ?? actionModule;
  let response: string | null = null;
  for (const [index, step] of definition.steps.entries()) {
    const path = step.id;
    const done = completed.get(path);
    const module = lookup(step.type);
    if (done) {
      const resultType = module && done.status === 'succeeded' ? module.resultType(step.config as never) : null;
      values.set(step.id, resultType ? revive(done.output, resultType) : done.output);
      // A finished step that ends the run ended it: its output was the response, and nothing after it runs.
      if (module?.terminal && done.status === 'succeeded') {
        response = done.output === null ? null : JSON.stringify(toJsonValue(done.output));
        break;
      }
      continue;
    }
    const startedAt = services.now();
    const started = services.monotonic();
    const record = (fields: Pick<StepRecord, 'status' | 'input' | 'output' | 'error' | 'logs'> & { timedOut?: boolean }): StepRecord => {
      const r: StepRecord = {
        path,
        stepId: step.id,
        type: step.type,
        label: step.label,
        startedAt,
        durationMs: services.monotonic() - started,
        timedOut: false,
        ...fields,
      };
      records.push(r);
      request.onStep?.(r);
      return r;
    };
    const logs: string[] = [];
    try {
      if (request.signal?.aborted) throw new StepFailure('Timed out before this step started', false, true);
      const ctx: EvalContext = { values, now: startedAt, timeZone };
      if (step.onlyWhen && !truthy(guard('Only when', () => evaluate(step.onlyWhen!, ctx)))) {
        values.set(step.id, null);
        record({ status: 'skipped', input: '{"onlyWhen":false}', output: null, error: null, logs });
        continue;
      }
      if (!module) throw new StepFailure(`This version does not know the action "${step.type}"`, false);
      if (module.effect) await request.beforeEffect?.(step);
      const exec = executeContext(ctx, services, logs, request, path);
      // Steps that compute and return at once are not awaited: a run of such steps goes through
      // without a turn of the event loop per step. Only a promise is raced against the time limit.
      const returned = module.execute(step.config as never, exec);
      const result = returned instanceof Promise ? await withSignal(returned, request.signal) : returned;
      const cap = module.limits?.recordBytes ?? LIMITS.recordBytes;
      const input = bounded(result.input, cap, 'Input');
      // A step whose input is its output (Log) is serialised once.
      const output = result.output !== undefined && (result.output as unknown) === result.input ? input : bounded(result.output, cap, 'Output');
      if (result.response) response = result.response === result.output ? output : bounded(result.response, LIMITS.recordBytes, 'The response');
      values.set(step.id, result.output ?? null);
      record({ status: 'succeeded', input, output, error: null, logs });
      if (module.terminal) break;
    } catch (error) {
      const failure = classify(error, services);
      record({ status: 'failed', input: null, output: null, error: failure.message, logs, timedOut: failure.timedOut });
      return {
        status: 'failed',
        error: `Step ${index + 1} "${step.label}" failed: ${failure.message}`,
        retriable: failure.retriable,
        timedOut: failure.timedOut,
        failedPath: path,
        records,
      };
    }
  }
  return { status: 'succeeded', response, records };
}

/** The zone date functions work in: the workflow's, else the instance's, else UTC. */
export function effectiveTimeZone(definition: Pick<WorkflowDefinition, 'settings'>, services: Pick<Services, 'timeZone'>): string {
  return definition.settings.timeZone ?? services.timeZone ?? 'UTC';
}

function executeContext(ctx: EvalContext, services: Services, logs: string[], request: InterpretRequest, path: string): ExecuteContext {
  return {
    render: (what, template) => guard(what, () => renderTemplate(template, ctx)),
    text: (what, template) => guard(what, () => formatValue(renderTemplate(template, ctx))),
    evaluate: (what, expr) => guard(what, () => evaluate(expr, ctx)),
    log: (line) => {
      if (logs.length < 1000) logs.push(line);
    },
    services,
    signal: request.signal ?? NEVER_ABORTED,
    idempotencyKey: `${request.runId}:${path}`,
  };
}

const NEVER_ABORTED: AbortSignalLike = { aborted: false, addEventListener() {}, removeEventListener() {} };

/** Evaluates one field; a builder-visible failure names the field. */
function guard<T>(what: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof EvaluationError) throw new StepFailure(`${what}: ${error.message}`, false);
    throw error;
  }
}

function withSignal<T>(work: Promise<T>, signal: AbortSignalLike | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(new RunTimeoutError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new RunTimeoutError());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function classify(error: unknown, services: Services): StepFailure {
  if (error instanceof StepFailure) return error;
  if (error instanceof RunTimeoutError) return new StepFailure('Timed out: the run took longer than its time limit', false, true);
  if (error instanceof EvaluationError || error instanceof NonRetriableError) return new StepFailure(error.message, false);
  // Engine errors (a stack overflow, a bug) are logged on the server and never shown as they are.
  if (error instanceof RangeError || error instanceof TypeError || error instanceof ReferenceError || error instanceof SyntaxError) {
    return new StepFailure(internalError(services, error), false);
  }
  // Anything else came from the outside world (a refused connection, a 503): trying again may help.
  return new StepFailure(error instanceof Error ? error.message : String(error), true);
}

function internalError(services: Services, error: unknown): string {
  services.logger.error('step failed with an internal error', { err: error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : String(error) });
  return 'Internal error in this step (the details are in the server log)';
}

/** JSON text of a record field, or a step failure when it is larger than the cap. */
function bounded(value: Json | Value | Record<string, Json> | undefined, capBytes: number, what: string): string | null {
  if (value === undefined) return null;
  const text = JSON.stringify(value);
  const bytes = text.length * 3 <= capBytes ? text.length : utf8Length(text);
  if (bytes > capBytes) {
    throw new StepFailure(`${what} is too large: ${formatBytes(bytes)}, and the limit is ${formatBytes(capBytes)}`, false);
  }
  return text;
}

function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** Stored outputs come back as JSON: dates are turned back into dates where the result type says so. */
export function revive(value: Value, type: Type): Value {
  if (value === null) return null;
  switch (type.kind) {
    case 'date':
      return typeof value === 'string' ? (parseDate(value) ?? value) : value;
    case 'list':
      return Array.isArray(value) ? value.map((item) => revive(item, type.of)) : value;
    case 'object': {
      const fields = type.fields;
      if (!fields || !isRecord(value)) return value;
      const out: Record<string, Value> = { ...value };
      for (const [key, fieldType] of Object.entries(fields)) if (Object.hasOwn(value, key)) setOwn(out, key, revive(value[key]!, fieldType));
      return out;
    }
    default:
      return value;
  }
}

export type { StepResult };
