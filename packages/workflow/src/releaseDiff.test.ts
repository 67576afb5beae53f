import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type WorkflowSummary, compile } from './compile.ts';
import type { WorkflowDefinition } from './definition.ts';
import { canonicalJson, diffDefinitions, workflowTargets } from './releaseDiff.ts';
import { compiled, graph, log, returnData } from './test-support.ts';

const amount = { id: 'p_amount', key: 'amount', type: 'number' as const, optional: false };
const base = () =>
  compiled(
    graph({
      parameters: [amount, { id: 'p_note', key: 'note', type: 'text', optional: true }],
      actions: [log('log', 'Charging {{amount}}'), returnData('ret', { doubled: '{{amount * 2}}' })],
    }),
    'charge',
  );

/** A deep copy to edit, so each test changes one thing. */
const edit = (definition: WorkflowDefinition, change: (d: WorkflowDefinition) => void): WorkflowDefinition => {
  const copy = JSON.parse(JSON.stringify(definition)) as WorkflowDefinition;
  change(copy);
  return copy;
};

describe('diffDefinitions', () => {
  it('finds nothing between a definition and itself, even with its keys in another order', () => {
    const before = base();
    const reordered = JSON.parse(canonicalJson(before)) as WorkflowDefinition;
    expect(diffDefinitions(before, reordered)).toEqual({ change: 'unchanged', steps: [], parameters: [], settings: [], trigger: [] });
  });

  it('lists every step and parameter of an added workflow, and nothing of a removed one', () => {
    const added = diffDefinitions(null, base());
    expect(added.change).toBe('added');
    expect(added.steps.map((s) => [s.id, s.label, s.change])).toEqual([
      ['log', 'Log a value', 'added'],
      ['ret', 'Return data from API', 'added'],
    ]);
    expect(added.parameters.map((p) => [p.key, p.change])).toEqual([
      ['amount', 'added'],
      ['note', 'added'],
    ]);
    expect(diffDefinitions(base(), null)).toEqual({ change: 'removed', steps: [], parameters: [], settings: [], trigger: [] });
  });

  it('matches steps by stable id: a new title is a change, not a removal and an addition', () => {
    const after = compiled(
      graph({
        parameters: [amount, { id: 'p_note', key: 'note', type: 'text', optional: true }],
        actions: [log('log', 'Charging {{amount}} now', { title: 'Say it' }), log('extra', 'more'), returnData('ret', { doubled: '{{amount * 2}}' })],
      }),
      'charge',
    );
    const diff = diffDefinitions(base(), after);
    expect(diff.change).toBe('changed');
    expect(diff.steps).toEqual([
      { id: 'log', label: 'Say it', change: 'changed', details: ['title: "Log a value" → "Say it"', 'Message'] },
      { id: 'extra', label: 'Log a value', change: 'added', details: [] },
    ]);
  });

  it('names removed steps, a changed condition and a changed order', () => {
    const before = compiled(graph({ parameters: [amount], actions: [log('a', 'one'), log('b', 'two'), log('c', 'three')] }));
    const after = compiled(graph({ parameters: [amount], actions: [log('b', 'two', { onlyWhen: 'amount > 1' }), log('a', 'one')] }));
    expect(diffDefinitions(before, after).steps).toEqual([
      { id: 'b', label: 'Log a value', change: 'changed', details: ['"Only when" added', 'moved'] },
      { id: 'a', label: 'Log a value', change: 'changed', details: ['moved'] },
      { id: 'c', label: 'Log a value', change: 'removed', details: [] },
    ]);
  });

  it('reports parameters added, removed and changed by key, type, list and optional', () => {
    const after = edit(base(), (d) => {
      d.trigger.parameters = [
        { ...d.trigger.parameters[0]!, key: 'total', type: 'text', list: true, optional: true },
        { id: 'p_new', key: 'currency', type: 'text', list: false, optional: false },
      ];
    });
    expect(diffDefinitions(base(), after).parameters).toEqual([
      { id: 'p_amount', key: 'total', change: 'changed', details: ['key: amount → total', 'type: number → text', 'now a list', 'now optional'] },
      { id: 'p_new', key: 'currency', change: 'added', details: [] },
      { id: 'p_note', key: 'note', change: 'removed', details: [] },
    ]);
  });

  it('reports run settings in words', () => {
    const after = edit(base(), (d) => {
      d.settings = { ...d.settings, mode: 'async', timeoutSeconds: 60, concurrency: 2, timeZone: 'Europe/Paris', retry: { maxAttempts: 1, initialDelayMs: 1000, maxDelayMs: 60000 } };
    });
    expect(diffDefinitions(base(), after).settings).toEqual([
      { what: 'Response', before: 'Wait for the result', after: 'Respond at once' },
      { what: 'Retries', before: '3 attempts, first retry after 1 s, longest wait 60 s', after: '1 attempt, first retry after 1 s, longest wait 60 s' },
      { what: 'Timeout', before: '300 s', after: '60 s' },
      { what: 'Concurrency', before: 'no limit', after: 'at most 2 at once' },
      { what: 'Time zone', before: 'instance default', after: 'Europe/Paris' },
    ]);
  });

  it('reports a new name, the event condition and endpoint settings; a definition without endpoint settings was open', () => {
    const before = edit(base(), (d) => {
      if (d.trigger.type === 'api') delete d.trigger.endpoint;
    });
    const after = edit(base(), (d) => {
      d.name = 'charge-card';
      if (d.trigger.type !== 'api') return;
      d.trigger.onlyWhen = { kind: 'literal', value: true };
      d.trigger.endpoint = { exposed: true, method: 'GET', auth: 'admin_token', signature: { scheme: 'stripe', secretIds: ['s1', 's2'] }, okWhenSkipped: false };
    });
    expect(diffDefinitions(before, after).trigger).toEqual([
      { what: 'Name (endpoint URL)', before: 'charge', after: 'charge-card' },
      { what: '"Only when" of the event', before: 'none', after: 'a condition' },
      { what: 'Method', before: 'POST', after: 'GET' },
      { what: 'Authentication', before: 'None required', after: 'Admin token' },
      { what: 'Signature', before: 'none', after: 'Stripe, 2 secrets' },
    ]);
  });

  it('reports a switch of event and a changed schedule', () => {
    const recurring = (cron: string): WorkflowDefinition => ({
      ...base(),
      trigger: { type: 'recurring', parameters: [], schedule: { kind: 'cron', cron, startAt: null, timeZone: null, missed: 'once' } },
    });
    expect(diffDefinitions(base(), recurring('0 0 9 * * *')).trigger).toEqual([{ what: 'Event', before: 'API workflow', after: 'Recurring' }]);
    expect(diffDefinitions(recurring('0 0 9 * * *'), recurring('0 0 10 * * *')).trigger).toEqual([
      { what: 'Schedule', before: 'cron 0 0 9 * * *; missed: run once', after: 'cron 0 0 10 * * *; missed: run once' },
    ]);
  });
});

describe('diffDefinitions, for any two versions of a workflow', () => {
  const STEP_IDS = ['s1', 's2', 's3', 's4', 's5'];
  /** A version: some of the steps, in some order, each with one of two messages. */
  const version = fc.uniqueArray(fc.constantFrom(...STEP_IDS), { maxLength: 5 }).chain((ids) =>
    fc.tuple(fc.constant(ids), fc.array(fc.boolean(), { minLength: ids.length, maxLength: ids.length })),
  );
  const build = ([ids, loud]: [string[], boolean[]]) => compiled(graph({ actions: ids.map((id, i) => log(id, loud[i] ? 'HELLO' : 'hello')) }));
  const ids = (diff: ReturnType<typeof diffDefinitions>, change: string) => diff.steps.filter((s) => s.change === change).map((s) => s.id).sort();

  it('finds nothing between a version and itself, and the same steps changed both ways, added and removed swapped', () => {
    fc.assert(
      fc.property(version, version, (a, b) => {
        const [before, after] = [build(a), build(b)];
        expect(diffDefinitions(before, before).change).toBe('unchanged');
        const forth = diffDefinitions(before, after);
        const back = diffDefinitions(after, before);
        expect(ids(forth, 'added')).toEqual(ids(back, 'removed'));
        expect(ids(forth, 'removed')).toEqual(ids(back, 'added'));
        expect(ids(forth, 'changed')).toEqual(ids(back, 'changed'));
        // Unchanged exactly when the definitions are the same.
        expect(forth.change === 'unchanged').toBe(canonicalJson(before) === canonicalJson(after));
      }),
    );
  });
});

describe('workflowTargets', () => {
  const remind: WorkflowSummary = { id: 'wf_remind', name: 'remind', parameters: [] };
  const done: WorkflowSummary = { id: 'wf_done', name: 'done', parameters: [] };
  const workflows = new Map([remind, done].map((w) => [w.id, w]));

  it('lists the workflows a definition schedules, the end workflow of a batch included, without itself', () => {
    const source = graph({
      parameters: [{ id: 'p_items', key: 'items', type: 'text', list: true, optional: false }],
      actions: [
        { id: 'one', action: { type: 'scheduleWorkflow', workflowId: 'wf_remind', parameters: { p_x: '"hi"' }, scheduledDate: 'now' } },
        { id: 'self', onlyWhen: 'false', action: { type: 'scheduleWorkflow', workflowId: 'wf_self', parameters: {}, scheduledDate: 'now' } },
        {
          id: 'many',
          action: {
            type: 'scheduleOnList',
            workflowId: 'wf_remind',
            list: 'items',
            itemParameterId: 'p_x',
            parameters: {},
            startDate: 'now',
            intervalSeconds: '0',
            ordered: false,
            onFinishWorkflowId: 'wf_done',
          },
        },
        { id: 'cancel', action: { type: 'cancelScheduled', runId: '"r1"' } },
      ],
    });
    const withSelf = new Map(workflows).set('wf_self', { id: 'wf_self', name: 'self', parameters: [] });
    withSelf.set('wf_remind', { ...remind, parameters: [{ id: 'p_x', key: 'x', type: 'text', list: false, optional: false }] });
    const result = compile('self', source, { workflowId: 'wf_self', workflows: withSelf });
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(workflowTargets(result.definition!, 'wf_self')).toEqual(['wf_remind', 'wf_done']);
  });

  it('finds none in a workflow that schedules nothing', () => {
    expect(workflowTargets(base())).toEqual([]);
  });
});
