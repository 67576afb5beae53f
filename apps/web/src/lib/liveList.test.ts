import { describe, expect, it } from 'vitest';
import { type LiveList, type Page, firstPage, keepUnchanged, liveRows, mergeFirstPage, mergePage, olderCursor } from './liveList.ts';

interface Run {
  id: string;
  status: string;
}

/** Runs r<n> for the numbers given, newest (highest) first. Ids sort as text like UUIDv7 do. */
const runs = (...numbers: number[]): Run[] => numbers.map((n) => ({ id: `r${String(n).padStart(3, '0')}`, status: 'succeeded' }));
const id = (n: number) => `r${String(n).padStart(3, '0')}`;

/** The page the server answers for "newest first, below `cursor`, at most `size`" over `all` matching runs. */
function serve(all: Run[], size: number, cursor?: string): Page<Run> {
  const below = all.filter((run) => cursor === undefined || run.id < cursor).sort((a, b) => (a.id < b.id ? 1 : -1));
  const items = below.slice(0, size);
  return { items, nextCursor: below.length > size ? (items.at(-1)?.id ?? null) : null };
}

const ids = (list: LiveList<Run>) =>
  liveRows(list).map((row) => (row.kind === 'run' ? row.run.id : `gap<${row.cursor}`));

const range = (from: number, to: number) => Array.from({ length: from - to + 1 }, (_, i) => from - i);

describe('the live runs list', () => {
  it('starts as the first page, with "Load more" from its last run', () => {
    const list = firstPage(serve(runs(...range(10, 1)), 3));
    expect(ids(list)).toEqual([id(10), id(9), id(8)]);
    expect(olderCursor(list)).toBe(id(8));
  });

  it('without older pages, a refresh replaces the list (it does not grow while watched)', () => {
    let list = firstPage(serve(runs(...range(10, 1)), 3));
    list = mergeFirstPage(list, serve(runs(...range(12, 1)), 3));
    expect(ids(list)).toEqual([id(12), id(11), id(10)]);
    expect(olderCursor(list)).toBe(id(10));
  });

  it('keeps loaded pages when new runs arrive, and the runs that leave the first page', () => {
    let all = runs(...range(10, 1));
    let list = firstPage(serve(all, 3));
    list = mergePage(list, serve(all, 3, olderCursor(list)!), olderCursor(list)!);
    expect(ids(list)).toEqual(range(10, 5).map(id));
    all = runs(...range(12, 1));
    list = mergeFirstPage(list, serve(all, 3));
    expect(ids(list)).toEqual(range(12, 5).map(id));
    list = mergePage(list, serve(all, 3, olderCursor(list)!), olderCursor(list)!);
    expect(ids(list)).toEqual(range(12, 2).map(id));
    list = mergePage(list, serve(all, 3, olderCursor(list)!), olderCursor(list)!);
    expect(ids(list)).toEqual(range(12, 1).map(id));
    expect(olderCursor(list)).toBeNull();
  });

  it('updates runs whose status changed and drops those that no longer match, in the refreshed range', () => {
    const all = runs(...range(10, 1));
    let list = firstPage(serve(all, 4));
    list = mergePage(list, serve(all, 4, olderCursor(list)!), olderCursor(list)!);
    // r10 finished and left a "running" filter; r09 changed status.
    const now = all.filter((run) => run.id !== id(10)).map((run) => (run.id === id(9) ? { ...run, status: 'failed' } : run));
    list = mergeFirstPage(list, serve(now, 4));
    expect(ids(list)).toEqual(range(9, 3).map(id));
    expect(list.items.find((run) => run.id === id(9))?.status).toBe('failed');
  });

  it('shows a gap when more runs arrived than a page holds, and closes it when loaded', () => {
    let all = runs(...range(10, 1));
    let list = firstPage(serve(all, 3));
    list = mergePage(list, serve(all, 3, olderCursor(list)!), olderCursor(list)!);
    all = runs(...range(20, 1));
    list = mergeFirstPage(list, serve(all, 3));
    expect(ids(list)).toEqual([id(20), id(19), id(18), `gap<${id(18)}`, ...range(10, 5).map(id)]);

    // Loading the gap once is not enough: it moves down.
    list = mergePage(list, serve(all, 3, id(18)), id(18));
    expect(ids(list)).toEqual([...range(20, 15).map(id), `gap<${id(15)}`, ...range(10, 5).map(id)]);
    // The next page reaches the runs below: one list again, and "Load more" where it was.
    list = mergePage(list, serve(all, 3, id(15)), id(15));
    list = mergePage(list, serve(all, 3, id(12)), id(12));
    expect(ids(list)).toEqual(range(20, 5).map(id));
    expect(list.covered).toHaveLength(1);
    expect(olderCursor(list)).toBe(id(5));
  });

  it('keeps two gaps apart when two bursts arrive', () => {
    let all = runs(...range(10, 1));
    let list = firstPage(serve(all, 2));
    list = mergePage(list, serve(all, 2, olderCursor(list)!), olderCursor(list)!);
    all = runs(...range(20, 1));
    list = mergeFirstPage(list, serve(all, 2));
    all = runs(...range(30, 1));
    list = mergeFirstPage(list, serve(all, 2));
    expect(ids(list)).toEqual([id(30), id(29), `gap<${id(29)}`, id(20), id(19), `gap<${id(19)}`, ...range(10, 7).map(id)]);
  });

  it('an empty refresh means no run matches any more', () => {
    let list = firstPage(serve(runs(...range(10, 1)), 3));
    list = mergePage(list, serve(runs(...range(10, 1)), 3, olderCursor(list)!), olderCursor(list)!);
    list = mergeFirstPage(list, serve([], 3));
    expect(ids(list)).toEqual([]);
    expect(olderCursor(list)).toBeNull();
  });

  it('sees the end of the list', () => {
    const list = firstPage(serve(runs(3, 2, 1), 3));
    expect(olderCursor(list)).toBeNull();
    expect(olderCursor(firstPage(serve([], 3)))).toBeNull();
  });
});

describe('keepUnchanged', () => {
  it('keeps the objects of unchanged runs, and the whole list when nothing changed', () => {
    const at = (ms: number) => new Date(ms);
    const a = { id: 'r2', status: 'running', startedAt: at(1), tags: ['x'] };
    const b = { id: 'r1', status: 'succeeded', startedAt: at(0), tags: [] };
    const previous = firstPage({ items: [a, b], nextCursor: null });
    const same = firstPage({ items: [{ ...a, startedAt: at(1), tags: ['x'] }, { ...b, startedAt: at(0) }], nextCursor: null });
    expect(keepUnchanged(previous, same)).toBe(previous);

    const changed = keepUnchanged(previous, firstPage({ items: [{ ...a, status: 'failed' }, { ...b, startedAt: at(0) }], nextCursor: null }));
    expect(changed).not.toBe(previous);
    expect(changed.items[0]?.status).toBe('failed');
    expect(changed.items[1]).toBe(b);
  });
});
