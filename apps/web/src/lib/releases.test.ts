import { describe, expect, it } from 'vitest';
import { changesSummary, diffSections, kindWords, liveStateBadge } from './releases.ts';

const none = { added: [], changed: [], removed: [] };

describe('release words', () => {
  it('says how a release was made', () => {
    expect(kindWords({ kind: 'all', restoredFrom: null, changes: none })).toBe('Deploy of all workflows');
    expect(kindWords({ kind: 'workflows', restoredFrom: null, changes: { ...none, changed: [{ workflowId: 'w', name: 'greet' }] } })).toBe('Deploy of greet');
    expect(kindWords({ kind: 'workflows', restoredFrom: null, changes: null })).toBe('Deploy of chosen workflows');
    expect(kindWords({ kind: 'restore', restoredFrom: 3, changes: none })).toBe('Restore of #3');
    expect(kindWords({ kind: 'take_off', restoredFrom: null, changes: none })).toBe('Taken off live');
  });

  it('summarises what changed, and says when it was not recorded', () => {
    expect(changesSummary({ added: [{ workflowId: 'a', name: 'a' }], changed: [], removed: [{ workflowId: 'b', name: 'b' }] })).toBe('1 added, 1 removed');
    expect(changesSummary(none)).toBe('No workflow changed');
    expect(changesSummary(null)).toBeNull();
  });

  it('names the live state, and the live name after a rename', () => {
    expect(liveStateBadge({ state: 'deployed', releaseNumber: 4, liveName: 'greet' }, 'greet')).toMatchObject({ text: 'Live · #4', tone: 'success' });
    expect(liveStateBadge({ state: 'changed', releaseNumber: 4, liveName: 'hello' }, 'greet').title).toMatch(/Live as "hello"/);
    expect(liveStateBadge({ state: 'never', releaseNumber: null, liveName: null }, 'greet').text).toBe('Never deployed');
  });

  it('groups a diff into sections, leaving out empty ones', () => {
    const sections = diffSections({
      change: 'changed',
      steps: [{ id: 's', label: 'Answer', change: 'changed', details: ['title: "A" → "Answer"', 'entries'] }],
      parameters: [],
      settings: [{ what: 'Timeout', before: '300 s', after: '60 s' }],
      trigger: [],
    });
    expect(sections).toEqual([
      { title: 'Steps', lines: [{ change: 'changed', text: 'Answer: title: "A" → "Answer", entries' }] },
      { title: 'Run settings', lines: [{ change: 'changed', text: 'Timeout: 300 s → 60 s' }] },
    ]);
  });
});
