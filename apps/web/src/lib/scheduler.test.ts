import { describe, expect, it } from 'vitest';
import { isNarrowed, parseScheduledBy, parseSchedulerView, pendingListInput, schedulerViewToSearch, withoutFilters } from './scheduler.ts';

describe('scheduler view in the URL', () => {
  it('reads draft with no filters from an empty query', () => {
    expect(parseSchedulerView('')).toEqual({ environment: 'draft', workflowId: null, from: null, to: null });
  });

  it('round-trips every part', () => {
    const view = {
      environment: 'live' as const,
      workflowId: 'wf_1',
      from: new Date('2026-05-01T08:00:00.000Z'),
      to: new Date('2026-05-02T08:00:00.000Z'),
    };
    const search = schedulerViewToSearch(view);
    expect(search).toBe('env=live&workflow=wf_1&from=2026-05-01T08%3A00%3A00.000Z&to=2026-05-02T08%3A00%3A00.000Z');
    expect(parseSchedulerView(search)).toEqual(view);
    expect(isNarrowed(view)).toBe(true);
    expect(withoutFilters(view)).toEqual({ environment: 'live', workflowId: null, from: null, to: null });
    expect(isNarrowed(withoutFilters(view))).toBe(false);
  });

  it('ignores what it does not know', () => {
    expect(parseSchedulerView('env=staging&from=yesterday&workflow=' + 'x'.repeat(65))).toEqual({
      environment: 'draft',
      workflowId: null,
      from: null,
      to: null,
    });
  });

  it('makes the list input of a page', () => {
    const view = parseSchedulerView('env=draft&workflow=w&to=2026-05-02T08:00:00.000Z');
    const cursor = { runAt: new Date('2026-05-01T00:00:00.000Z'), id: 'r1' };
    expect(pendingListInput(view, 50, null)).toEqual({ environment: 'draft', limit: 50, workflowId: 'w', to: new Date('2026-05-02T08:00:00.000Z') });
    expect(pendingListInput(view, 50, cursor)).toMatchObject({ cursor });
  });
});

describe('scheduled by', () => {
  it('reads each kind the server records', () => {
    expect(parseScheduledBy('api')).toEqual({ kind: 'api' });
    expect(parseScheduledBy('recurring')).toEqual({ kind: 'recurring' });
    expect(parseScheduledBy('user:ada@example.com')).toEqual({ kind: 'user', email: 'ada@example.com' });
    expect(parseScheduledBy('run:0193-abc')).toEqual({ kind: 'run', runId: '0193-abc' });
    expect(parseScheduledBy('batch:b1')).toEqual({ kind: 'batch', batchId: 'b1' });
    expect(parseScheduledBy(null)).toEqual({ kind: 'none' });
    expect(parseScheduledBy('run:')).toEqual({ kind: 'other', text: 'run:' });
    expect(parseScheduledBy('something')).toEqual({ kind: 'other', text: 'something' });
  });
});
