import { describe, expect, it } from 'vitest';
import { DEFINITION_SCHEMA_VERSION, Diagnostic, WorkflowDefinition, parseDefinition } from './definition.ts';
import * as kernel from './index.ts';
import { compiled, copy, graph, log, returnData } from './test-support.ts';

const definition = compiled(
  graph({
    parameters: [{ id: 'p_n', key: 'n', type: 'number', optional: false }],
    onlyWhen: 'n > 0',
    actions: [log('n_log', 'n is {{n}}', { onlyWhen: 'n > 1' }), returnData('n_ret', { n: '{{n}}' })],
  }),
);

describe('WorkflowDefinition', () => {
  it('is plain JSON that reads back as it was written', () => {
    expect(definition.schemaVersion).toBe(DEFINITION_SCHEMA_VERSION);
    const json = JSON.parse(JSON.stringify(definition)) as unknown;
    expect(parseDefinition(json)).toEqual(definition);
    expect(WorkflowDefinition.parse(json)).toEqual(definition);
  });

  it('checks each step against its action module\'s compiled schema', () => {
    const bad = copy(definition) as { steps: { config: unknown; type: string }[] };
    bad.steps[0]!.config = { message: 'not a template' };
    expect(() => parseDefinition(bad)).toThrow(/Invalid log step/);
    bad.steps[0]!.type = 'teleport';
    expect(() => parseDefinition(bad)).toThrow(/Unknown action type \\"teleport/);
  });

  it('refuses unknown schema versions and malformed expressions', () => {
    expect(() => parseDefinition({ ...definition, schemaVersion: 3 })).toThrow();
    expect(() => parseDefinition(null)).toThrow();
    const bad = copy(definition) as unknown as { trigger: { onlyWhen: unknown } };
    bad.trigger.onlyWhen = { kind: 'eval', code: 'process.exit()' };
    expect(() => parseDefinition(bad)).toThrow();
  });
});

describe('Diagnostic', () => {
  it('is pinned to a node and field, or to the workflow as a whole', () => {
    expect(Diagnostic.parse({ nodeId: 'n', field: 'message', message: 'x', severity: 'error' })).toBeTruthy();
    expect(Diagnostic.parse({ nodeId: null, field: null, message: 'x', severity: 'warning' })).toBeTruthy();
    expect(Diagnostic.safeParse({ nodeId: 'n', field: 'message', message: 'x', severity: 'info' }).success).toBe(false);
  });
});

describe('the package entry point', () => {
  it('exports what the server and the web app use', () => {
    const names = [
      'compile', 'interpret', 'readInputs', 'parseDefinition', 'parseStoredGraph', 'parseWorkflowFile', 'WorkflowGraph', 'WorkflowDefinition',
      'bindGraph', 'nameTable', 'toDisplayText', 'toStoredText', 'actionModule', 'ACTION_MODULES', 'formOf', 'retryDelayMs', 'hasAttemptsLeft',
      'WorkflowSettings', 'LIMITS', 'parseDate', 'checkExpression', 'functionSpecs', 'emptyGraph', 'CONDITION_NOT_MET', 'NonRetriableError', 'detectParameters',
    ];
    expect(names.filter((name) => !(name in kernel))).toEqual([]);
    // Test helpers are not part of it.
    expect('fakeServices' in kernel).toBe(false);
  });
});
