import { describe, expect, it } from 'vitest';
import { type WorkflowSummary, compile } from '../compile.ts';
import { WorkflowGraph } from '../graph.ts';
import type { SchedulerPort } from '../services.ts';
import { call, compiled, fakeServices, graph, log } from '../test-support.ts';

/** The workflows a scheduling step may target: `remind` takes a required number and an optional text. */
const remind: WorkflowSummary = {
  id: 'wf_remind',
  name: 'remind',
  parameters: [
    { id: 'p_days', key: 'days', type: 'number', list: false, optional: false },
    { id: 'p_note', key: 'note', type: 'text', list: false, optional: true },
  ],
};
const workflows = new Map([[remind.id, remind]]);

const schedule = (config: Record<string, unknown>, extra: { onlyWhen?: string } = {}) => ({
  id: 'sched',
  title: 'Schedule reminder',
  ...extra,
  action: { type: 'scheduleWorkflow', workflowId: 'wf_remind', parameters: { p_days: '3' }, scheduledDate: 'addDays(now, 7)', ...config },
});

const errorsOf = (source: ReturnType<typeof graph>, options: Parameters<typeof compile>[2] = { workflows }) =>
  compile('orders', source, options).diagnostics.map((d) => [d.severity, d.nodeId, d.field, d.message]);

describe('Schedule API workflow: compiling against the workflows it may target', () => {
  it('checks each parameter value against the target parameter type, and requires the required ones', () => {
    expect(errorsOf(graph({ actions: [schedule({})] }))).toEqual([]);
    expect(errorsOf(graph({ actions: [schedule({ parameters: {} })] }))).toEqual([['error', 'sched', 'parameters.p_days', '"days" is required by remind']]);
    expect(errorsOf(graph({ actions: [schedule({ parameters: { p_days: '"three"' } })] }))).toEqual([
      ['error', 'sched', 'parameters.p_days', expect.stringMatching(/number/)],
    ]);
  });

  it('reports a target that does not exist, or none chosen, and a date that is not a date', () => {
    expect(errorsOf(graph({ actions: [schedule({ workflowId: 'wf_gone' })] }))).toEqual([
      ['error', 'sched', 'workflowId', 'The chosen workflow no longer exists: choose another'],
    ]);
    expect(errorsOf(graph({ actions: [schedule({ workflowId: '' })] }))).toEqual([['error', 'sched', 'workflowId', 'Choose the workflow to schedule']]);
    expect(errorsOf(graph({ actions: [schedule({ scheduledDate: '"tomorrow"' })] }))).toEqual([
      ['error', 'sched', 'scheduledDate', expect.stringMatching(/date/)],
    ]);
  });

  it('refuses a recurring job as the target', () => {
    const nightly = { id: 'wf_nightly', name: 'nightly', parameters: [], recurring: true };
    expect(errorsOf(graph({ actions: [schedule({ workflowId: 'wf_nightly', parameters: {} })] }), { workflows: new Map([[nightly.id, nightly]]) })).toEqual([
      ['error', 'sched', 'workflowId', 'nightly is a recurring job: it runs on its schedule and cannot be scheduled'],
    ]);
  });

  it('warns about values for parameters the target no longer has, and ignores them', () => {
    const definition = compile('orders', graph({ actions: [schedule({ parameters: { p_days: '1', p_old: '2' } })] }), { workflows });
    expect(definition.diagnostics).toEqual([expect.objectContaining({ severity: 'warning', field: 'parameters', message: expect.stringMatching(/no longer has/) })]);
    expect((definition.definition!.steps[0]!.config as { parameters: unknown[] }).parameters).toHaveLength(1);
  });

  it('warns about the runaway loop: a workflow that schedules itself with no "Only when"', () => {
    const self = { ...remind, id: 'wf_self' };
    const options = { workflowId: 'wf_self', workflows: new Map([[self.id, self]]) };
    const loop = (extra: { onlyWhen?: string } = {}) => graph({ actions: [schedule({ workflowId: 'wf_self' }, extra)] });
    expect(errorsOf(loop(), options)).toEqual([['warning', 'sched', 'workflowId', expect.stringMatching(/schedules itself with no "Only when"/)]]);
    expect(errorsOf(loop({ onlyWhen: 'now > addDays(now, -1)' }), options)).toEqual([]);
  });

  it('runs: gives the port the values by parameter id and the date, and its result is the run id', async () => {
    const requests: Parameters<SchedulerPort['schedule']>[0][] = [];
    const scheduler: SchedulerPort = {
      schedule: async (request) => {
        requests.push(request);
        return { runId: 'run_later' };
      },
      scheduleList: async () => ({ batchId: 'b', total: 0 }),
      cancel: async () => ({ cancelled: 0, started: 0, unknown: 0 }),
    };
    const definition = compiled(
      graph({ actions: [schedule({ parameters: { p_days: '2 + 1', p_note: '"hi"' } }), log('after', 'scheduled {{steps.schedule_reminder}}')] }),
    );
    const outcome = await call(definition, {}, { services: { ...fakeServices(), scheduler } });
    expect(outcome.status).toBe('succeeded');
    expect(requests).toEqual([
      { workflowId: 'wf_remind', params: new Map<string, unknown>([['p_days', 3], ['p_note', 'hi']]), runAt: new Date('2026-04-05T00:30:00.000Z'), idempotencyKey: 'run_1:sched' },
    ]);
    expect(outcome.records[1]!.output).toBe('{"message":"scheduled run_later"}');
  });
});

describe('Schedule API workflow on a list', () => {
  const onList = (config: Record<string, unknown>) => ({
    id: 'fan',
    action: {
      type: 'scheduleOnList',
      workflowId: 'wf_remind',
      list: 'days',
      itemParameterId: 'p_days',
      parameters: {},
      startDate: 'now',
      intervalSeconds: '0',
      ordered: false,
      onFinishWorkflowId: '',
      ...config,
    },
  });
  const withDays = (config: Record<string, unknown>) => graph({ parameters: [{ id: 'p_list', key: 'days', type: 'number', list: true, optional: false }], actions: [onList(config)] });

  it('checks the list against the item parameter, and the end workflow against what a batch gives it', () => {
    expect(errorsOf(withDays({}))).toEqual([]);
    expect(errorsOf(withDays({ itemParameterId: 'p_note' }))).toEqual([
      ['error', 'fan', 'parameters.p_days', '"days" is required by remind'],
      ['error', 'fan', 'list', 'days is a list of numbers; a list of texts is needed'],
    ]);
    expect(errorsOf(withDays({ itemParameterId: '' }))).toEqual([
      ['error', 'fan', 'itemParameterId', 'Choose the parameter each item goes to'],
      ['error', 'fan', 'parameters.p_days', '"days" is required by remind'],
    ]);
    expect(errorsOf(withDays({ intervalSeconds: '' }))).toEqual([['error', 'fan', 'intervalSeconds', 'Write the seconds between starts (0 for none)']]);
    const done = { id: 'wf_done', name: 'done', parameters: [{ id: 'p_total', key: 'total', type: 'date' as const, list: false, optional: false }] };
    expect(errorsOf(withDays({ onFinishWorkflowId: 'wf_done' }), { workflows: new Map([...workflows, [done.id, done]]) })).toEqual([
      ['error', 'fan', 'onFinishWorkflowId', expect.stringMatching(/"total" must be a number/)],
    ]);
    // remind needs "days", which the end of a batch does not give.
    expect(errorsOf(withDays({ onFinishWorkflowId: 'wf_remind' }))).toEqual([['error', 'fan', 'onFinishWorkflowId', expect.stringMatching(/needs "days"/)]]);
  });
});

describe('the Recurring event', () => {
  const recurring = (schedule: Record<string, unknown>) =>
    WorkflowGraph.parse({
      schemaVersion: 2,
      nodes: [
        { id: 'event', type: 'recurringEvent', position: { x: 0, y: 0 }, data: { schedule } },
        { id: 'log', type: 'action', position: { x: 0, y: 100 }, data: { action: { type: 'log', message: 'tick {{formatDate(now, "HH:mm")}}' } } },
      ],
      edges: [{ id: 'e', source: 'event', target: 'log' }],
    });

  it('compiles into a recurring trigger with its schedule and no parameters', () => {
    const definition = compiled(recurring({ kind: 'cron', cron: '0 0 3 * * *', timeZone: 'Europe/Paris' }));
    expect(definition.trigger).toEqual({
      type: 'recurring',
      parameters: [],
      schedule: { kind: 'cron', cron: '0 0 3 * * *', timeZone: 'Europe/Paris', startAt: null, missed: 'once' },
    });
  });

  it('explains a bad schedule on its field', () => {
    expect(errorsOf(recurring({ kind: 'cron', cron: '0 0 25 * * *' }) as never)).toEqual([['error', 'event', 'schedule.cron', expect.stringMatching(/hour/i)]]);
    expect(errorsOf(recurring({ kind: 'every', every: 1, unit: 'days', timeZone: 'Mars/Olympus' }) as never)).toEqual([
      ['error', 'event', 'schedule.timeZone', expect.stringMatching(/Mars\/Olympus/)],
    ]);
  });
});
