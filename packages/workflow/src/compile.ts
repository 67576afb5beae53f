import { ACTIONS } from './catalog.ts';
import type { Diagnostic, ParameterSpec, Step, WorkflowDefinition } from './definition.ts';
import { DEFINITION_SCHEMA_VERSION } from './definition.ts';
import {
  type Expr,
  type Template,
  ExpressionSyntaxError,
  paramsUsed,
  parseExpression,
  parseTemplate,
  templateParamsUsed,
} from './expression.ts';
import type { ActionNode, ApiEventNode, WorkflowGraph } from './graph.ts';
import { IDENTIFIER, RESERVED_WORDS } from './names.ts';

export type CompileResult = {
  /** Present when there is no error (warnings allowed). */
  definition: WorkflowDefinition | null;
  diagnostics: Diagnostic[];
};

/**
 * Turns the editor's graph into an executable definition. It never throws on builder mistakes:
 * every problem becomes a diagnostic pinned to a node and field, so the editor can show all of
 * them at once.
 */
export function compile(name: string, graph: WorkflowGraph): CompileResult {
  const diagnostics: Diagnostic[] = [];
  const error = (nodeId: string | null, field: string | null, message: string) =>
    diagnostics.push({ nodeId, field, message, severity: 'error' });
  const warning = (nodeId: string | null, field: string | null, message: string) =>
    diagnostics.push({ nodeId, field, message, severity: 'warning' });

  const events = graph.nodes.filter((n): n is ApiEventNode => n.type === 'apiEvent');
  const [event, ...extraEvents] = events;
  for (const extra of extraEvents) error(extra.id, null, 'A workflow has exactly one event; delete this one');
  if (!event) {
    error(null, null, 'The workflow has no event: add an "API workflow" event');
    return { definition: null, diagnostics };
  }

  const parameters = compileParameters(event, error);
  const known = new Set(parameters.map((p) => p.key));

  const chain = orderedActions(graph, event, error, warning);
  const steps: Step[] = [];
  chain.forEach((node, index) => {
    const step = compileAction(node, known, error);
    if (!step) return;
    steps.push(step);
    const next = chain[index + 1];
    if (next && ACTIONS[node.data.action.type].terminal && !step.onlyWhen) {
      warning(next.id, null, `Never runs: "${step.label}" ends the workflow before it`);
    }
  });

  const hasErrors = diagnostics.some((d) => d.severity === 'error');
  const definition: WorkflowDefinition | null = hasErrors
    ? null
    : { schemaVersion: DEFINITION_SCHEMA_VERSION, name, trigger: { type: 'api', parameters }, steps };
  return { definition, diagnostics };
}

type Report = (nodeId: string | null, field: string | null, message: string) => void;

function compileParameters(event: ApiEventNode, error: Report): ParameterSpec[] {
  const seen = new Set<string>();
  const specs: ParameterSpec[] = [];
  for (const parameter of event.data.parameters) {
    const field = `parameters.${parameter.id}.key`;
    const key = parameter.key.trim();
    if (key === '') {
      error(event.id, field, 'Parameter key is required');
    } else if (!IDENTIFIER.test(key)) {
      error(event.id, field, `Parameter key "${key}" may contain only letters, digits and underscores, and must not start with a digit`);
    } else if (RESERVED_WORDS.has(key)) {
      error(event.id, field, `"${key}" is a reserved word; choose another key`);
    } else if (seen.has(key)) {
      error(event.id, field, `Two parameters are called "${key}"`);
    }
    seen.add(key);
    specs.push({ key, type: parameter.type, optional: parameter.optional });
  }
  return specs;
}

/** Follows the edges from the event: actions run one after another, in the order they are connected. */
function orderedActions(graph: WorkflowGraph, event: ApiEventNode, error: Report, warning: Report): ActionNode[] {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const outgoing = new Map<string, string[]>();
  for (const edge of graph.edges) outgoing.set(edge.source, [...(outgoing.get(edge.source) ?? []), edge.target]);

  const chain: ActionNode[] = [];
  const visited = new Set<string>([event.id]);
  let current: string = event.id;
  for (;;) {
    const targets = outgoing.get(current) ?? [];
    if (targets.length > 1) {
      error(current, null, 'Actions run one after another: connect this node to only one next action');
    }
    const nextId = targets[0];
    if (nextId === undefined) break;
    if (visited.has(nextId)) {
      error(current, null, 'This connection makes a loop; actions must run in a straight line');
      break;
    }
    const next = byId.get(nextId);
    if (!next || next.type !== 'action') {
      error(current, null, 'Connected to something that is not an action');
      break;
    }
    visited.add(nextId);
    chain.push(next);
    current = nextId;
  }
  for (const node of graph.nodes) {
    if (node.type === 'action' && !visited.has(node.id)) {
      warning(node.id, null, 'Not connected to the event, so it never runs');
    }
  }
  return chain;
}

function compileAction(node: ActionNode, known: Set<string>, error: Report): Step | null {
  const action = node.data.action;
  const label = node.data.title?.trim() || ACTIONS[action.type].label;
  let failed = false;
  const fail: Report = (nodeId, field, message) => {
    failed = true;
    error(nodeId, field, message);
  };
  const onlyWhenText = node.data.onlyWhen?.trim() ?? '';
  const onlyWhen = onlyWhenText ? expressionField(node.id, 'onlyWhen', onlyWhenText, known, fail) : undefined;

  switch (action.type) {
    case 'log': {
      if (action.message.trim() === '') fail(node.id, 'message', 'Write the text or {{expression}} to log');
      const message = templateField(node.id, 'message', action.message, known, fail);
      return failed || !message ? null : { id: node.id, type: 'log', label, ...(onlyWhen && { onlyWhen }), message };
    }
    case 'returnData': {
      const seen = new Set<string>();
      const entries: { key: string; value: Template }[] = [];
      for (const entry of action.entries) {
        const key = entry.key.trim();
        const keyField = `entries.${entry.id}.key`;
        if (key === '') fail(node.id, keyField, 'Key is required');
        else if (seen.has(key)) fail(node.id, keyField, `Two keys are called "${key}"`);
        seen.add(key);
        const value = templateField(node.id, `entries.${entry.id}.value`, entry.value, known, fail);
        if (value) entries.push({ key, value });
      }
      return failed ? null : { id: node.id, type: 'returnData', label, ...(onlyWhen && { onlyWhen }), entries };
    }
  }
}

function templateField(nodeId: string, field: string, text: string, known: Set<string>, fail: Report): Template | null {
  let template: Template;
  try {
    template = parseTemplate(text);
  } catch (e) {
    if (!(e instanceof ExpressionSyntaxError)) throw e;
    fail(nodeId, field, e.message);
    return null;
  }
  return checkParams(nodeId, field, templateParamsUsed(template), known, fail) ? template : null;
}

function expressionField(nodeId: string, field: string, text: string, known: Set<string>, fail: Report): Expr | undefined {
  // "Only when" fields accept both `x > 3` and `{{x > 3}}`.
  const source = text.startsWith('{{') && text.endsWith('}}') ? text.slice(2, -2) : text;
  let expr: Expr;
  try {
    expr = parseExpression(source);
  } catch (e) {
    if (!(e instanceof ExpressionSyntaxError)) throw e;
    fail(nodeId, field, e.message);
    return undefined;
  }
  return checkParams(nodeId, field, paramsUsed(expr), known, fail) ? expr : undefined;
}

function checkParams(nodeId: string, field: string, used: Set<string>, known: Set<string>, fail: Report): boolean {
  const unknown = [...used].filter((key) => !known.has(key));
  for (const key of unknown) fail(nodeId, field, `Unknown parameter "${key}"`);
  return unknown.length === 0;
}
