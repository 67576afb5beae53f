import { describe, expect, it } from 'vitest';
import { ACTION_GROUPS, ACTION_LABELS, actorLabel, dayEnd, dayStart, describeDetails, filtersFromSearch, listInput, searchFromFilters } from './audit.ts';

describe('audit log helpers', () => {
  it('groups every action exactly once in the filter', () => {
    const grouped = ACTION_GROUPS.flatMap((g) => g.actions);
    expect(new Set(grouped).size).toBe(grouped.length);
    expect([...grouped].sort()).toEqual(Object.keys(ACTION_LABELS).sort());
  });

  it('words actors and details', () => {
    expect(actorLabel({ kind: 'user', id: 'u1', name: 'ada@example.com' })).toBe('ada@example.com');
    expect(actorLabel({ kind: 'anonymous', id: null, name: null })).toBe('Not signed in');
    expect(actorLabel({ kind: 'cli', id: null, name: null })).toBe('Command line');
    expect(describeDetails({ action: 'user.role_changed', details: { from: 'builder', to: 'admin' } })).toBe('Builder → Admin');
    expect(describeDetails({ action: 'auth.sign_in_failed', details: { reason: 'account_disabled', ip: '10.0.0.1' } })).toBe('account disabled, from 10.0.0.1');
    expect(describeDetails({ action: 'recurring.switched', details: { environment: 'live', enabled: false } })).toBe('off in live');
    expect(describeDetails({ action: 'token.created', details: null })).toBe('');
  });

  it('reads a date range as whole local days, the end day included', () => {
    expect(dayStart('2026-11-25')).toEqual(new Date(2026, 10, 25));
    expect(dayEnd('2026-11-25')).toEqual(new Date(2026, 10, 26));
    expect(dayEnd('2026-12-31')).toEqual(new Date(2027, 0, 1));
    expect(dayStart('25/11/2026')).toBeUndefined();
  });

  it('keeps filters in the URL and leaves out what does not parse', () => {
    const filters = { actor: 'user:u1', actions: ['user.invited' as const, 'user.role_changed' as const], from: '2026-11-01', to: '' };
    expect(filtersFromSearch(searchFromFilters(filters))).toEqual(filters);
    expect(filtersFromSearch(new URLSearchParams('action=user.invited,bogus&actor=nobody')).actions).toEqual(['user.invited']);
    expect(listInput(filtersFromSearch(new URLSearchParams('actor=nobody&from=soon')))).toEqual({});
    expect(listInput({ actor: 'cli', actions: [], from: '', to: '2026-11-30' })).toEqual({ actor: { kind: 'cli' }, to: new Date(2026, 11, 1) });
  });
});

describe('release details in words', () => {
  it('name what a deploy added, changed and removed, and the release a restore copied', () => {
    expect(describeDetails({ action: 'release.deployed', details: { kind: 'workflows', added: ['greet'], changed: ['charge', 'refund'], removed: [] } })).toBe(
      'added greet; changed charge, refund',
    );
    expect(describeDetails({ action: 'release.restored', details: { kind: 'restore', restoredFrom: 3, added: [], changed: [], removed: ['old'] } })).toBe(
      'restored from #3; removed old',
    );
    expect(describeDetails({ action: 'release.deployed', details: { kind: 'all', added: [], changed: [], removed: [] } })).toBe('no change');
  });
});
