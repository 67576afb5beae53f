import { actionModule } from './actions/registry.ts';
import { followChain } from './chain.ts';
import { REF_PREFIX } from './expression.ts';
import { formOf, mapExpressionFields } from './form.ts';
import { type ActionNode, type GraphEdge, type GraphNode, type WorkflowGraph, eventParameters, isEventNode } from './graph.ts';
import { type Token, expressionRegions, tokenize } from './lexer.ts';

/**
 * Names and ids. Stored expressions reference parameters and earlier steps by id (`$param_x1`,
 * `$node_ab`, and a declared field of an object parameter as `.$field_c`); the editor shows the
 * current names instead (`amount`, `steps.charge_card`, `order.total`). Converting between the two
 * is lexical, so it works on text that is still being typed and round-trips exactly; renaming a
 * parameter or a step changes what the editor shows and nothing that is stored.
 */

/** The prefix under which the editor shows earlier steps' results: `steps.<name>`. */
export const STEPS_NAMESPACE = 'steps';

export interface NameTable {
  paramKey: Map<string, string>;
  paramByKey: Map<string, string>;
  /** Per parameter id: field id -> key, and key -> field id. */
  fieldKey: Map<string, Map<string, string>>;
  fieldByKey: Map<string, Map<string, string>>;
  stepName: Map<string, string>;
  stepByName: Map<string, string>;
  /** Ids of list parameters: `items[0].price` names a declared field of an item. */
  lists?: Set<string>;
}

/** "Charge card" -> "charge_card": the name a step's result goes by in expressions. */
export function slugify(text: string): string {
  const slug = text
    .normalize('NFKD')
    // Accents come apart from their letters under NFKD: drop the marks ("Éclair" -> "eclair").
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (slug === '') return 'step';
  return /^[0-9]/.test(slug) ? `step_${slug}` : slug;
}

export function stepTitle(node: ActionNode): string {
  return node.data.title?.trim() || actionModule(node.data.action.type)?.label || node.data.action.type;
}

/**
 * Every action's result name, unique in the workflow: the chain's actions first, in order, then
 * unconnected ones; a repeated name gets `_2`, `_3`...
 */
export function stepNames(nodes: readonly GraphNode[], edges: readonly GraphEdge[]): Map<string, string> {
  const { actions } = followChain(nodes, edges);
  const inChain = new Set(actions.map((a) => a.id));
  const ordered = [...actions, ...nodes.filter((n): n is ActionNode => n.type === 'action' && !inChain.has(n.id))];
  const names = new Map<string, string>();
  const used = new Set<string>();
  for (const node of ordered) {
    const base = slugify(stepTitle(node));
    let name = base;
    for (let n = 2; used.has(name); n++) name = `${base}_${n}`;
    used.add(name);
    names.set(node.id, name);
  }
  return names;
}

export function nameTable(nodes: readonly GraphNode[], edges: readonly GraphEdge[]): NameTable {
  const table: NameTable = {
    paramKey: new Map(),
    paramByKey: new Map(),
    fieldKey: new Map(),
    fieldByKey: new Map(),
    stepName: stepNames(nodes, edges),
    stepByName: new Map(),
    lists: new Set(),
  };
  for (const [id, name] of table.stepName) table.stepByName.set(name, id);
  const event = nodes.find(isEventNode);
  {
    for (const parameter of eventParameters(event)) {
      const key = parameter.key.trim();
      table.paramKey.set(parameter.id, key);
      if (key && !table.paramByKey.has(key)) table.paramByKey.set(key, parameter.id);
      if (parameter.list) table.lists?.add(parameter.id);
      if (parameter.type === 'object' && parameter.fields) {
        const byId = new Map<string, string>();
        const byKey = new Map<string, string>();
        for (const field of parameter.fields) {
          byId.set(field.id, field.key.trim());
          if (field.key.trim() && !byKey.has(field.key.trim())) byKey.set(field.key.trim(), field.id);
        }
        table.fieldKey.set(parameter.id, byId);
        table.fieldByKey.set(parameter.id, byKey);
      }
    }
  }
  return table;
}

export type ExpressionKind = 'template' | 'expression';

function convertRegions(text: string, kind: ExpressionKind, convert: (region: string) => string): string {
  if (kind === 'expression') return convert(text);
  let out = '';
  let at = 0;
  for (const { start, end } of expressionRegions(text)) {
    out += text.slice(at, start) + convert(text.slice(start, end));
    at = end;
  }
  return out + text.slice(at);
}

const prevSignificant = (tokens: Token[], index: number): Token | undefined => {
  for (let i = index - 1; i >= 0; i--) if (tokens[i]!.type !== 'space') return tokens[i];
  return undefined;
};

const nextSignificant = (tokens: Token[], index: number): Token | undefined => {
  for (let i = index + 1; i < tokens.length; i++) if (tokens[i]!.type !== 'space') return tokens[i];
  return undefined;
};

/**
 * Which parameter's declared fields a `.name` at this point would name. It follows the tokens: a
 * parameter makes itself the owner; `[ … ]` after a list parameter makes the list's item the
 * owner (`items[0].price`); anything else but spaces and dots ends ownership. Both directions run
 * the same machine over token streams that differ only in names and ids, so they agree.
 */
class FieldOwner {
  private owner: string | null = null;
  private item = false;
  private readonly brackets: (string | null)[] = [];
  constructor(private readonly table: NameTable) {}

  /** The parameter whose fields a `.name` now names, if any. */
  get current(): string | null {
    return this.owner;
  }
  /** After a parameter reference (by name or by id). */
  param(id: string | null) {
    this.owner = id;
    this.item = false;
  }
  /** After any other token. */
  other(token: Token) {
    if (token.type === 'space' || token.text === '.') return;
    if (token.text === '[') {
      this.brackets.push(this.owner !== null && !this.item && this.table.lists?.has(this.owner) ? this.owner : null);
      this.param(null);
    } else if (token.text === ']') {
      const list = this.brackets.pop() ?? null;
      this.owner = list;
      this.item = list !== null;
    } else this.param(null);
  }
}

/** Stored text -> what the editor shows: `$id` becomes the current name. Unknown ids stay as they are. */
export function toDisplayText(stored: string, kind: ExpressionKind, table: NameTable): string {
  return convertRegions(stored, kind, (region) => {
    const tokens = tokenize(region);
    const owner = new FieldOwner(table);
    let out = '';
    tokens.forEach((token, index) => {
      let text = token.text;
      if (token.type !== 'ident') owner.other(token);
      else if (prevSignificant(tokens, index)?.text === '.') {
        const fieldOwner = owner.current;
        if (fieldOwner && text.startsWith(REF_PREFIX)) text = table.fieldKey.get(fieldOwner)?.get(text.slice(REF_PREFIX.length)) || text;
        owner.param(null);
      } else if (text.startsWith(REF_PREFIX)) {
        const id = text.slice(REF_PREFIX.length);
        const key = table.paramKey.get(id);
        const step = table.stepName.get(id);
        if (key) text = key;
        else if (step) text = `${STEPS_NAMESPACE}.${step}`;
        owner.param(table.paramKey.has(id) ? id : null);
      } else owner.param(null);
      out += text;
    });
    return out;
  });
}

/**
 * What the builder typed -> stored text: a current parameter key becomes `$<id>`, `steps.<name>`
 * becomes `$<node id>`, a declared field after a parameter (or after an item of a list parameter,
 * `items[0].price`) becomes `.$<field id>`. Anything else (strings, unknown names, `$ids`) is kept
 * as typed.
 */
export function toStoredText(display: string, kind: ExpressionKind, table: NameTable): string {
  return convertRegions(display, kind, (region) => {
    const tokens = tokenize(region);
    const owner = new FieldOwner(table);
    let out = '';
    for (let index = 0; index < tokens.length; index++) {
      const token = tokens[index]!;
      let text = token.text;
      if (token.type !== 'ident') owner.other(token);
      else if (prevSignificant(tokens, index)?.text === '.') {
        const fieldOwner = owner.current;
        const fieldId = fieldOwner ? table.fieldByKey.get(fieldOwner)?.get(text) : undefined;
        if (fieldId) text = `${REF_PREFIX}${fieldId}`;
        owner.param(null);
      } else if (text === STEPS_NAMESPACE && tokens[index + 1]?.text === '.' && tokens[index + 2]?.type === 'ident') {
        const stepId = table.stepByName.get(tokens[index + 2]!.text);
        if (stepId) {
          text = `${REF_PREFIX}${stepId}`;
          index += 2;
        }
        owner.param(null);
      } else if (nextSignificant(tokens, index)?.text === '(') {
        // A function's name, even when a parameter is (wrongly) called the same: never a reference.
        owner.param(null);
      } else {
        const byId = text.startsWith(REF_PREFIX) && table.paramKey.has(text.slice(REF_PREFIX.length));
        const paramId = byId ? text.slice(REF_PREFIX.length) : table.paramByKey.get(text);
        if (paramId && !byId) text = `${REF_PREFIX}${paramId}`;
        owner.param(paramId ?? null);
      }
      out += text;
    }
    return out;
  });
}

/** Applies `change` to every expression field of a node (conditions and the action's own fields). */
export function mapNodeExpressions(node: GraphNode, change: (text: string, kind: ExpressionKind, field: string) => string): GraphNode {
  if (node.type !== 'action') {
    const onlyWhen = node.data.onlyWhen;
    const next = onlyWhen === undefined ? undefined : change(onlyWhen, 'expression', 'onlyWhen');
    return next === onlyWhen ? node : ({ ...node, data: { ...node.data, onlyWhen: next } } as GraphNode);
  }
  const module = actionModule(node.data.action.type);
  const onlyWhen = node.data.onlyWhen;
  const nextOnlyWhen = onlyWhen === undefined ? undefined : change(onlyWhen, 'expression', 'onlyWhen');
  const action = module ? mapExpressionFields(node.data.action, formOf(module.config), change) : node.data.action;
  if (nextOnlyWhen === onlyWhen && action === node.data.action) return node;
  return { ...node, data: { ...node.data, onlyWhen: nextOnlyWhen, action } } as GraphNode;
}

/**
 * Binds names to ids everywhere: any plain name in an expression that is now a parameter or a
 * step becomes its id. The server does this on every save and import, so what is stored refers by
 * id even when a name was typed before the thing it names existed.
 */
export function bindGraph(graph: WorkflowGraph): WorkflowGraph {
  const table = nameTable(graph.nodes, graph.edges);
  let changed = false;
  const nodes = graph.nodes.map((node) => {
    // Straight to stored text, not through the display form: an id already stored stays as it is
    // even when its name is ambiguous (two parameters called the same), so a later rename of one
    // of them cannot move references to the other.
    const next = mapNodeExpressions(node, (text, kind) => toStoredText(text, kind, table));
    if (next !== node) changed = true;
    return next;
  });
  return changed ? { ...graph, nodes } : graph;
}
