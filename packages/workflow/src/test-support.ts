import { compile } from './compile.ts';
import type { WorkflowDefinition } from './definition.ts';
import type { Value } from './expression.ts';
import { WorkflowGraph } from './graph.ts';
import { type InterpretRequest, type Outcome, interpret } from './interpret.ts';
import { readInputs } from './parameters.ts';
import type { AbortSignalLike, Services } from './services.ts';

/**
 * Builders shared by the kernel's tests (`*.test.ts`). Not exported from index.ts and not used by
 * the kernel itself; it imports nothing a kernel file may not.
 */

export const NOW = new Date('2026-03-29T00:30:00.000Z');

export interface FakeServices extends Services {
  /** What the interpreter logged (internal errors). */
  logged: { level: 'warn' | 'error'; message: string; details?: Record<string, unknown> }[];
}

/** A fixed clock, a monotonic clock that advances 1 ms per reading, and a logger that remembers. */
export function fakeServices(now: Date = NOW): FakeServices {
  let tick = 0;
  const logged: FakeServices['logged'] = [];
  return {
    now: () => new Date(now),
    monotonic: () => ++tick,
    logger: {
      warn: (message, details) => logged.push({ level: 'warn', message, details }),
      error: (message, details) => logged.push({ level: 'error', message, details }),
    },
    logged,
  };
}

/** A parameter as the editor sends it (defaults filled in by the schema). */
export interface ParameterInput {
  id: string;
  key: string;
  type: 'text' | 'number' | 'boolean' | 'date' | 'object';
  list?: boolean;
  optional?: boolean;
  fields?: { id: string; key: string; type: 'text' | 'number' | 'boolean' | 'date' | 'object'; list?: boolean; optional?: boolean }[];
}

export interface ActionInput {
  id: string;
  title?: string;
  onlyWhen?: string;
  /** The action's stored config (validated by the graph schema). */
  action: unknown;
}

export const log = (id: string, message: string, extra: Omit<ActionInput, 'id' | 'action'> = {}): ActionInput => ({
  id,
  ...extra,
  action: { type: 'log', message },
});

export const returnData = (id: string, entries: Record<string, string>, extra: Omit<ActionInput, 'id' | 'action'> = {}): ActionInput => ({
  id,
  ...extra,
  action: { type: 'returnData', entries: Object.entries(entries).map(([key, value], i) => ({ id: `${id}_e${i}`, key, value })) },
});

/**
 * A version-2 graph: the event (`event`) with its parameters, then the actions connected one after
 * another in the order given; `loose` actions are not connected.
 */
export function graph(options: {
  parameters?: ParameterInput[];
  actions?: ActionInput[];
  loose?: ActionInput[];
  onlyWhen?: string;
  settings?: unknown;
}): WorkflowGraph {
  const actions = options.actions ?? [];
  const node = (a: ActionInput, i: number) => ({
    id: a.id,
    type: 'action',
    position: { x: 0, y: 100 * (i + 1) },
    data: { action: a.action, ...(a.title !== undefined && { title: a.title }), ...(a.onlyWhen !== undefined && { onlyWhen: a.onlyWhen }) },
  });
  return WorkflowGraph.parse({
    schemaVersion: 2,
    nodes: [
      {
        id: 'event',
        type: 'apiEvent',
        position: { x: 0, y: 0 },
        data: {
          parameters: options.parameters ?? [],
          ...(options.onlyWhen !== undefined && { onlyWhen: options.onlyWhen }),
          ...(options.settings !== undefined && { settings: options.settings }),
        },
      },
      ...actions.map(node),
      ...(options.loose ?? []).map((a, i) => node(a, actions.length + i)),
    ],
    edges: actions.map((a, i) => ({ id: `edge_${i}`, source: i === 0 ? 'event' : actions[i - 1]!.id, target: a.id })),
  });
}

/** Compiles and insists there is no error (the messages are in the thrown error). */
export function compiled(source: WorkflowGraph, name = 'test'): WorkflowDefinition {
  const result = compile(name, source);
  if (!result.definition) {
    throw new Error(`Expected to compile: ${result.diagnostics.map((d) => `${d.nodeId}/${d.field}: ${d.message}`).join('; ')}`);
  }
  return result.definition;
}

/** Reads a body as the endpoint does and interprets the definition; refused inputs throw. */
export async function call(
  definition: WorkflowDefinition,
  body: Record<string, unknown> = {},
  extra: Partial<InterpretRequest> = {},
): Promise<Outcome> {
  const inputs = readInputs(definition.trigger.parameters, body);
  if (!inputs.ok) throw new Error(`Inputs refused: ${inputs.errors.map((e) => e.message).join('; ')}`);
  return interpret({ definition, params: inputs.values, services: fakeServices(), runId: 'run_1', ...extra });
}

/** What a caller gets: the outcome without the timing of its records. */
export function result(outcome: Outcome): unknown {
  const { records, ...rest } = outcome;
  return { ...rest, steps: records.map((r) => ({ path: r.path, status: r.status, output: r.output, error: r.error })) };
}

/** An AbortSignal without DOM or Node types. */
export class TestSignal implements AbortSignalLike {
  aborted = false;
  private listeners = new Set<() => void>();
  addEventListener(_type: 'abort', listener: () => void) {
    this.listeners.add(listener);
  }
  removeEventListener(_type: 'abort', listener: () => void) {
    this.listeners.delete(listener);
  }
  abort() {
    this.aborted = true;
    for (const listener of [...this.listeners]) listener();
  }
  get listenerCount() {
    return this.listeners.size;
  }
}

/** A promise and the functions that settle it. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A deep copy of plain JSON data (no DOM or Node types here, so no structuredClone). */
export const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** Parameter values keyed by id, for evaluating stored expressions directly. */
export const values = (entries: Record<string, Value>): Map<string, Value> => new Map(Object.entries(entries));
