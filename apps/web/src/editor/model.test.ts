import { type Diagnostic, type WorkflowGraph, emptyGraph } from '@switchyard/workflow';
import { describe, expect, it } from 'vitest';
import { Autosaver } from './autosave.ts';
import { EditorModel, HISTORY_LIMIT, saveStatus, saveStatusText } from './model.ts';

const editorWith = (graph: WorkflowGraph = emptyGraph(), readOnly = false) =>
  new EditorModel({ name: 'hello', graph, readOnly });

const addParam = (editor: EditorModel, key: string) =>
  editor.updateEvent('event', (data) => ({
    ...data,
    parameters: [...data.parameters, { id: `p-${key}`, key, type: 'text', optional: false }],
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
    expect(editor.toGraph()).toEqual({ schemaVersion: 1, nodes, edges });
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
