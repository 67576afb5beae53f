import { describe, expect, it } from 'vitest';
import { compile } from '../compile.ts';
import { parseTemplate } from '../expression.ts';
import { formOf } from '../form.ts';
import { call, compiled, graph, log, returnData } from '../test-support.ts';
import type { CompileContext } from './module.ts';
import { returnDataAction } from './returnData.ts';

function recordingContext() {
  const reported: [string, string | null, string][] = [];
  const templates: [string, string, unknown][] = [];
  const ctx: CompileContext = {
    nodeId: 'n',
    workflow: () => null,
    selfId: null,
    conditional: false,
    template: (field, text, expect) => {
      templates.push([field, text, expect]);
      return text.includes('BAD') ? null : parseTemplate(text);
    },
    expression: () => null,
    error: (field, message) => reported.push(['error', field, message]),
    warning: (field, message) => reported.push(['warning', field, message]),
  };
  return { ctx, reported, templates };
}

const entry = (id: string, key: string, value: string) => ({ id, key, value });

describe('returnData action: the module', () => {
  it('describes itself, and ends the run', () => {
    expect(returnDataAction).toMatchObject({ type: 'returnData', label: 'Return data from API', icon: 'return', terminal: true, effect: false });
  });

  it('stores keyed entries, at most 200', () => {
    const config = { type: 'returnData', entries: [entry('e1', 'total', '{{amount}}')] };
    expect(returnDataAction.config.parse(config)).toEqual(config);
    expect(returnDataAction.config.parse(returnDataAction.create())).toEqual({ type: 'returnData', entries: [] });
    expect(returnDataAction.config.safeParse({ type: 'returnData', entries: Array.from({ length: 201 }, (_, i) => entry(`e${i}`, `k${i}`, '1')) }).success).toBe(false);
    expect(returnDataAction.config.safeParse({ type: 'returnData', entries: [{ id: '', key: 'k', value: '1' }] }).success).toBe(false);
    expect(returnDataAction.config.safeParse({ type: 'returnData', entries: [{ id: 'e', key: 'k'.repeat(101), value: '1' }] }).success).toBe(false);
  });

  it('carries the UI hints of a list of key/value rows', () => {
    expect(formOf(returnDataAction.config)).toEqual([
      {
        kind: 'list',
        key: 'entries',
        label: 'Response',
        addLabel: 'Add key',
        itemLabel: 'Key',
        empty: 'No keys yet: the caller gets an empty response.',
        hint: 'A value that is exactly one {{expression}} keeps its type (number, yes/no, list...).',
        fields: [
          { kind: 'text', key: 'key', label: 'Key', placeholder: 'greeting', mono: true },
          { kind: 'template', key: 'value', label: 'Value', placeholder: 'Hello {{name}}' },
        ],
      },
    ]);
  });

  it('summarises the keys it returns', () => {
    expect(returnDataAction.summary({ type: 'returnData', entries: [] }, (t) => t)).toEqual({ text: 'Returns nothing yet', empty: true });
    expect(returnDataAction.summary({ type: 'returnData', entries: [entry('a', ' total ', '1'), entry('b', '', '2'), entry('c', 'ok', '3')] }, (t) => t)).toEqual({
      text: 'Returns total, ok',
      empty: false,
    });
  });

  it('compiles each value as a template that keeps its type, and reports keys on their own field', () => {
    const ok = recordingContext();
    expect(returnDataAction.compile({ type: 'returnData', entries: [entry('a', ' total ', '{{1}}')] }, ok.ctx)).toEqual({
      entries: [{ key: 'total', value: { parts: [{ expr: { kind: 'literal', value: 1 } }] } }],
    });
    expect(ok.templates).toEqual([['entries.a.value', '{{1}}', 'any']]);
    const bad = recordingContext();
    expect(returnDataAction.compile({ type: 'returnData', entries: [entry('a', '', '1'), entry('b', 'k', '1'), entry('c', 'k', '2'), entry('d', 'v', 'BAD')] }, bad.ctx)).toBeNull();
    expect(bad.reported).toEqual([
      ['error', 'entries.a.key', 'Key is required'],
      ['error', 'entries.c.key', 'Two keys are called "k"'],
    ]);
  });

  it('pins diagnostics of a value to the node and that entry\'s field', () => {
    const result = compile('r', graph({ actions: [returnData('n_ret', { fine: '1', broken: '{{1 +}}', unknown: '{{nobody}}' })] }));
    expect(result.diagnostics).toEqual([
      { nodeId: 'n_ret', field: 'entries.n_ret_e1.value', severity: 'error', message: 'In {{1 +}}: Expected expression after +' },
      { nodeId: 'n_ret', field: 'entries.n_ret_e2.value', severity: 'error', message: 'Unknown name "nobody"' },
    ]);
  });

  it('has no result for later steps: it ends the run', () => {
    expect(returnDataAction.resultType({ entries: [] })).toBeNull();
  });

  it('executes through the interpreter: answers JSON with typed values, and ends the run', async () => {
    const definition = compiled(
      graph({
        parameters: [
          { id: 'p_n', key: 'n', type: 'number', optional: false },
          { id: 'p_when', key: 'when', type: 'date', optional: true },
          { id: 'p_data', key: 'data', type: 'object', optional: true },
          { id: 'p_tags', key: 'tags', type: 'text', list: true, optional: true },
        ],
        actions: [
          returnData('n_ret', { number: '{{n * 2}}', text: 'n is {{n}}', flag: '{{n > 1}}', when: '{{when}}', empty: '{{tags[5]}}', data: '{{data}}', tags: '{{tags}}' }),
          log('n_after', 'never runs'),
        ],
      }),
    );
    const outcome = await call(definition, { n: 2, when: '2026-05-01T10:00:00Z', data: { a: { b: [1] } }, tags: ['x'] });
    if (outcome.status !== 'succeeded') throw new Error(JSON.stringify(outcome));
    const response = JSON.parse(outcome.response!) as Record<string, unknown>;
    expect(response).toEqual({ number: 4, text: 'n is 2', flag: true, when: '2026-05-01T10:00:00.000Z', empty: null, data: { a: { b: [1] } }, tags: ['x'] });
    expect(outcome.records.map((r) => r.path)).toEqual(['n_ret']);
  });

  it('returns a key called "__proto__" like any other, without touching prototypes', async () => {
    const definition = compiled(graph({ actions: [{ id: 'n_ret', action: { type: 'returnData', entries: [entry('a', '__proto__', '{{1}}'), entry('b', 'constructor', 'x')] } }] }));
    const outcome = await call(definition);
    expect(outcome.status === 'succeeded' && outcome.response).toBe('{"__proto__":1,"constructor":"x"}');
  });

  it('answers an empty object when it has no keys', async () => {
    const outcome = await call(compiled(graph({ actions: [returnData('n_ret', {})] })));
    expect(outcome.status === 'succeeded' && outcome.response).toBe('{}');
  });

  it('fails its step naming the value that failed', async () => {
    const definition = compiled(graph({ parameters: [{ id: 'p_n', key: 'n', type: 'number', optional: false }], actions: [returnData('n_ret', { share: '{{1 / n}}' })] }));
    const outcome = await call(definition, { n: 0 });
    expect(outcome.status === 'failed' && outcome.error).toBe('Step 1 "Return data from API" failed: Value of "share": Division by zero');
  });
});
