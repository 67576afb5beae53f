import { type ActionNode, type ApiEventNode, type GraphNode, type RecurringEventNode, type WorkflowGraph, compile, emptyGraph } from '@switchyard/workflow';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fieldLabel } from './describe.ts';
import { EditorModel } from './model.ts';
import { DEFAULT_CRON, PREVIEW_COUNT, formatAlongside, formatInZone, localInputOf, schedulePreview } from './schedule.ts';

const editorWith = (graph: WorkflowGraph = emptyGraph()) => new EditorModel({ name: 'nightly', graph });
const eventOf = (editor: EditorModel) => editor.state.nodes.find((n) => n.id === 'event')!;
const scheduleOf = (editor: EditorModel) => (eventOf(editor) as RecurringEventNode).data.schedule;
const problems = (editor: EditorModel) => editor.diagnostics().list.map((d) => `${d.nodeId} ${d.field}: ${d.message}`);

/** An API workflow with a parameter `amount` used by the event's condition and by a step after it. */
function apiWorkflowUsingAmount(): EditorModel {
  const editor = editorWith();
  const amount = editor.addParameter({ key: 'amount', type: 'number' })!;
  editor.updateSettings((s) => ({ ...s, timeoutSeconds: 60 }));
  editor.setOnlyWhen('event', `$${amount} > 0`);
  const log = editor.addAction('log')!;
  editor.updateActionConfig(log, () => ({ type: 'log', message: `Amount {{$${amount}}}` }));
  editor.moveNodes([{ id: 'event', position: { x: 40, y: -20 } }]);
  return editor;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('switching the event kind', () => {
  it('replaces the event in place, keeping its id, position, edges, condition and settings; one undo step', () => {
    const editor = editorWith();
    const log = editor.addAction('log')!;
    editor.setOnlyWhen('event', 'now > now');
    editor.updateSettings((s) => ({ ...s, concurrency: 2, timeZone: 'Europe/Paris' }));
    const before = { nodes: editor.state.nodes, edges: editor.state.edges };
    const api = eventOf(editor) as ApiEventNode;

    expect(editor.eventSwitchImpact('recurringEvent')).toEqual({ parameters: [], uses: [] });
    expect(editor.switchEvent('recurringEvent')).toBe(true);
    const recurring = eventOf(editor) as RecurringEventNode;
    expect(recurring).toEqual({
      id: 'event',
      type: 'recurringEvent',
      position: api.position,
      data: { schedule: { kind: 'cron', cron: DEFAULT_CRON, startAt: null, timeZone: null, missed: 'once' }, onlyWhen: 'now > now', settings: api.data.settings },
    });
    expect(editor.state.nodes.map((n) => n.id)).toEqual(['event', log]);
    expect(editor.state.nodes.indexOf(recurring)).toBe(0);
    expect(editor.state.edges).toBe(before.edges);
    expect(editor.state.nodes[1]).toBe(before.nodes[1]);
    expect(editor.state.selectedNodeIds).toEqual(['event']);
    expect(editor.nodeDiagnostics('event')).toEqual([]);
    // The same kind again changes nothing.
    expect(editor.switchEvent('recurringEvent')).toBe(false);

    editor.undo();
    expect(editor.state.nodes).toEqual(before.nodes);
    editor.redo();
    expect(eventOf(editor).type).toBe('recurringEvent');
  });

  it('says which parameters go and which expressions use them before switching to Recurring', () => {
    const editor = apiWorkflowUsingAmount();
    const log = editor.state.nodes[1]!.id;
    const impact = editor.eventSwitchImpact('recurringEvent');
    expect(impact.parameters.map((p) => p.key)).toEqual(['amount']);
    expect(impact.uses).toEqual([
      { nodeId: 'event', field: 'onlyWhen' },
      { nodeId: log, field: 'message' },
    ]);
    expect(impact.uses.map((u) => fieldLabel(editor.state.nodes.find((n) => n.id === u.nodeId), u.field))).toEqual(['Only when', 'Message']);
    // Nothing to warn about the other way, or to the same kind.
    expect(editor.eventSwitchImpact('apiEvent').parameters).toEqual([]);
  });

  it('turns parameter references into names the compiler reports where they are used, and undo restores all of it', () => {
    const editor = apiWorkflowUsingAmount();
    const log = editor.state.nodes[1]!.id;
    const before = editor.state.nodes;
    const past = editor.state.past.length;

    editor.switchEvent('recurringEvent');
    expect(editor.state.past.length).toBe(past + 1);
    const event = eventOf(editor) as RecurringEventNode;
    expect(event.position).toEqual({ x: 40, y: -20 });
    expect(event.data.settings.timeoutSeconds).toBe(60);
    expect(event.data.onlyWhen).toBe('amount > 0');
    expect((editor.state.nodes[1] as ActionNode).data.action).toEqual({ type: 'log', message: 'Amount {{amount}}' });
    expect(problems(editor)).toEqual([`event onlyWhen: Unknown name "amount"`, `${log} message: Unknown name "amount"`]);
    expect(editor.displayText(event.data.onlyWhen!, 'expression')).toBe('amount > 0');

    editor.undo();
    expect(editor.state.nodes).toEqual(before);
    expect(problems(editor)).toEqual([]);
  });

  it('switching back to API workflow brings the parameters back, and their references with them', () => {
    const editor = apiWorkflowUsingAmount();
    const before = editor.state.nodes;
    editor.switchEvent('recurringEvent');
    editor.setCron('0 */5 * * * *');
    editor.switchEvent('apiEvent');
    expect(editor.state.nodes).toEqual(before);
    // And the schedule the Recurring event had, the next time.
    editor.switchEvent('recurringEvent');
    expect(scheduleOf(editor)).toMatchObject({ kind: 'cron', cron: '0 */5 * * * *' });
  });

  it('a new API event after a Recurring one has no parameters', () => {
    const recurring: GraphNode = {
      id: 'event',
      type: 'recurringEvent',
      position: { x: 0, y: 0 },
      data: { schedule: { kind: 'every', every: 2, unit: 'hours', startAt: null, timeZone: 'UTC', missed: 'skip' }, settings: (emptyGraph().nodes[0] as ApiEventNode).data.settings },
    };
    const editor = editorWith({ ...emptyGraph(), nodes: [recurring] });
    editor.switchEvent('apiEvent');
    // ...and requires a token, as a new workflow does.
    expect(eventOf(editor)).toMatchObject({ id: 'event', type: 'apiEvent', data: { parameters: [], endpoint: { auth: 'admin_token' } } });
    expect(compile('nightly', editor.toGraph()).diagnostics).toEqual([]);
  });

  it('does nothing when read only', () => {
    const editor = new EditorModel({ name: 'x', graph: emptyGraph(), readOnly: true });
    expect(editor.switchEvent('recurringEvent')).toBe(false);
    expect(eventOf(editor).type).toBe('apiEvent');
  });
});

describe('editing the schedule', () => {
  const recurringEditor = () => {
    const editor = editorWith();
    editor.switchEvent('recurringEvent');
    return editor;
  };

  it('folds typing a cron expression into one undo step, and a pause starts a new one', () => {
    vi.useFakeTimers({ now: new Date('2026-03-01T10:00:00Z') });
    const editor = recurringEditor();
    const past = editor.state.past.length;
    for (const cron of ['', '0', '0 3', '0 30 9 * * MON-FRI']) editor.setCron(cron);
    expect(editor.state.past.length).toBe(past + 1);
    vi.advanceTimersByTime(5_000);
    editor.setCron('0 30 9 * * MON');
    expect(editor.state.past.length).toBe(past + 2);
    editor.undo();
    expect(scheduleOf(editor)).toMatchObject({ cron: '0 30 9 * * MON-FRI' });
    editor.undo();
    expect(scheduleOf(editor)).toMatchObject({ cron: DEFAULT_CRON });
    editor.undo();
    expect(eventOf(editor).type).toBe('apiEvent');
  });

  it('reports a bad expression at schedule.cron, with the field label the form uses', () => {
    const editor = recurringEditor();
    editor.setCron('0 0 25 * * *');
    const [problem] = editor.nodeDiagnostics('event');
    expect(problem).toMatchObject({ field: 'schedule.cron', message: 'The hour field "25" must be 0–23' });
    expect(fieldLabel(eventOf(editor), problem!.field)).toBe('Cron expression');
    expect(fieldLabel(eventOf(editor), 'schedule.startAt')).toBe('Starts');
    expect(fieldLabel(eventOf(editor), 'settings.timeZone')).toBe('Time zone for dates');
  });

  it('switches between cron and every, keeping the start, zone and policy, and remembering each kind', () => {
    const editor = recurringEditor();
    editor.setCron('0 0 12 * * *');
    editor.setScheduleTimeZone('Europe/Paris');
    editor.setMissed('skip');
    editor.setStartAt('2026-01-05T09:00');
    editor.setScheduleKind('every');
    expect(scheduleOf(editor)).toEqual({ kind: 'every', every: 1, unit: 'days', startAt: '2026-01-05T09:00', timeZone: 'Europe/Paris', missed: 'skip' });
    editor.setEvery(3);
    editor.setEveryUnit('hours');
    editor.setScheduleKind('cron');
    expect(scheduleOf(editor)).toMatchObject({ kind: 'cron', cron: '0 0 12 * * *', timeZone: 'Europe/Paris' });
    editor.setScheduleKind('every');
    expect(scheduleOf(editor)).toMatchObject({ kind: 'every', every: 3, unit: 'hours' });
    editor.setStartAt('');
    expect(scheduleOf(editor).startAt).toBeNull();
    editor.undo();
    expect(scheduleOf(editor).startAt).toBe('2026-01-05T09:00');
  });

  it('keeps the instance zone out of the document', () => {
    const editor = recurringEditor();
    const revision = editor.state.revision;
    editor.setInstanceTimeZone('Europe/Paris');
    expect(editor.state.instanceTimeZone).toBe('Europe/Paris');
    expect(editor.state.revision).toBe(revision);
  });
});

describe('the schedule preview', () => {
  const cron = (text: string, extra: Partial<{ timeZone: string | null; startAt: string | null }> = {}) =>
    ({ kind: 'cron', cron: text, startAt: null, timeZone: null, missed: 'once', ...extra }) as const;
  const now = new Date('2026-03-27T12:00:00Z');

  it('gives the schedule in words and the next five fire times', () => {
    const preview = schedulePreview(cron('0 0 3 * * *', { timeZone: 'Europe/Paris' }), 'UTC', now);
    expect(preview).toMatchObject({ ok: true, words: 'every day at 03:00, Europe/Paris', zone: 'Europe/Paris' });
    if (!preview.ok) throw new Error('expected a preview');
    expect(preview.times).toHaveLength(PREVIEW_COUNT);
    // Daylight saving starts in Paris on 29 March 2026: 03:00 is +01:00 before, +02:00 after.
    expect(preview.times.map((t) => t.toISOString())).toEqual([
      '2026-03-28T02:00:00.000Z',
      '2026-03-29T01:00:00.000Z',
      '2026-03-30T01:00:00.000Z',
      '2026-03-31T01:00:00.000Z',
      '2026-04-01T01:00:00.000Z',
    ]);
    expect(formatInZone(preview.times[0]!, 'Europe/Paris', now, { locale: 'en-GB' })).toBe('Sat 28 Mar, 03:00');
    expect(formatInZone(preview.times[0]!, 'America/New_York', now, { locale: 'en-GB' })).toBe('Fri 27 Mar, 22:00');
    expect(formatInZone(new Date('2027-01-04T09:00:00Z'), 'UTC', now, { locale: 'en-GB' })).toBe('Mon, 4 Jan 2027, 09:00');
    // Next to it, the browser's time: the time alone on the same day, else with its day.
    expect(formatAlongside(preview.times[0]!, 'Europe/Paris', 'Europe/Berlin', now, { locale: 'en-GB' })).toBe('03:00');
    expect(formatAlongside(preview.times[0]!, 'Europe/Paris', 'America/New_York', now, { locale: 'en-GB' })).toBe('Fri 27 Mar, 22:00');
  });

  it('uses the instance zone for a schedule without one', () => {
    const preview = schedulePreview({ kind: 'every', every: 15, unit: 'minutes', startAt: null, timeZone: null, missed: 'once' }, 'Asia/Tokyo', now);
    expect(preview).toMatchObject({ ok: true, words: 'every 15 minutes, Asia/Tokyo', zone: 'Asia/Tokyo' });
    if (preview.ok) expect(preview.times[0]!.toISOString()).toBe('2026-03-27T12:15:00.000Z');
  });

  it('explains a bad expression with the field to fix, and never throws', () => {
    expect(schedulePreview(cron('0 0 25 * * *'), 'UTC', now)).toEqual({ ok: false, field: 'cron', message: 'The hour field "25" must be 0–23', zone: 'UTC' });
    expect(schedulePreview(cron('0 0 3 * *  * *'), 'UTC', now)).toMatchObject({ ok: false, field: 'cron' });
    expect(schedulePreview(cron(''), 'UTC', now)).toMatchObject({ ok: false, field: 'cron', message: expect.stringContaining('Enter a cron expression') });
    expect(schedulePreview(cron('0 0 0 30 2 *'), 'UTC', now)).toMatchObject({ ok: false, field: 'cron', message: expect.stringContaining('never fires') });
    expect(schedulePreview(cron('0 0 3 * * *', { startAt: '2026-02-30T09:00' }), 'UTC', now)).toMatchObject({ ok: false, field: 'startAt' });
    expect(schedulePreview(cron('0 0 3 * * *', { timeZone: 'Mars/Olympus' }), 'UTC', now)).toMatchObject({ ok: false, field: 'timeZone' });
    expect(schedulePreview({ kind: 'every', every: 0, unit: 'days', startAt: null, timeZone: null, missed: 'once' }, 'UTC', now)).toMatchObject({ ok: false, field: 'every' });
    // Every prefix of a cron expression being typed gives an answer, never an exception.
    const typed = '0 */15 9-17 * * MON-FRI';
    for (let i = 0; i <= typed.length; i++) expect(() => schedulePreview(cron(typed.slice(0, i)), 'UTC', now)).not.toThrow();
  });

  it('shows a stored start in a date-time input only when it can', () => {
    expect(localInputOf(null)).toBe('');
    expect(localInputOf('2026-01-05T09:00')).toBe('2026-01-05T09:00');
    expect(localInputOf('2026-01-05T09:00:30')).toBe('2026-01-05T09:00:30');
    expect(localInputOf('2026-01-05')).toBeNull();
    expect(localInputOf('2026-01-05T09:00Z')).toBeNull();
  });
});
