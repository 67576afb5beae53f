import { describe, expect, it } from 'vitest';
import { parseRunFilters } from './runFilters.ts';
import {
  ADMINS_ONLY,
  type RecurringList,
  formatFireTime,
  historyLabel,
  needsSeconds,
  recurringRunsHref,
  switchRule,
  withJobEnabled,
  zoneNote,
} from './recurring.ts';

const env = (environment: 'draft' | 'live', over: Partial<RecurringList['jobs'][number]['environments'][number]> = {}) => ({
  environment,
  available: true,
  schedule: 'every minute, UTC',
  enabled: false,
  changedAt: null,
  changedBy: null,
  nextFires: [],
  lastRun: null,
  history: [],
  ...over,
});

describe('recurring switches', () => {
  it('lets only admins switch, and says why not', () => {
    expect(switchRule(env('draft'), true)).toEqual({ disabled: false, reason: null });
    expect(switchRule(env('draft'), false)).toEqual({ disabled: true, reason: ADMINS_ONLY });
    expect(switchRule(env('live', { available: false }), false)).toEqual({ disabled: true, reason: ADMINS_ONLY });
  });

  it('cannot switch on a job that has no schedule in its environment, but can switch one left on off', () => {
    expect(switchRule(env('live', { available: false }), true)).toEqual({ disabled: true, reason: 'Not deployed as a recurring job' });
    expect(switchRule(env('draft', { available: false }), true)).toEqual({ disabled: true, reason: 'The draft is not recurring' });
    expect(switchRule(env('live', { available: false, enabled: true }), true)).toEqual({ disabled: false, reason: null });
  });

  it('changes one environment of one job, optimistically', () => {
    const list: RecurringList = {
      timeZone: 'UTC',
      jobs: [
        { workflowId: 'a', name: 'a', label: '', environments: [env('draft'), env('live')] },
        { workflowId: 'b', name: 'b', label: '', environments: [env('draft'), env('live')] },
      ],
    };
    const at = new Date('2026-05-01T08:00:00.000Z');
    const next = withJobEnabled(list, { workflowId: 'a', environment: 'draft', enabled: true, by: 'ada@example.com', at });
    expect(next.jobs[0]!.environments[0]).toMatchObject({ enabled: true, changedBy: 'ada@example.com', changedAt: at });
    expect(next.jobs[0]!.environments[1]).toBe(list.jobs[0]!.environments[1]);
    expect(next.jobs[1]).toBe(list.jobs[1]);
    // Nothing to change: the same entry.
    expect(withJobEnabled(next, { workflowId: 'a', environment: 'draft', enabled: true, by: 'x', at }).jobs[0]!.environments[0]).toBe(
      next.jobs[0]!.environments[0],
    );
  });
});

describe('recurring words and links', () => {
  it('links to the Runs page filtered to the job, in the format the Runs page reads', () => {
    const href = recurringRunsHref('wf_1', 'live');
    expect(href).toBe('/runs?workflow=wf_1&env=live&trigger=recurring');
    expect(parseRunFilters(href.slice('/runs?'.length))).toMatchObject({ workflowId: 'wf_1', environment: 'live', trigger: 'recurring' });
  });

  it('shows seconds only when a fire time has some', () => {
    expect(needsSeconds([new Date('2026-05-01T08:00:00.000Z')])).toBe(false);
    expect(needsSeconds([new Date('2026-05-01T08:00:00.000Z'), new Date('2026-05-01T08:00:01.000Z')])).toBe(true);
    const at = new Date(2026, 4, 12, 9, 0, 5);
    expect(formatFireTime(at, new Date(2026, 0, 1).getTime(), { locale: 'en-GB' })).toBe('Tue 12 May, 09:00');
    expect(formatFireTime(at, new Date(2026, 0, 1).getTime(), { locale: 'en-GB', seconds: true })).toBe('Tue 12 May, 09:00:05');
    expect(formatFireTime(at, new Date(2025, 0, 1).getTime(), { locale: 'en-GB' })).toBe('Tue, 12 May 2026, 09:00');
  });

  it('notes the zones', () => {
    expect(zoneNote('UTC', 'Europe/Paris')).toBe(
      "Times are shown in your time zone (Europe/Paris). Schedules without a zone of their own run in the server's, UTC.",
    );
    expect(zoneNote('UTC', 'UTC')).toContain('which is also the server');
  });

  it('names history kinds, and shows unknown ones as they are', () => {
    expect(historyLabel('missed_once')).toBe('Missed, ran once');
    expect(historyLabel('something_new')).toBe('something_new');
  });
});
