import { describe, expect, it } from 'vitest';
import {
  NO_FILTERS,
  type RunFilters,
  describeRunFilters,
  fromDateTimeLocal,
  isFiltered,
  parseRunFilters,
  runFiltersToSearch,
  runListInput,
  toDateTimeLocal,
} from './runFilters.ts';

const iso = (text: string) => new Date(text);

describe('run filters in the URL', () => {
  it('reads every filter from the query', () => {
    expect(parseRunFilters('workflow=wf_1&status=failed,interrupted&env=live&trigger=api&range=24h')).toEqual({
      ...NO_FILTERS,
      workflowId: 'wf_1',
      statuses: ['failed', 'interrupted'],
      environment: 'live',
      trigger: 'api',
      range: '24h',
    });
  });

  it('accepts repeated status keys, puts statuses in their canonical order and drops duplicates', () => {
    expect(parseRunFilters('status=skipped&status=queued,skipped').statuses).toEqual(['queued', 'skipped']);
  });

  it('ignores values it does not know, so old or edited links still open', () => {
    expect(parseRunFilters('status=success,failed&env=staging&trigger=webhook&range=2y&since=soon&foo=1')).toEqual({
      ...NO_FILTERS,
      statuses: ['failed'],
    });
    expect(parseRunFilters(`workflow=${'x'.repeat(65)}`).workflowId).toBeNull();
  });

  it('reads since/until as a custom range, which wins over a relative one', () => {
    const filters = parseRunFilters('range=1h&since=2026-05-01T08:00:00.000Z');
    expect(filters).toMatchObject({ range: 'custom', since: iso('2026-05-01T08:00:00.000Z'), until: null });
  });

  it('writes filters back in one canonical order, readable commas, nothing for no filters', () => {
    const filters: RunFilters = {
      ...NO_FILTERS,
      trigger: 'schedule',
      statuses: ['interrupted', 'failed'],
      workflowId: 'wf_1',
      range: '7d',
    };
    expect(runFiltersToSearch(filters)).toBe('workflow=wf_1&status=failed,interrupted&trigger=schedule&range=7d');
    expect(runFiltersToSearch(NO_FILTERS)).toBe('');
    expect(isFiltered(NO_FILTERS)).toBe(false);
    expect(isFiltered(filters)).toBe(true);
  });

  it('round-trips any filters through the URL', () => {
    const samples: RunFilters[] = [
      NO_FILTERS,
      { ...NO_FILTERS, workflowName: 'greet', environment: 'draft', statuses: ['queued', 'running', 'skipped'] },
      { ...NO_FILTERS, range: 'custom', since: iso('2026-05-01T08:00:00.000Z'), until: iso('2026-05-02T08:30:00.000Z') },
      { ...NO_FILTERS, range: 'custom', since: null, until: iso('2026-05-02T08:30:00.000Z') },
      { ...NO_FILTERS, range: '1h', trigger: 'batch_item' },
    ];
    for (const filters of samples) expect(parseRunFilters(runFiltersToSearch(filters))).toEqual(filters);
  });

  it('keeps a custom range without bounds as no time filter', () => {
    expect(runFiltersToSearch({ ...NO_FILTERS, range: 'custom' })).toBe('');
  });
});

describe('runListInput', () => {
  const now = iso('2026-05-12T12:00:00.000Z').getTime();

  it('sends only the filters that are set', () => {
    expect(runListInput(NO_FILTERS, now)).toEqual({});
    expect(runListInput({ ...NO_FILTERS, workflowId: 'wf_1', statuses: ['failed'], environment: 'live', trigger: 'test' }, now)).toEqual({
      workflowId: 'wf_1',
      status: ['failed'],
      environment: 'live',
      trigger: 'test',
    });
  });

  it('counts relative ranges back from now and sends custom bounds as they are', () => {
    expect(runListInput({ ...NO_FILTERS, range: '1h' }, now)).toEqual({ since: iso('2026-05-12T11:00:00.000Z') });
    expect(runListInput({ ...NO_FILTERS, range: '7d' }, now)).toEqual({ since: iso('2026-05-05T12:00:00.000Z') });
    const until = iso('2026-05-02T00:00:00.000Z');
    expect(runListInput({ ...NO_FILTERS, range: 'custom', since: null, until }, now)).toEqual({ until });
  });
});

describe('describeRunFilters', () => {
  const formatDate = (date: Date) => date.toISOString().slice(0, 10);

  it('says what the filtered view holds', () => {
    expect(describeRunFilters(NO_FILTERS, { formatDate })).toBe('runs');
    expect(
      describeRunFilters(
        { ...NO_FILTERS, workflowId: 'wf_1', statuses: ['queued', 'failed', 'interrupted'], environment: 'live', trigger: 'api', range: '24h' },
        { workflowLabel: 'greet', formatDate },
      ),
    ).toBe('queued, failed or interrupted runs of “greet” in live, triggered by API, in the last 24 hours');
    expect(describeRunFilters({ ...NO_FILTERS, workflowId: 'gone' }, { formatDate })).toBe('runs of this workflow');
    expect(
      describeRunFilters({ ...NO_FILTERS, range: 'custom', since: iso('2026-05-01T08:00:00Z'), until: iso('2026-05-03T08:00:00Z') }, { formatDate }),
    ).toBe('runs, created between 2026-05-01 and 2026-05-03');
  });
});

describe('datetime-local values', () => {
  it('converts to and from the browser time zone', () => {
    const date = new Date(2026, 4, 1, 9, 5);
    expect(toDateTimeLocal(date)).toBe('2026-05-01T09:05');
    expect(fromDateTimeLocal('2026-05-01T09:05')).toEqual(date);
    expect(fromDateTimeLocal('2026-05-01T09:05:30')).toEqual(new Date(2026, 4, 1, 9, 5, 30));
    expect(fromDateTimeLocal('')).toBeNull();
    expect(fromDateTimeLocal('yesterday')).toBeNull();
  });
});
