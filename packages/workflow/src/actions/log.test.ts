import { describe, expect, it } from 'vitest';
import { compile } from '../compile.ts';
import { parseTemplate } from '../expression.ts';
import { formOf } from '../form.ts';
import { LIMITS } from '../limits.ts';
import { call, compiled, graph, log, returnData } from '../test-support.ts';
import { T } from '../types.ts';
import { logAction } from './log.ts';
import type { CompileContext } from './module.ts';

/** A compile context that records what the module reports and parses templates without types. */
function recordingContext() {
  const reported: [string, string | null, string][] = [];
  const ctx: CompileContext = {
    nodeId: 'n',
    workflow: () => null,
    selfId: null,
    conditional: false,
    template: (_field, text) => parseTemplate(text),
    expression: () => null,
    error: (field, message) => reported.push(['error', field, message]),
    warning: (field, message) => reported.push(['warning', field, message]),
  };
  return { ctx, reported };
}

describe('log action: the module', () => {
  it('describes itself', () => {
    expect(logAction).toMatchObject({ type: 'log', label: 'Log a value', icon: 'log', terminal: false, effect: false });
    expect(logAction.description).toMatch(/log/);
  });

  it('stores a message, bounded, and refuses anything else', () => {
    expect(logAction.config.parse({ type: 'log', message: 'Hi {{name}}' })).toEqual({ type: 'log', message: 'Hi {{name}}' });
    expect(logAction.config.safeParse({ type: 'log', message: 'x'.repeat(LIMITS.expressionChars + 1) }).success).toBe(false);
    expect(logAction.config.safeParse({ type: 'log' }).success).toBe(false);
    expect(logAction.config.safeParse({ type: 'returnData', message: 'x' }).success).toBe(false);
    expect(logAction.config.parse(logAction.create())).toEqual({ type: 'log', message: '' });
  });

  it('carries the UI hints the editor builds its form from', () => {
    expect(formOf(logAction.config)).toEqual([
      { kind: 'template', key: 'message', label: 'Message', placeholder: 'Hello {{name}}', multiline: true, hint: 'Text with {{ expressions }}, e.g. Total: {{amount * 2}}' },
    ]);
  });

  it('summarises itself for the canvas in display names', () => {
    expect(logAction.summary({ type: 'log', message: '  ' }, (t) => t)).toEqual({ text: 'Nothing to log yet', empty: true });
    expect(logAction.summary({ type: 'log', message: 'Hi {{$p}}' }, (t) => t.replace('$p', 'name'))).toEqual({ text: 'Hi {{name}}', empty: false });
  });

  it('compiles its message, and reports an empty one on its field', () => {
    const ok = recordingContext();
    expect(logAction.compile({ type: 'log', message: 'Hi {{1}}' }, ok.ctx)).toEqual({ message: { parts: [{ text: 'Hi ' }, { expr: { kind: 'literal', value: 1 } }] } });
    expect(ok.reported).toEqual([]);
    const empty = recordingContext();
    expect(logAction.compile({ type: 'log', message: ' ' }, empty.ctx)).toBeNull();
    expect(empty.reported).toEqual([['error', 'message', 'Write the text or {{expression}} to log']]);
    expect(logAction.compiled.safeParse({ message: { parts: [] } }).success).toBe(true);
    expect(logAction.compiled.safeParse({ message: 'text' }).success).toBe(false);
  });

  it('pins diagnostics of its message to the node and the "message" field', () => {
    const result = compile('l', graph({ parameters: [{ id: 'p_n', key: 'n', type: 'number', optional: false }], actions: [log('n_log', 'x {{n * "a"}}')] }));
    expect(result.diagnostics).toEqual([{ nodeId: 'n_log', field: 'message', severity: 'error', message: 'n * "a": "a" is text; a number is needed' }]);
  });

  it('has a result with the message as text, which later steps can use', async () => {
    expect(logAction.resultType({ message: { parts: [] } })).toEqual(T.object({ message: T.text }));
    const definition = compiled(graph({ actions: [log('n_log', 'hello'), returnData('n_ret', { upper: '{{steps.log_a_value.message + "!"}}' })] }));
    const outcome = await call(definition);
    expect(outcome.status === 'succeeded' && outcome.response).toBe('{"upper":"hello!"}');
  });

  it('executes through the interpreter: renders the message as text, logs it, records it', async () => {
    const definition = compiled(
      graph({
        parameters: [
          { id: 'p_n', key: 'n', type: 'number', optional: false },
          { id: 'p_items', key: 'items', type: 'number', list: true, optional: true },
          { id: 'p_when', key: 'when', type: 'date', optional: true },
        ],
        actions: [log('n_log', '{{n}} items: {{items}} at {{when}}'), log('n_lone', '{{n * 2}}')],
      }),
    );
    const outcome = await call(definition, { n: 2, items: [1, 2], when: '2026-01-01T00:00:00Z' });
    expect(outcome.records.map((r) => [r.logs, r.input, r.output])).toEqual([
      [['2 items: [1,2] at 2026-01-01T00:00:00.000Z'], '{"message":"2 items: [1,2] at 2026-01-01T00:00:00.000Z"}', '{"message":"2 items: [1,2] at 2026-01-01T00:00:00.000Z"}'],
      // A lone {{expression}} is still logged as text.
      [['4'], '{"message":"4"}', '{"message":"4"}'],
    ]);
  });

  it('fails its step naming the "Message" field when the message cannot be evaluated', async () => {
    const definition = compiled(graph({ parameters: [{ id: 'p_n', key: 'n', type: 'number', optional: false }], actions: [log('n_log', 'Share: {{100 / n}}')] }));
    const outcome = await call(definition, { n: 0 });
    expect(outcome.status === 'failed' && outcome.error).toBe('Step 1 "Log a value" failed: Message: Division by zero');
  });
});
