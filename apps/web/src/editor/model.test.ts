import { type ActionNode, type Diagnostic, type WorkflowGraph, actionModule, compile, detectParameters, emptyGraph, formOf } from '@switchyard/workflow';
import { describe, expect, it } from 'vitest';
import type { RunDetail } from '../api/types.ts';
import { Autosaver } from './autosave.ts';
import { availableNames, describeParameter, fieldLabel } from './describe.ts';
import { displayFor, updateAt } from './forms.ts';
import { EditorModel, HISTORY_LIMIT, saveStatus, saveStatusText } from './model.ts';
import { pendingRun, runIdOf, runView } from './testRun.ts';

const editorWith = (graph: WorkflowGraph = emptyGraph(), readOnly = false) =>
  new EditorModel({ name: 'hello', graph, readOnly });

const addParam = (editor: EditorModel, key: string) =>
  editor.updateEvent('event', (data) => ({
    ...data,
    parameters: [...data.parameters, { id: `p_${key}`, key, type: 'text', list: false, optional: false }],
  }));

describe('EditorModel', () => {
  it('adds actions after the last one in the chain and connects them', () => {
    const editor = editorWith();
    const log = editor.addAction('log')!;
    const ret = editor.addAction('returnData')!;
    const { nodes, edges } = editor.state;
    expect(nodes.map((n) => n.id)).toEqual(['event', log, ret]);
    expect(edges.map((e) => [e.source, e.target])).toEqual([
      ['event', log],
      [log, ret],
    ]);
    expect(nodes[2]!.position.y).toBeGreaterThan(nodes[1]!.position.y);
    expect(editor.state.selectedNodeIds).toEqual([ret]);
    expect(editor.toGraph()).toEqual({ schemaVersion: 2, nodes, edges });
  });

  it('adds detected parameters in one undo step, never a key twice', () => {
    const editor = editorWith();
    addParam(editor, 'name');
    const { proposals } = detectParameters({ name: 'Ada', amount: 3, order: { total: 2 } }, { newId: (prefix) => `${prefix}_${Math.random().toString(36).slice(2, 8)}` });
    expect(editor.addParameters(proposals.map((p) => p.parameter))).toBe(2);
    const keys = () => (editor.state.nodes[0]!.data as { parameters: { key: string }[] }).parameters.map((p) => p.key);
    expect(keys()).toEqual(['name', 'amount', 'order']);
    expect(editor.addParameters(proposals.map((p) => p.parameter))).toBe(0);
    editor.undo();
    expect(keys()).toEqual(['name']);
    editor.redo();
    expect(keys()).toEqual(['name', 'amount', 'order']);
    expect(compile('hello', editor.toGraph()).diagnostics.filter((d) => d.nodeId === 'event')).toEqual([]);
  });

  it('undoes and redoes document changes, and a new change clears redo', () => {
    const editor = editorWith();
    const log = editor.addAction('log')!;
    editor.undo();
    expect(editor.state.nodes.map((n) => n.id)).toEqual(['event']);
    expect(editor.state.selectedNodeIds).toEqual([]);
    editor.redo();
    expect(editor.state.nodes.map((n) => n.id)).toEqual(['event', log]);
    editor.undo();
    editor.addAction('returnData');
    expect(editor.state.future).toEqual([]);
  });

  it('folds a drag into one undo step and starts a new one after it ends', () => {
    const editor = editorWith();
    const log = editor.addAction('log')!;
    const start = editor.state.nodes[1]!.position;
    for (let i = 1; i <= 5; i++) editor.moveNodes([{ id: log, position: { x: i * 10, y: start.y }, dragging: true }]);
    editor.moveNodes([{ id: log, position: { x: 60, y: start.y }, dragging: false }]);
    editor.moveNodes([{ id: log, position: { x: 100, y: start.y }, dragging: true }]);
    editor.moveNodes([{ id: log, dragging: false }]);
    expect(editor.state.nodes[1]!.position.x).toBe(100);
    editor.undo();
    expect(editor.state.nodes[1]!.position.x).toBe(60);
    editor.undo();
    expect(editor.state.nodes[1]!.position).toEqual(start);
  });

  it('folds typing in one field into one undo step', () => {
    const editor = editorWith();
    const log = editor.addAction('log')!;
    for (const message of ['H', 'Hi', 'Hi!']) {
      editor.updateAction(log, (data) => ({ ...data, action: { type: 'log', message } }), `field:${log}:message`);
    }
    editor.updateAction(log, (data) => ({ ...data, title: 'Greet' }), `field:${log}:title`);
    editor.undo();
    expect(editor.state.nodes[1]).toMatchObject({ data: { action: { message: 'Hi!' } } });
    editor.undo();
    expect(editor.state.nodes[1]).toMatchObject({ data: { action: { message: '' } } });
  });

  it('caps the history', () => {
    const editor = editorWith();
    for (let i = 0; i < HISTORY_LIMIT + 20; i++) addParam(editor, `p${i}`);
    expect(editor.state.past).toHaveLength(HISTORY_LIMIT);
  });

  it('never deletes the event, and deletes an action with its edges in one step', () => {
    const editor = editorWith();
    const log = editor.addAction('log')!;
    const ret = editor.addAction('returnData')!;
    editor.deleteElements(['event']);
    expect(editor.state.nodes).toHaveLength(3);
    editor.deleteElements([log]);
    expect(editor.state.nodes.map((n) => n.id)).toEqual(['event', ret]);
    expect(editor.state.edges).toEqual([]);
    editor.undo();
    expect(editor.state.edges).toHaveLength(2);
  });

  it('connects nodes once, never to themselves', () => {
    const editor = editorWith();
    const log = editor.addAction('log')!;
    const revision = editor.state.revision;
    editor.connect('event', log);
    editor.connect(log, log);
    expect(editor.state.revision).toBe(revision);
  });

  it('ignores changes when read-only', () => {
    const editor = editorWith(emptyGraph(), true);
    expect(editor.addAction('log')).toBeNull();
    addParam(editor, 'x');
    expect(editor.state.nodes[0]).toMatchObject({ data: { parameters: [] } });
    expect(editor.state.revision).toBe(0);
  });

  it('compiles live, keeps per-node lists stable, and prefers the server after a save', () => {
    const editor = editorWith();
    const log = editor.addAction('log')!;
    const first = editor.nodeDiagnostics(log);
    expect(first.map((d) => d.field)).toEqual(['message']);
    addParam(editor, 'name');
    expect(editor.nodeDiagnostics(log)).toBe(first);
    editor.updateAction(log, (data) => ({ ...data, action: { type: 'log', message: 'Hi {{name}}' } }));
    expect(editor.nodeDiagnostics(log)).toEqual([]);

    const server: Diagnostic[] = [{ nodeId: log, field: null, message: 'from the server', severity: 'warning' }];
    editor.markSaved(editor.state.revision, server);
    expect(editor.diagnostics().list).toEqual(server);
    addParam(editor, 'other');
    expect(editor.diagnostics().list).toEqual([]);
  });

  it('describes the save state', () => {
    const editor = editorWith();
    expect(saveStatusText(saveStatus(editor.state))).toBe('All changes saved');
    editor.addAction('log');
    expect(saveStatusText(saveStatus(editor.state))).toBe('Unsaved changes');
    editor.markSaving();
    expect(saveStatusText(saveStatus(editor.state))).toBe('Saving…');
    editor.markSaveFailed('Network down');
    expect(saveStatusText(saveStatus(editor.state))).toBe('Save failed: Network down');
  });
});

/** An action node's config, for assertions. */
const actionOf = (editor: EditorModel, id: string) => (editor.state.nodes.find((n) => n.id === id) as ActionNode).data.action;

/** Types into an action's field the way the form does: display text in, stored text kept. */
function typeInto(editor: EditorModel, nodeId: string, path: string[], display: string) {
  const stored = editor.storedText(display, 'template');
  editor.updateActionConfig(nodeId, (config) => updateAt(config, path, () => stored) as typeof config, `field:${nodeId}:${path.join('.')}`);
}

/** A builder's workflow: amount (number), order (object with a declared field), a titled log, a return. */
function referencesWorkflow() {
  const editor = editorWith();
  const amount = editor.addParameter({ key: 'amount', type: 'number' })!;
  const order = editor.addParameter({ key: 'order', type: 'object' })!;
  const total = editor.addField(order)!;
  editor.updateField(order, total, { key: 'total', type: 'number', optional: false });
  const log = editor.addAction('log')!;
  editor.setTitle(log, 'Charge card');
  typeInto(editor, log, ['message'], 'Charging {{amount * 2}} for {{order.total}}');
  const ret = editor.addAction('returnData')!;
  editor.updateActionConfig(ret, (config) => ({ ...config, entries: [{ id: 'e1', key: 'said', value: '' }] }) as typeof config);
  typeInto(editor, ret, ['entries', 'e1', 'value'], '{{steps.charge_card.message}}');
  editor.setOnlyWhen(ret, editor.storedText('amount > 0', 'expression'));
  return { editor, amount, order, total, log, ret };
}

describe('references by id', () => {
  it('stores ids, shows names, and renaming a parameter, a field or a step changes only what is shown', () => {
    const { editor, amount, order, total, log, ret } = referencesWorkflow();
    const message = () => (actionOf(editor, log) as { message: string }).message;
    const value = () => (actionOf(editor, ret) as { entries: { value: string }[] }).entries[0]!.value;
    const onlyWhen = () => (editor.state.nodes.find((n) => n.id === ret) as ActionNode).data.onlyWhen!;
    expect(message()).toBe(`Charging {{$${amount} * 2}} for {{$${order}.$${total}}}`);
    expect(value()).toBe(`{{$${log}.message}}`);
    expect(onlyWhen()).toBe(`$${amount} > 0`);
    expect(compile('hello', editor.toGraph()).diagnostics).toEqual([]);
    const before = { message: message(), value: value(), onlyWhen: onlyWhen() };

    editor.updateParameter(amount, { key: 'price' });
    editor.updateField(order, total, { key: 'sum' });
    editor.setTitle(log, 'Bill customer');

    expect({ message: message(), value: value(), onlyWhen: onlyWhen() }).toEqual(before);
    expect(editor.displayText(message(), 'template')).toBe('Charging {{price * 2}} for {{order.sum}}');
    expect(editor.displayText(value(), 'template')).toBe('{{steps.bill_customer.message}}');
    expect(editor.displayText(onlyWhen(), 'expression')).toBe('price > 0');
    expect(compile('hello', editor.toGraph()).diagnostics).toEqual([]);
  });

  it('binds a name typed before its parameter or step existed once it does', () => {
    const editor = editorWith();
    const log = editor.addAction('log')!;
    typeInto(editor, log, ['message'], 'Total {{ total }}');
    expect(actionOf(editor, log)).toMatchObject({ message: 'Total {{ total }}' });
    expect(compile('hello', editor.toGraph()).diagnostics.map((d) => d.field)).toEqual(['message']);
    const id = editor.addParameter({ type: 'number' })!;
    editor.updateParameter(id, { key: 'total' });
    expect(actionOf(editor, log)).toMatchObject({ message: `Total {{ $${id} }}` });
    editor.updateParameter(id, { key: 'sum' });
    expect(editor.displayText((actionOf(editor, log) as { message: string }).message, 'template')).toBe('Total {{ sum }}');
  });

  it('round-trips what is typed, so the cursor stays where it is', () => {
    const { editor } = referencesWorkflow();
    for (const typed of ['{{amount', '{{ amount * ', 'x {{order.total + steps.charge_card.message}} y', '{{order.', '{{unknown.name}}']) {
      expect(editor.displayText(editor.storedText(typed, 'template'), 'template')).toBe(typed);
    }
  });

  it('keeps the same name table while only positions or other fields change', () => {
    const { editor, log } = referencesWorkflow();
    const table = editor.names();
    editor.moveNodes([{ id: log, position: { x: 500, y: 500 } }]);
    typeInto(editor, log, ['message'], 'something else');
    expect(editor.names()).toBe(table);
    editor.setTitle(log, 'Renamed');
    expect(editor.names()).not.toBe(table);
    expect(editor.names().stepName.get(log)).toBe('renamed');
  });

  it('lists what an expression may use: parameters with their types, fields, earlier steps only', () => {
    const { editor, log, ret } = referencesWorkflow();
    const { nodes, edges } = editor.state;
    const atLog = availableNames(nodes, edges, log, editor.names()).map((a) => `${a.name}: ${a.type}`);
    expect(atLog).toEqual(['amount: a number', 'order: an object with fields total', 'order.total: a number', 'now: a date']);
    const atReturn = availableNames(nodes, edges, ret, editor.names()).map((a) => a.name);
    expect(atReturn).toContain('steps.charge_card.message');
    expect(availableNames(nodes, edges, 'event', editor.names()).some((a) => a.group === 'step')).toBe(false);
  });
});

describe('node summaries', () => {
  it('show names in template and expression fields alike', () => {
    const { editor, log } = referencesWorkflow();
    const wait = editor.addAction('wait')!;
    editor.updateActionConfig(wait, (config) => ({ ...config, seconds: editor.storedText('amount / 10', 'expression') }) as typeof config);
    for (const [id, text] of [
      [log, 'Charging {{amount * 2}} for {{order.total}}'],
      [wait, 'Waits amount / 10 s'],
    ] as const) {
      const node = editor.state.nodes.find((n) => n.id === id) as ActionNode;
      const module = actionModule(node.data.action.type)!;
      expect(module.summary(node.data.action as never, displayFor(node.data.action, formOf(module.config), editor.names())).text).toBe(text);
    }
  });
});

describe('parameters', () => {
  it('describes types for chips', () => {
    expect(describeParameter({ type: 'number', list: true, optional: false })).toBe('list of numbers');
    expect(describeParameter({ type: 'boolean', list: false, optional: true })).toBe('yes/no, optional');
    const fields = ['a', 'b', 'c'].map((key) => ({ id: key, key, type: 'text' as const, list: false, optional: true }));
    expect(describeParameter({ type: 'object', list: false, optional: false, fields })).toBe('object (3 fields)');
  });

  it('pins diagnostics of declared fields and says where they are', () => {
    const editor = editorWith();
    const order = editor.addParameter({ key: 'order', type: 'object' })!;
    const field = editor.addField(order)!;
    const diagnostics = editor.diagnostics().list;
    expect(diagnostics.map((d) => d.field)).toEqual([`parameters.${order}.fields.${field}.key`]);
    expect(fieldLabel(editor.state.nodes[0], diagnostics[0]!.field)).toBe('Parameter order · field (no name)');
    editor.removeField(order, field);
    expect(editor.diagnostics().list).toEqual([]);
  });

  it('changes run settings as one undo step each', () => {
    const editor = editorWith();
    editor.updateSettings((s) => ({ ...s, mode: 'async' }));
    editor.updateSettings((s) => ({ ...s, concurrency: 4 }));
    expect(editor.state.nodes[0]).toMatchObject({ data: { settings: { mode: 'async', concurrency: 4 } } });
    editor.undo();
    expect(editor.state.nodes[0]).toMatchObject({ data: { settings: { mode: 'async', concurrency: null } } });
  });
});

describe('test runs on the canvas', () => {
  const detail = (steps: { stepId: string; attempt: number; status: 'succeeded' | 'failed' | 'skipped'; output?: string }[]) =>
    ({
      id: 'run_1',
      status: 'failed',
      error: 'boom',
      attempts: 2,
      steps: steps.map((s) => ({ durationMs: 1, error: null, logs: [], output: null, input: null, ...s })),
    }) as unknown as RunDetail;

  it('shows the last attempt of each step, keeping unchanged results', () => {
    const first = runView(detail([{ stepId: 'a', attempt: 1, status: 'succeeded', output: '{"message":"hi"}' }]));
    expect(first.byNode.get('a')).toMatchObject({ status: 'succeeded', output: { message: 'hi' } });
    const second = runView(
      detail([
        { stepId: 'a', attempt: 1, status: 'succeeded', output: '{"message":"hi"}' },
        { stepId: 'b', attempt: 1, status: 'failed' },
        { stepId: 'b', attempt: 2, status: 'succeeded' },
      ]),
      first,
    );
    expect(second.byNode.get('a')).toBe(first.byNode.get('a'));
    expect(second.byNode.get('b')).toMatchObject({ status: 'succeeded', attempt: 2 });
    expect(second.final).toBe(true);
  });

  it('links only to the run the call created', () => {
    expect(runIdOf('from-header', { run_id: 'x' })).toBe('from-header');
    expect(runIdOf(null, { status: 'accepted', response: { run_id: 'r202' } })).toBe('r202');
    expect(runIdOf(null, { status: 'error', message: 'nope', run_id: 'r500' })).toBe('r500');
    expect(runIdOf(null, { status: 'error', message: 'Missing required parameter' })).toBeNull();
  });

  it('keeps the results while nodes move, and drops them when the workflow changes', () => {
    const editor = editorWith();
    const log = editor.addAction('log')!;
    editor.setTestRun(pendingRun('run_1'));
    editor.moveNodes([{ id: log, position: { x: 40, y: 300 }, dragging: true }]);
    editor.moveNodes([{ id: log, dragging: false }]);
    expect(editor.state.testRun?.runId).toBe('run_1');
    typeInto(editor, log, ['message'], 'changed');
    expect(editor.state.testRun).toBeNull();
  });
});

describe('Autosaver', () => {
  it('saves one at a time and reports what the server has', async () => {
    const editor = editorWith();
    const saved: WorkflowGraph[] = [];
    const autosaver = new Autosaver('wf', editor, {
      save: async (graph) => {
        saved.push(graph);
        await new Promise((resolve) => setTimeout(resolve, 5));
        return { diagnostics: [] };
      },
      describeError: String,
      delayMs: 10_000,
    });
    autosaver.start();
    editor.addAction('log');
    const first = autosaver.flush();
    await new Promise((resolve) => setTimeout(resolve, 1)); // the first save is now on the wire
    expect(editor.state.saving).toBe(true);
    editor.addAction('returnData');
    const second = autosaver.flush();
    expect(await first).toBe(true);
    expect(await second).toBe(true);
    expect(saved.map((g) => g.nodes.length)).toEqual([2, 3]);
    expect(editor.isDirty()).toBe(false);
    expect(await autosaver.flush()).toBe(true);
    expect(saved).toHaveLength(2);
    autosaver.dispose();
  });

  it('keeps the changes dirty and the message when a save fails, and retries', async () => {
    const editor = editorWith();
    let fail = true;
    const autosaver = new Autosaver('wf', editor, {
      save: async () => {
        if (fail) throw new Error('offline');
        return { diagnostics: [] };
      },
      describeError: (e) => (e as Error).message,
      isTransient: () => true,
      delayMs: 10_000,
      retryMs: 20,
    });
    autosaver.start();
    editor.addAction('log');
    expect(await autosaver.flush()).toBe(false);
    expect(saveStatusText(saveStatus(editor.state))).toBe('Save failed: offline');
    fail = false;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(saveStatusText(saveStatus(editor.state))).toBe('All changes saved');
    autosaver.dispose();
  });

  it('saves a little after the last change', async () => {
    const editor = editorWith();
    let saves = 0;
    const autosaver = new Autosaver('wf', editor, {
      save: async () => {
        saves++;
        return { diagnostics: [] };
      },
      describeError: String,
      delayMs: 20,
    });
    autosaver.start();
    editor.addAction('log');
    editor.addAction('log');
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(saves).toBe(1);
    expect(editor.isDirty()).toBe(false);
    autosaver.dispose();
  });
});
