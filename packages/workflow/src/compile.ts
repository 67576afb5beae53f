import type { CompileContext } from './actions/module.ts';
import { actionModule } from './actions/registry.ts';
import { followChain } from './chain.ts';
import { type Expectation, type Referent, type TypeEnv, TypeCheckError, checkExpression, checkTemplate, mismatch, show } from './check.ts';
import { isValidTimeZone } from './dateFunctions.ts';
import { DEFINITION_SCHEMA_VERSION, type Diagnostic, type ParameterSpec, type Step, type WorkflowDefinition } from './definition.ts';
import { type Expr, ExpressionSyntaxError, type Template, parseExpression, parseTemplate, refsUsed } from './expression.ts';
import { type ApiEventNode, type Parameter, type WorkflowGraph, endpointSettings, eventParameters, isEventNode } from './graph.ts';
import { validateRecurrence } from './recurrence.ts';
import { LIMITS } from './limits.ts';
import { IDENTIFIER, isReservedWord } from './names.ts';

const V1_RESERVED = new Set(['now', 'true', 'false', 'null', 'this']);
import { typeOfField } from './parameters.ts';
import { STEPS_NAMESPACE, bindGraph, nameTable, stepTitle, toDisplayText } from './references.ts';
import { T, isAssignable } from './types.ts';

export type CompileResult = {
  /** Present when there is no error (warnings allowed). */
  definition: WorkflowDefinition | null;
  diagnostics: Diagnostic[];
};

type Report = (nodeId: string | null, field: string | null, message: string) => void;

/** What a workflow that schedules another needs to know of it: its name and parameters. */
export interface WorkflowSummary {
  id: string;
  name: string;
  parameters: readonly Parameter[];
  /** A recurring job: it runs on its schedule and cannot be scheduled by a step. */
  recurring?: boolean;
}

export interface CompileOptions {
  /** The id of the workflow being compiled (to recognise one that schedules itself). */
  workflowId?: string;
  /**
   * The workflows that may be scheduled, by id. Without it, targets are not checked (they are
   * checked again when a run schedules).
   */
  workflows?: ReadonlyMap<string, WorkflowSummary>;
}

/** A workflow as a scheduling target, read from its graph. */
export function workflowSummary(id: string, name: string, graph: WorkflowGraph): WorkflowSummary {
  const event = graph.nodes.find(isEventNode);
  return { id, name, parameters: eventParameters(event), recurring: event?.type === 'recurringEvent' };
}

/**
 * Turns the editor's graph into an executable definition. It never throws on builder mistakes:
 * every problem becomes a diagnostic pinned to a node and field, so the editor can show all of
 * them at once. Expressions are parsed, their references resolved by id and their types checked.
 */
export function compile(name: string, source: WorkflowGraph, options: CompileOptions = {}): CompileResult {
  // Names typed before what they name existed are bound to ids first, as saving does.
  const graph = bindGraph(source);
  const diagnostics: Diagnostic[] = [];
  const error: Report = (nodeId, field, message) => diagnostics.push({ nodeId, field, message, severity: 'error' });
  const warning: Report = (nodeId, field, message) => diagnostics.push({ nodeId, field, message, severity: 'warning' });

  const events = graph.nodes.filter(isEventNode);
  for (const extra of events.slice(1)) error(extra.id, null, 'A workflow has exactly one event; delete this one');
  const chain = followChain(graph.nodes, graph.edges);
  const event = chain.event;
  if (!event) {
    error(null, null, 'The workflow has no event: add an "API workflow" or a "Recurring" event');
    return { definition: null, diagnostics };
  }
  for (const problem of chain.problems) error(problem.nodeId, null, problem.message);
  const inChain = new Set(chain.actions.map((a) => a.id));
  for (const node of graph.nodes) {
    if (node.type === 'action' && !inChain.has(node.id)) warning(node.id, null, 'Not connected to the event, so it never runs');
  }

  // null (or absent, in a graph not read through the schema): the instance's zone.
  const timeZone = event.data.settings.timeZone ?? null;
  if (timeZone !== null && !isValidTimeZone(timeZone)) {
    error(event.id, 'settings.timeZone', `Unknown time zone ${JSON.stringify(timeZone)}: use an IANA name such as "Europe/Paris", "America/New_York" or "UTC"`);
  }

  const table = nameTable(graph.nodes, graph.edges);
  const lenient = event.type === 'apiEvent' && event.data.typing === 'lenient';
  const parameters = event.type === 'apiEvent' ? compileParameters(event, error, lenient) : [];
  if (event.type === 'recurringEvent') {
    // The instance's zone is not known here; an explicit zone and the schedule itself are checked.
    const checked = validateRecurrence(event.data.schedule, 'UTC');
    if (!checked.ok) error(event.id, `schedule.${checked.field}`, checked.message);
  }
  /** What `$id` means at the current point: parameters, then each step's result once it has run. */
  const referents = new Map<string, Referent>();
  for (const p of parameters) referents.set(p.id, { name: p.key, type: typeOfField(p) });
  const later = new Map(chain.actions.map((a) => [a.id, table.stepName.get(a.id) ?? a.id]));
  const env: TypeEnv = { lookup: (id) => referents.get(id), lenient };
  const unconnected = new Map(graph.nodes.filter((n) => n.type === 'action' && !inChain.has(n.id)).map((n) => [n.id, table.stepName.get(n.id) ?? n.id]));
  /** Why a step's result cannot be used here (it runs later, is this step, or never runs). */
  const unusableStep = (used: Set<string>, nodeId: string): string | undefined => {
    for (const id of used) {
      if (referents.has(id)) continue;
      const name = later.get(id);
      if (id === nodeId && name) return `A step cannot use its own result (${STEPS_NAMESPACE}.${name})`;
      if (name) return `${STEPS_NAMESPACE}.${name} runs after this step: only earlier steps' results can be used`;
      const loose = unconnected.get(id);
      if (loose) return `${STEPS_NAMESPACE}.${loose} is not connected to the event, so it never runs: its result cannot be used`;
    }
    return undefined;
  };

  const field = <R>(nodeId: string, fieldPath: string, run: () => R): R | null => {
    try {
      return run();
    } catch (e) {
      if (e instanceof TypeCheckError) {
        error(nodeId, fieldPath, e.message);
        return null;
      }
      if (e instanceof ExpressionSyntaxError) {
        // The parser quotes the stored text ("In {{$p_x +}}"): show the builder the names instead.
        error(nodeId, fieldPath, toDisplayText(e.message, 'expression', table));
        return null;
      }
      throw e;
    }
  };
  const checkedTemplate = (nodeId: string, fieldPath: string, text: string, expect: Expectation): Template | null =>
    field(nodeId, fieldPath, () => {
      const parsed = parseTemplate(text);
      const unusable = unusableStep(refsUsed(parsed), nodeId);
      if (unusable) throw new TypeCheckError(unusable);
      return checkTemplate(parsed, env, expect).value;
    });
  const checkedExpression = (nodeId: string, fieldPath: string, text: string, expect: Expectation): Expr | null =>
    field(nodeId, fieldPath, () => {
      const trimmed = text.trim();
      // Conditions accept both `x > 3` and `{{x > 3}}`.
      const source = trimmed.startsWith('{{') && trimmed.endsWith('}}') ? trimmed.slice(2, -2) : trimmed;
      const parsed = parseExpression(source);
      const unusable = unusableStep(refsUsed(parsed), nodeId);
      if (unusable) throw new TypeCheckError(unusable);
      const checked = checkExpression(parsed, env);
      if (typeof expect === 'object' && !lenient && !isAssignable(checked.type, expect.type)) {
        throw new TypeCheckError(mismatch(show(parsed, env), checked.type, expect.type));
      }
      return checked.value;
    });

  // A signature covers the body only: a signed endpoint reads no parameter from the query string.
  const endpoint = endpointSettings(event);
  if (endpoint?.signature && endpoint.exposed) {
    if (endpoint.method === 'GET') error(event.id, 'endpoint.method', 'A signed endpoint is called with POST: its signature covers the body, and GET has none');
    for (const parameter of eventParameters(event).filter((p) => p.fromQuery)) {
      error(event.id, `parameters.${parameter.id}.fromQuery`, `"${parameter.key}" cannot come from the query string of a signed endpoint: the signature covers the body only`);
    }
  }
  const eventOnlyWhenText = event.data.onlyWhen?.trim() ?? '';
  const eventOnlyWhen = eventOnlyWhenText ? checkedExpression(event.id, 'onlyWhen', eventOnlyWhenText, { type: T.boolean }) : undefined;

  const steps: Step[] = [];
  chain.actions.forEach((node, index) => {
    const module = actionModule(node.data.action.type);
    if (!module) {
      error(node.id, null, `Unknown action type "${node.data.action.type}"`);
      return;
    }
    const errorsBefore = diagnostics.filter((d) => d.severity === 'error').length;
    const onlyWhenText = node.data.onlyWhen?.trim() ?? '';
    const onlyWhen = onlyWhenText ? checkedExpression(node.id, 'onlyWhen', onlyWhenText, { type: T.boolean }) : undefined;
    const ctx: CompileContext = {
      nodeId: node.id,
      workflow: (id) => (options.workflows ? (options.workflows.get(id) ?? undefined) : null),
      selfId: options.workflowId ?? null,
      conditional: Boolean(onlyWhenText || eventOnlyWhenText),
      template: (fieldPath, text, expect) => checkedTemplate(node.id, fieldPath, text, expect),
      expression: (fieldPath, text, expect) => checkedExpression(node.id, fieldPath, text, expect),
      error: (fieldPath, message) => error(node.id, fieldPath, message),
      warning: (fieldPath, message) => warning(node.id, fieldPath, message),
    };
    const config = module.compile(node.data.action as never, ctx);
    const failed = diagnostics.filter((d) => d.severity === 'error').length > errorsBefore || config === null;
    const label = stepTitle(node);
    // The step's result is visible to the steps after it, whether or not this one compiled.
    const resultType = config === null ? null : module.resultType(config as never);
    referents.set(node.id, { name: `${STEPS_NAMESPACE}.${table.stepName.get(node.id)}`, type: resultType ? (onlyWhen ? { ...resultType, nullable: true } : resultType) : T.empty });
    later.delete(node.id);
    const next = chain.actions[index + 1];
    if (next && module.terminal && !onlyWhen && !failed) {
      warning(next.id, null, `Never runs: "${label}" ends the workflow before it`);
    }
    if (failed || onlyWhen === null) return;
    steps.push({ id: node.id, type: module.type, label, ...(onlyWhen && { onlyWhen }), config });
  });

  if (steps.length > LIMITS.steps) error(null, null, `A workflow may have at most ${LIMITS.steps} steps`);
  const hasErrors = diagnostics.some((d) => d.severity === 'error');
  const definition: WorkflowDefinition | null = hasErrors
    ? null
    : {
        schemaVersion: DEFINITION_SCHEMA_VERSION,
        name,
        trigger:
          event.type === 'apiEvent'
            ? { type: 'api', parameters, ...(eventOnlyWhen && { onlyWhen: eventOnlyWhen }), endpoint: endpointSettings(event)! }
            : { type: 'recurring', parameters: [], schedule: event.data.schedule, ...(eventOnlyWhen && { onlyWhen: eventOnlyWhen }) },
        settings: event.data.settings,
        steps,
      };
  return { definition, diagnostics };
}

function compileParameters(event: ApiEventNode, error: Report, lenient: boolean): ParameterSpec[] {
  const seen = new Set<string>();
  return event.data.parameters.map((parameter: Parameter) => {
    const field = `parameters.${parameter.id}.key`;
    const key = parameter.key.trim();
    checkKey(key, seen, (message) => error(event.id, field, message), 'Parameter', lenient);
    const spec: ParameterSpec = { id: parameter.id, key, type: parameter.type, list: parameter.list, optional: parameter.optional, ...(parameter.fromQuery && { fromQuery: true }) };
    if (parameter.type === 'object' && parameter.fields && parameter.fields.length > 0) {
      const seenFields = new Set<string>();
      spec.fields = parameter.fields.map((f) => {
        const fieldKey = f.key.trim();
        if (fieldKey === '') error(event.id, `parameters.${parameter.id}.fields.${f.id}.key`, 'Field name is required');
        // Bodies holding this key are refused, so a field of this name could never be given.
        else if (fieldKey === '__proto__') error(event.id, `parameters.${parameter.id}.fields.${f.id}.key`, '"__proto__" cannot be a field name');
        else if (seenFields.has(fieldKey)) error(event.id, `parameters.${parameter.id}.fields.${f.id}.key`, `Two fields are called "${fieldKey}"`);
        seenFields.add(fieldKey);
        return { id: f.id, key: fieldKey, type: f.type, list: f.list, optional: f.optional };
      });
    }
    return spec;
  });
}

function checkKey(key: string, seen: Set<string>, report: (message: string) => void, what: string, lenient: boolean) {
  if (key === '') report(`${what} key is required`);
  else if (!IDENTIFIER.test(key)) report(`${what} key "${key}" may contain only letters, digits and underscores, and must not start with a digit`);
  // Migrated workflows keep keys that were allowed before "steps" and function names were reserved.
  else if (lenient ? V1_RESERVED.has(key) : isReservedWord(key)) report(`"${key}" is a reserved word; choose another key`);
  else if (seen.has(key)) report(`Two parameters are called "${key}"`);
  seen.add(key);
}
