import { z } from 'zod';
import { actionModule } from './actions/registry.ts';
import type { ParameterSpec, Step, Trigger, WorkflowDefinition } from './definition.ts';
import { type EndpointSettings, OPEN_ENDPOINT, SIGNATURE_SCHEMES } from './endpoint.ts';
import { formOf } from './form.ts';
import type { RecurrenceSpec } from './recurrence.ts';
import type { WorkflowSettings } from './settings.ts';

/**
 * What a deploy (or a restore) changes in one workflow, compared with what is live: the pure
 * function `diffDefinitions(before, after)` over two compiled definitions, for the confirm dialog
 * and the releases list. Steps and parameters are matched by their stable ids, so a renamed step is
 * "changed" (its title), never "removed" and "added". Values are short texts for people; the ids
 * are there for the web to point at things.
 */

/** A setting or property whose value changes: what it is, and its value before and after, in words. */
export const ValueChange = z.object({ what: z.string(), before: z.string(), after: z.string() });
export type ValueChange = z.infer<typeof ValueChange>;

export const ItemChangeKind = z.enum(['added', 'removed', 'changed']);
export type ItemChangeKind = z.infer<typeof ItemChangeKind>;

export const StepChange = z.object({
  /** The step's stable id (its node's id). */
  id: z.string(),
  /** Its title now (before, for a removed step). */
  label: z.string(),
  change: ItemChangeKind,
  /** For a changed step: what changed ("title: ...", "Only when", "message", "moved"). */
  details: z.array(z.string()),
});
export type StepChange = z.infer<typeof StepChange>;

export const ParameterChange = z.object({
  id: z.string(),
  /** Its key now (before, for a removed parameter). */
  key: z.string(),
  change: ItemChangeKind,
  details: z.array(z.string()),
});
export type ParameterChange = z.infer<typeof ParameterChange>;

export const WorkflowChange = z.enum(['added', 'removed', 'changed', 'unchanged']);
export type WorkflowChange = z.infer<typeof WorkflowChange>;

export const WorkflowDiff = z.object({
  change: WorkflowChange,
  steps: z.array(StepChange),
  parameters: z.array(ParameterChange),
  /** Run settings: response mode, retries, time limit, concurrency, time zone. */
  settings: z.array(ValueChange),
  /** The name (the endpoint's URL), the kind of event, its "Only when", schedule and endpoint settings. */
  trigger: z.array(ValueChange),
});
export type WorkflowDiff = z.infer<typeof WorkflowDiff>;

/** JSON with object keys sorted: two definitions are equal when these are (stored ones may order keys differently). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

const same = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);

/**
 * The differences between what is live (`before`) and what would be (`after`); null on one side
 * means the workflow is added or removed.
 */
export function diffDefinitions(before: WorkflowDefinition | null, after: WorkflowDefinition | null): WorkflowDiff {
  if (before === null && after === null) return { change: 'unchanged', steps: [], parameters: [], settings: [], trigger: [] };
  if (before === null) {
    return {
      change: 'added',
      steps: after!.steps.map((s) => ({ id: s.id, label: s.label, change: 'added', details: [] })),
      parameters: after!.trigger.parameters.map((p) => ({ id: p.id, key: p.key, change: 'added', details: [] })),
      settings: [],
      trigger: [],
    };
  }
  if (after === null) return { change: 'removed', steps: [], parameters: [], settings: [], trigger: [] };
  const diff: WorkflowDiff = {
    change: 'changed',
    steps: diffSteps(before.steps, after.steps),
    parameters: diffParameters(before.trigger.parameters, after.trigger.parameters),
    settings: diffSettings(before.settings, after.settings),
    trigger: diffTrigger(before, after),
  };
  const nothing = diff.steps.length + diff.parameters.length + diff.settings.length + diff.trigger.length === 0;
  // Anything else that differs (a part of the definition no list above covers) still counts.
  if (nothing) diff.change = same(before, after) ? 'unchanged' : 'changed';
  return diff;
}

function diffSteps(before: readonly Step[], after: readonly Step[]): StepChange[] {
  const old = new Map(before.map((s) => [s.id, s]));
  const now = new Set(after.map((s) => s.id));
  // Order is compared among the steps on both sides, so adding one does not "move" the rest.
  const oldOrder = before.filter((s) => now.has(s.id)).map((s) => s.id);
  const newOrder = after.filter((s) => old.has(s.id)).map((s) => s.id);
  const changes: StepChange[] = [];
  for (const step of after) {
    const previous = old.get(step.id);
    if (!previous) {
      changes.push({ id: step.id, label: step.label, change: 'added', details: [] });
      continue;
    }
    const details: string[] = [];
    if (previous.label !== step.label) details.push(`title: "${previous.label}" → "${step.label}"`);
    if (previous.type !== step.type) details.push(`action: ${actionLabel(previous.type)} → ${actionLabel(step.type)}`);
    if (!same(previous.onlyWhen ?? null, step.onlyWhen ?? null)) details.push(conditionChange(previous.onlyWhen, step.onlyWhen));
    if (previous.type === step.type) details.push(...changedKeys(previous.config, step.config).map((key) => fieldLabel(step.type, key)));
    else if (!same(previous.config, step.config)) details.push('configuration');
    if (oldOrder.indexOf(step.id) !== newOrder.indexOf(step.id)) details.push('moved');
    if (details.length > 0) changes.push({ id: step.id, label: step.label, change: 'changed', details });
  }
  for (const step of before) {
    if (!now.has(step.id)) changes.push({ id: step.id, label: step.label, change: 'removed', details: [] });
  }
  return changes;
}

const actionLabel = (type: string) => actionModule(type)?.label ?? type;

/**
 * What the editor calls a field of an action ("Message", "Response"), from its form; a compiled
 * field the form does not have keeps its key.
 */
function fieldLabel(type: string, key: string): string {
  const module = actionModule(type);
  return (module && formOf(module.config).find((f) => f.key === key)?.label) ?? key;
}

function conditionChange(before: unknown, after: unknown): string {
  if (before === undefined) return '"Only when" added';
  if (after === undefined) return '"Only when" removed';
  return '"Only when" changed';
}

/** The top-level fields of a step's compiled configuration that differ ("message", "entries"). */
function changedKeys(before: unknown, after: unknown): string[] {
  if (!isObject(before) || !isObject(after)) return same(before, after) ? [] : ['configuration'];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys.filter((key) => !same(before[key], after[key]));
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function diffParameters(before: readonly ParameterSpec[], after: readonly ParameterSpec[]): ParameterChange[] {
  const old = new Map(before.map((p) => [p.id, p]));
  const now = new Set(after.map((p) => p.id));
  const changes: ParameterChange[] = [];
  for (const parameter of after) {
    const previous = old.get(parameter.id);
    if (!previous) {
      changes.push({ id: parameter.id, key: parameter.key, change: 'added', details: [] });
      continue;
    }
    const details: string[] = [];
    if (previous.key !== parameter.key) details.push(`key: ${previous.key} → ${parameter.key}`);
    if (previous.type !== parameter.type) details.push(`type: ${previous.type} → ${parameter.type}`);
    if (previous.list !== parameter.list) details.push(parameter.list ? 'now a list' : 'no longer a list');
    if (previous.optional !== parameter.optional) details.push(parameter.optional ? 'now optional' : 'now required');
    if (!same(previous.fields ?? [], parameter.fields ?? [])) details.push('declared fields');
    if (Boolean(previous.fromQuery) !== Boolean(parameter.fromQuery)) details.push(parameter.fromQuery ? 'now read from the query string' : 'no longer read from the query string');
    if (details.length > 0) changes.push({ id: parameter.id, key: parameter.key, change: 'changed', details });
  }
  for (const parameter of before) {
    if (!now.has(parameter.id)) changes.push({ id: parameter.id, key: parameter.key, change: 'removed', details: [] });
  }
  return changes;
}

const seconds = (ms: number) => `${ms / 1000} s`;

const SETTINGS: { what: string; text: (s: WorkflowSettings) => string }[] = [
  { what: 'Response', text: (s) => (s.mode === 'async' ? 'Respond at once' : 'Wait for the result') },
  {
    what: 'Retries',
    text: (s) => `${s.retry.maxAttempts} attempt${s.retry.maxAttempts === 1 ? '' : 's'}, first retry after ${seconds(s.retry.initialDelayMs)}, longest wait ${seconds(s.retry.maxDelayMs)}`,
  },
  { what: 'Timeout', text: (s) => `${s.timeoutSeconds} s` },
  { what: 'Concurrency', text: (s) => (s.concurrency === null ? 'no limit' : `at most ${s.concurrency} at once`) },
  { what: 'Time zone', text: (s) => s.timeZone ?? 'instance default' },
];

function diffSettings(before: WorkflowSettings, after: WorkflowSettings): ValueChange[] {
  return changesOf(SETTINGS, before, after);
}

function changesOf<T>(table: readonly { what: string; text: (value: T) => string }[], before: T, after: T): ValueChange[] {
  const changes: ValueChange[] = [];
  for (const { what, text } of table) {
    const [a, b] = [text(before), text(after)];
    if (a !== b) changes.push({ what, before: a, after: b });
  }
  return changes;
}

const AUTH_WORDS: Record<EndpointSettings['auth'], string> = { none: 'None required', admin_token: 'Admin token' };

const ENDPOINT: { what: string; text: (e: EndpointSettings) => string }[] = [
  { what: 'Public endpoint', text: (e) => (e.exposed ? 'exposed' : 'not exposed') },
  { what: 'Method', text: (e) => e.method },
  { what: 'Authentication', text: (e) => AUTH_WORDS[e.auth] ?? e.auth },
  {
    what: 'Signature',
    text: (e) =>
      e.signature === null
        ? 'none'
        : `${SIGNATURE_SCHEMES[e.signature.scheme]?.label ?? e.signature.scheme}, ${e.signature.secretIds.length} secret${e.signature.secretIds.length === 1 ? '' : 's'}`,
  },
  { what: 'Return 200 if the condition is not met', text: (e) => (e.okWhenSkipped ? 'yes' : 'no') },
];

/** A schedule in a few words; the run detail and the Recurring page describe it at length. */
function scheduleText(spec: RecurrenceSpec): string {
  const what = spec.kind === 'cron' ? `cron ${spec.cron}` : `every ${spec.every} ${spec.unit}`;
  const start = spec.startAt ? ` from ${spec.startAt}` : '';
  const zone = spec.timeZone ? ` in ${spec.timeZone}` : '';
  return `${what}${start}${zone}; missed: ${spec.missed === 'once' ? 'run once' : 'skip'}`;
}

const eventWords = (trigger: Trigger) => (trigger.type === 'api' ? 'API workflow' : 'Recurring');

function diffTrigger(before: WorkflowDefinition, after: WorkflowDefinition): ValueChange[] {
  const changes: ValueChange[] = [];
  if (before.name !== after.name) changes.push({ what: 'Name (endpoint URL)', before: before.name, after: after.name });
  const [a, b] = [before.trigger, after.trigger];
  if (a.type !== b.type) changes.push({ what: 'Event', before: eventWords(a), after: eventWords(b) });
  if (!same(a.onlyWhen ?? null, b.onlyWhen ?? null)) {
    changes.push({ what: '"Only when" of the event', before: a.onlyWhen ? 'a condition' : 'none', after: b.onlyWhen ? (a.onlyWhen ? 'another condition' : 'a condition') : 'none' });
  }
  if (a.type === 'recurring' && b.type === 'recurring' && !same(a.schedule, b.schedule)) {
    changes.push({ what: 'Schedule', before: scheduleText(a.schedule), after: scheduleText(b.schedule) });
  }
  if (a.type === 'api' && b.type === 'api') {
    // Definitions compiled before endpoint settings existed meant an open endpoint.
    changes.push(...changesOf(ENDPOINT, a.endpoint ?? OPEN_ENDPOINT, b.endpoint ?? OPEN_ENDPOINT));
  }
  return changes;
}

/**
 * The other workflows (by id) a definition runs or schedules, from its steps' action modules: a
 * deploy refuses it unless they are live in the same release. Itself is left out.
 */
export function workflowTargets(definition: WorkflowDefinition, selfId?: string): string[] {
  const targets = new Set<string>();
  for (const step of definition.steps) {
    for (const id of actionModule(step.type)?.targets?.(step.config) ?? []) {
      if (id !== '' && id !== selfId) targets.add(id);
    }
  }
  return [...targets];
}
