import {
  type ActionNode,
  type ApiEventNode,
  type FormField,
  type GraphNode,
  type NameTable,
  type ObjectField,
  type Parameter,
  type ParameterType,
  type RecurringEventNode,
  STEPS_NAMESPACE,
  type Type,
  type WorkflowSummary,
  actionModule,
  describeType,
  eventParameters,
  orEmpty,
  followChain,
  formOf,
  stepTitle,
  typeOfField,
} from '@switchyard/workflow';

/** How the editor names each parameter type, in the type select. */
export const PARAMETER_TYPE_OPTIONS: { value: ParameterType; label: string }[] = [
  { value: 'text', label: 'Text' },
  { value: 'number', label: 'Number' },
  { value: 'boolean', label: 'Yes / no' },
  { value: 'date', label: 'Date' },
  { value: 'object', label: 'Object' },
];

const ONE: Record<ParameterType, string> = { text: 'text', number: 'number', boolean: 'yes/no', date: 'date', object: 'object' };
const MANY: Record<ParameterType, string> = { text: 'texts', number: 'numbers', boolean: 'yes/no values', date: 'dates', object: 'objects' };

/**
 * A parameter's or field's type in a few words, for chips and labels: "number", "list of numbers",
 * "object (3 fields)", "list of objects (1 field)", with ", optional" when it may be left out.
 */
export function describeParameter(p: Pick<Parameter, 'type' | 'list' | 'optional'> & { fields?: readonly ObjectField[] }, withOptional = true): string {
  let text = p.list ? `list of ${MANY[p.type]}` : ONE[p.type];
  const count = p.type === 'object' ? (p.fields?.length ?? 0) : 0;
  if (count > 0) text += ` (${count} ${count === 1 ? 'field' : 'fields'})`;
  if (withOptional && p.optional) text += ', optional';
  return text;
}

/** One name an expression may use here, with its type in words. */
export interface AvailableName {
  /** What to type (and what the field shows): `amount`, `order.total`, `steps.charge.message`. */
  name: string;
  type: string;
  group: 'parameter' | 'step' | 'value';
}

/**
 * The type of a step's result, from its module. Modules compute it from their compiled form; the
 * editor has none for a step being edited, so this asks without one and gives up (null) when the
 * module needs it. Log's and Return data's result types do not depend on their configuration.
 */
function resultTypeOf(node: ActionNode): Type | null {
  const module = actionModule(node.data.action.type);
  if (!module) return null;
  try {
    return module.resultType(undefined as never);
  } catch {
    return null;
  }
}

/**
 * What an expression in `nodeId` may use: the parameters (and the declared fields of object
 * parameters), the results of the steps that run before it (and their fields), and `now`.
 */
export function availableNames(nodes: readonly GraphNode[], edges: Parameters<typeof followChain>[1], nodeId: string, table: NameTable): AvailableName[] {
  const { event, actions } = followChain(nodes, edges);
  const out: AvailableName[] = [];
  for (const p of eventParameters(event)) {
    const key = p.key.trim();
    if (!key) continue;
    out.push({ name: key, type: describeType(typeOfField(p)), group: 'parameter' });
    if (p.type === 'object') {
      // A declared field of the object, or of an item of a list of objects (`items[0].price`).
      const owner = p.list ? `${key}[0]` : key;
      // Read through something that may be empty (an optional object, a list's item), a field may be too.
      const mayBeEmpty = p.optional || p.list;
      for (const f of p.fields ?? []) {
        const type = typeOfField(f);
        if (f.key.trim()) out.push({ name: `${owner}.${f.key.trim()}`, type: describeType(mayBeEmpty ? orEmpty(type) : type), group: 'parameter' });
      }
    }
  }
  // Only the steps that run before this one (none for the event, or for a node not in the chain).
  const position = actions.findIndex((a) => a.id === nodeId);
  for (const action of actions.slice(0, Math.max(position, 0))) {
    const name = table.stepName.get(action.id);
    const type = resultTypeOf(action);
    if (!name || !type) continue;
    const base = `${STEPS_NAMESPACE}.${name}`;
    if (type.kind === 'object' && type.fields) {
      for (const [field, fieldType] of Object.entries(type.fields)) {
        out.push({ name: `${base}.${field}`, type: describeType(action.data.onlyWhen ? orEmpty(fieldType) : fieldType), group: 'step' });
      }
    } else {
      out.push({ name: base, type: describeType(type), group: 'step' });
    }
  }
  out.push({ name: 'now', type: 'a date', group: 'value' });
  return out;
}

/** The workflows by id, as the compiler checks scheduling targets (`EditorModel.workflows()`). */
export type Workflows = ReadonlyMap<string, WorkflowSummary> | undefined;

/**
 * A form field found by diagnostic path (`message`, `entries.e1.value`, `parameters.p_x`), with
 * where it sits in words ("Key 2 · Value", "Parameters › amount").
 */
function formFieldLabel(fields: readonly FormField[], path: string, config: Record<string, unknown>, workflows: Workflows): string | null {
  const [key, itemId, ...rest] = path.split('.');
  const field = fields.find((f) => f.key === key);
  if (!field) return null;
  if (field.kind === 'parameters' && itemId !== undefined) {
    // A value for one parameter of the target, named by the target's current key for it.
    const targetId = config[field.workflowKey];
    const parameter = typeof targetId === 'string' ? workflows?.get(targetId)?.parameters.find((p) => p.id === itemId) : undefined;
    return `${field.label} › ${parameter?.key.trim() || itemId}`;
  }
  if (field.kind !== 'list' || itemId === undefined) return field.label;
  const items = Array.isArray(config[field.key]) ? (config[field.key] as { id?: unknown }[]) : [];
  const index = items.findIndex((item) => item.id === itemId);
  const where = `${field.itemLabel} ${index >= 0 ? index + 1 : '?'}`;
  const sub = rest.length > 0 && index >= 0 ? formFieldLabel(field.fields, rest.join('.'), items[index] as Record<string, unknown>, workflows) : null;
  return sub ? `${where} · ${sub}` : where;
}

/** What `fieldLabel` reads of a node. */
export type NodeContent = Pick<ApiEventNode, 'type' | 'data'> | Pick<RecurringEventNode, 'type' | 'data'> | Pick<ActionNode, 'type' | 'data'>;

/** What the run settings' diagnostics are about, by field path. */
const SETTING_LABELS: Record<string, string> = { timeZone: 'Time zone' };

/** The Recurring event form's schedule fields, by diagnostic path (`schedule.cron`...), as labelled there. */
const SCHEDULE_LABELS: Record<string, string> = { cron: 'Cron expression', every: 'Run every', startAt: 'Starts', timeZone: 'Time zone' };

/**
 * Where in a node a diagnostic's field is, in words ("Message", "Key 2 · Value", "Parameter amount",
 * "Parameters › amount"). `workflows` names the parameters of a scheduling action's target.
 */
export function fieldLabel(node: NodeContent | undefined, field: string | null, workflows?: Workflows): string | null {
  if (field === null) return null;
  if (field === 'onlyWhen') return 'Only when';
  if (!node) return field;
  if (node.type === 'recurringEvent') {
    const [head, part] = field.split('.');
    if (head === 'settings') return (part === 'timeZone' ? 'Time zone for dates' : part && SETTING_LABELS[part]) || 'Run settings';
    if (head === 'schedule') return (part && SCHEDULE_LABELS[part]) || 'Schedule';
    return field;
  }
  if (node.type === 'apiEvent') {
    const [head, paramId, part, fieldId] = field.split('.');
    if (head === 'settings') return (paramId && SETTING_LABELS[paramId]) || 'Run settings';
    if (head !== 'parameters') return field;
    const index = node.data.parameters.findIndex((p) => p.id === paramId);
    const param = node.data.parameters[index];
    const name = param?.key.trim() ? `Parameter ${param.key.trim()}` : `Parameter ${index >= 0 ? index + 1 : '?'}`;
    if (part === 'fields' && param) {
      const f = param.fields?.find((x) => x.id === fieldId);
      return `${name} · field ${f?.key.trim() || '(no name)'}`;
    }
    return name;
  }
  const module = actionModule(node.data.action.type);
  return (module && formFieldLabel(formOf(module.config), field, node.data.action as Record<string, unknown>, workflows)) ?? field;
}

/** The node's name for lists of problems: the event, or the step's title. */
export function nodeTitle(node: GraphNode | undefined): string {
  if (!node) return 'Workflow';
  if (node.type === 'apiEvent') return 'API workflow';
  if (node.type === 'recurringEvent') return 'Recurring event';
  return stepTitle(node);
}
