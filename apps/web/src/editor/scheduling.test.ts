import { type ActionNode, type WorkflowSummary, actionModule, emptyGraph, formOf } from '@switchyard/workflow';
import { describe, expect, it } from 'vitest';
import { fieldLabel } from './describe.ts';
import { displayFor, newItem, updateAt, withParameterValue } from './forms.ts';
import { DELETED_WORKFLOW, EditorModel } from './model.ts';
import { instantOfLocal, localInputValue } from './testRun.ts';

/** The workflow being edited is `wf_self` ("hello"); `remind` takes a required amount and an optional note. */
const REMIND: WorkflowSummary = {
  id: 'wf_remind',
  name: 'remind',
  parameters: [
    { id: 'p_amount', key: 'amount', type: 'number', list: false, optional: false },
    { id: 'p_note', key: 'note', type: 'text', list: false, optional: true },
  ],
};
const SELF: WorkflowSummary = { id: 'wf_self', name: 'hello', parameters: [] };

function editorWithCatalog(catalog: WorkflowSummary[] | null = [SELF, REMIND]) {
  const editor = new EditorModel({ id: 'wf_self', name: 'hello', graph: emptyGraph() });
  if (catalog) editor.setCatalog(catalog);
  return editor;
}

const actionOf = (editor: EditorModel, id: string) => (editor.state.nodes.find((n) => n.id === id) as ActionNode).data.action as Record<string, unknown>;

/** Sets a config value the way the forms do. */
function set(editor: EditorModel, nodeId: string, path: string[], value: unknown) {
  editor.updateActionConfig(nodeId, (config) => updateAt(config, path, () => value) as typeof config);
}

/** Types an expression into one parameter's value, the way the 'parameters' field does (display -> stored). */
function typeValue(editor: EditorModel, nodeId: string, parameterId: string, display: string) {
  const stored = editor.storedText(display, 'expression');
  editor.updateActionConfig(nodeId, (config) => updateAt(config, ['parameters'], (old) => withParameterValue(old, parameterId, stored)) as typeof config);
}

const problems = (editor: EditorModel, nodeId: string) => editor.nodeDiagnostics(nodeId).map((d) => `${d.severity} ${d.field}: ${d.message}`);

describe('scheduling actions in the editor', () => {
  it('compiles against the catalog: a missing required parameter is reported until it is filled', () => {
    const editor = editorWithCatalog();
    const step = editor.addAction('scheduleWorkflow')!;
    expect(problems(editor, step)).toEqual(['error workflowId: Choose the workflow to schedule']);
    set(editor, step, ['workflowId'], 'wf_remind');
    expect(problems(editor, step)).toEqual(['error parameters.p_amount: "amount" is required by remind']);
    typeValue(editor, step, 'p_amount', '"ten"');
    expect(problems(editor, step)).toHaveLength(1);
    expect(problems(editor, step)[0]).toMatch(/^error parameters\.p_amount: .*number/);
    typeValue(editor, step, 'p_amount', '12');
    expect(problems(editor, step)).toEqual([]);
    expect(actionOf(editor, step).parameters).toEqual({ p_amount: '12' });
  });

  it('does not check targets before the catalog is loaded, then checks them', () => {
    const editor = editorWithCatalog(null);
    const step = editor.addAction('scheduleWorkflow')!;
    set(editor, step, ['workflowId'], 'wf_gone');
    expect(problems(editor, step)).toEqual([]);
    editor.setCatalog([SELF, REMIND]);
    expect(problems(editor, step)).toEqual(['error workflowId: The chosen workflow no longer exists: choose another']);
    expect(editor.workflowName('wf_gone')).toBe(DELETED_WORKFLOW);
  });

  it('checks a workflow that schedules itself against its parameters on screen, not the saved ones', () => {
    const editor = editorWithCatalog();
    const count = editor.addParameter({ key: 'count', type: 'number' })!;
    const step = editor.addAction('scheduleWorkflow')!;
    editor.setOnlyWhen(step, editor.storedText('count < 3', 'expression'));
    set(editor, step, ['workflowId'], 'wf_self');
    expect(problems(editor, step)).toEqual([`error parameters.${count}: "count" is required by hello`]);
    typeValue(editor, step, count, 'count + 1');
    expect(problems(editor, step)).toEqual([]);
    expect(actionOf(editor, step).parameters).toEqual({ [count]: `$${count} + 1` });
  });

  it('keeps the values of a target chosen before, and the warning says they are ignored', () => {
    const editor = editorWithCatalog([SELF, REMIND, { id: 'wf_other', name: 'other', parameters: [] }]);
    const step = editor.addAction('scheduleWorkflow')!;
    set(editor, step, ['workflowId'], 'wf_remind');
    typeValue(editor, step, 'p_amount', '5');
    set(editor, step, ['workflowId'], 'wf_other');
    expect(actionOf(editor, step).parameters).toEqual({ p_amount: '5' });
    expect(problems(editor, step)).toEqual(['warning parameters: 1 value is for parameters other no longer has, and is ignored']);
    set(editor, step, ['workflowId'], 'wf_remind');
    expect(problems(editor, step)).toEqual([]);
  });

  it('keeps the catalog (and the compiled diagnostics) when the same list comes again', () => {
    const editor = editorWithCatalog();
    const catalog = editor.state.catalog;
    const view = editor.diagnostics();
    editor.setCatalog([{ ...SELF }, { ...REMIND, parameters: [...REMIND.parameters] }]);
    expect(editor.state.catalog).toBe(catalog);
    expect(editor.diagnostics()).toBe(view);
  });

  it('names the target in node summaries and a parameter value in problem lists', () => {
    const editor = editorWithCatalog();
    const step = editor.addAction('scheduleOnList')!;
    set(editor, step, ['workflowId'], 'wf_remind');
    set(editor, step, ['list'], editor.storedText('[1, 2]', 'expression'));
    const node = editor.state.nodes.find((n) => n.id === step) as ActionNode;
    const module = actionModule('scheduleOnList')!;
    const summary = module.summary(node.data.action as never, displayFor(node.data.action, formOf(module.config), editor.names()), (id) =>
      editor.workflowName(id),
    );
    expect(summary.text).toBe('Runs remind for each of [1, 2]');
    expect(fieldLabel(node, 'parameters.p_amount', editor.workflows())).toBe('Other parameters › amount');
    expect(fieldLabel(node, 'parameters.p_gone', editor.workflows())).toBe('Other parameters › p_gone');
    expect(fieldLabel(node, 'itemParameterId', editor.workflows())).toBe('Each item goes to');
    expect(fieldLabel(editor.state.nodes[0], 'settings.timeZone')).toBe('Time zone');
  });

  it('excludes the list item parameter from the other parameters', () => {
    const editor = editorWithCatalog();
    const step = editor.addAction('scheduleOnList')!;
    set(editor, step, ['workflowId'], 'wf_remind');
    set(editor, step, ['list'], '[1, 2]');
    expect(problems(editor, step)).toContain('error itemParameterId: Choose the parameter each item goes to');
    set(editor, step, ['itemParameterId'], 'p_amount');
    expect(problems(editor, step)).toEqual([]);
  });

  it('rejects an unknown time zone in the run settings, undoably', () => {
    const editor = editorWithCatalog();
    editor.updateSettings((s) => ({ ...s, timeZone: 'Mars/Olympus' }));
    expect(editor.diagnostics().list.map((d) => d.field)).toEqual(['settings.timeZone']);
    editor.updateSettings((s) => ({ ...s, timeZone: 'Europe/Paris' }));
    expect(editor.diagnostics().list).toEqual([]);
    editor.undo();
    expect(editor.state.nodes[0]).toMatchObject({ data: { settings: { timeZone: 'Mars/Olympus' } } });
  });
});

describe('form helpers', () => {
  it('sets one parameter value, removing it when emptied and keeping the others', () => {
    expect(withParameterValue(undefined, 'a', '1')).toEqual({ a: '1' });
    expect(withParameterValue({ a: '1', b: '2' }, 'a', '')).toEqual({ b: '2' });
    expect(withParameterValue({ a: '1', stale: '3' }, 'a', '4')).toEqual({ a: '4', stale: '3' });
  });

  it('gives new list items the empty value of each field kind', () => {
    const item = newItem([
      { kind: 'toggle', key: 'on', label: 'On' },
      { kind: 'parameters', key: 'values', label: 'Values', workflowKey: 'w' },
      { kind: 'workflow', key: 'w', label: 'Workflow' },
    ]);
    expect(item).toMatchObject({ on: false, values: {}, w: '' });
  });

  it('reads a datetime-local value as wall time in the browser zone', () => {
    const date = instantOfLocal('2026-12-01T09:30')!;
    expect([date.getFullYear(), date.getMonth(), date.getDate(), date.getHours(), date.getMinutes()]).toEqual([2026, 11, 1, 9, 30]);
    expect(localInputValue(date)).toBe('2026-12-01T09:30');
    expect(instantOfLocal('')).toBeNull();
    expect(instantOfLocal('2026-13-45T99:00')).toBeNull();
  });
});
