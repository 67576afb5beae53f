import { describe, expect, it } from 'vitest';
import { collapseSteps, firstFailure, groupAttempts, stepKey } from './runSteps.ts';

const step = (attempt: number, position: number, status = 'succeeded') => ({ attempt, position, path: `s${position}`, status });
const attempt = (number: number, error: string | null = null) => ({ number, error });

describe('groupAttempts', () => {
  it('puts each step under its attempt, in order, with the attempt before it', () => {
    const groups = groupAttempts(
      [attempt(1, 'Division by zero'), attempt(2)],
      [step(2, 3), step(1, 1), step(1, 0), step(1, 3, 'failed'), step(1, 2)],
    );
    expect(groups.map((g) => [g.number, g.steps.map((s) => s.position), g.previous?.error ?? null])).toEqual([
      [1, [0, 1, 2, 3], null],
      [2, [3], 'Division by zero'],
    ]);
  });

  it('keeps attempts without steps, and steps of an attempt without a record', () => {
    const groups = groupAttempts([attempt(2)], [step(1, 0)]);
    expect(groups.map((g) => [g.number, g.attempt?.number ?? null, g.steps.length])).toEqual([
      [1, null, 1],
      [2, 2, 0],
    ]);
  });
});

describe('firstFailure', () => {
  it('finds the earliest failed step across attempts', () => {
    expect(firstFailure([step(2, 1, 'failed'), step(1, 5, 'failed'), step(1, 7, 'failed')])).toMatchObject({ attempt: 1, position: 5 });
    expect(firstFailure([step(1, 0), step(1, 1, 'skipped')])).toBeNull();
  });

  it('keys steps by attempt and path', () => {
    expect(stepKey(step(2, 4))).toBe('2-s4');
  });
});

describe('collapseSteps', () => {
  it('shows short lists whole', () => {
    expect(collapseSteps(0)).toEqual([]);
    expect(collapseSteps(20)).toEqual([{ kind: 'shown', start: 0, end: 20 }]);
  });

  it('folds the middle of a long list', () => {
    expect(collapseSteps(100)).toEqual([
      { kind: 'shown', start: 0, end: 8 },
      { kind: 'hidden', start: 8, end: 95 },
      { kind: 'shown', start: 95, end: 100 },
    ]);
  });

  it('keeps failures and their neighbours in view', () => {
    expect(collapseSteps(100, { keep: [50] })).toEqual([
      { kind: 'shown', start: 0, end: 8 },
      { kind: 'hidden', start: 8, end: 49 },
      { kind: 'shown', start: 49, end: 52 },
      { kind: 'hidden', start: 52, end: 95 },
      { kind: 'shown', start: 95, end: 100 },
    ]);
  });

  it('never folds fewer than three steps', () => {
    expect(collapseSteps(22, { head: 8, tail: 12 })).toEqual([{ kind: 'shown', start: 0, end: 22 }]);
    expect(collapseSteps(23, { head: 8, tail: 12 })).toEqual([
      { kind: 'shown', start: 0, end: 8 },
      { kind: 'hidden', start: 8, end: 11 },
      { kind: 'shown', start: 11, end: 23 },
    ]);
  });

  it('covers every index exactly once', () => {
    for (const count of [21, 37, 250]) {
      for (const keep of [[], [0], [count - 1], [10, 11, 30]]) {
        const segments = collapseSteps(count, { keep });
        expect(segments[0]?.start).toBe(0);
        expect(segments.at(-1)?.end).toBe(count);
        segments.slice(1).forEach((segment, i) => expect(segment.start).toBe(segments[i]!.end));
      }
    }
  });
});
