/**
 * The runs list as it grows: the first page, polled for new runs, and older pages loaded with
 * "Load more" (keyset paging: the cursor is the id of the last run of the previous page). Run ids are
 * time-ordered (UUIDv7) and the server compares them as text, newest first, so a page fetched after
 * cursor `c` holds exactly the matching runs with ids in [last id of the page, c).
 *
 * The state remembers which id ranges it knows completely (`covered`). Refreshing the first page
 * replaces the runs in its range (a run that finished and no longer matches a status filter goes,
 * a run whose status changed is updated) and keeps the pages loaded below it. When more runs arrive
 * between two polls than one page holds, the ranges do not touch: the list shows a gap there, and
 * loading it fetches from the gap's cursor until the ranges meet. Nothing is reset and no run is
 * shown twice.
 */
export interface Page<T> {
  items: T[];
  /** The id of the page's last run when older runs may follow; null at the end. */
  nextCursor: string | null;
}

/** Below and above every id (ids are UUID text, compared as text like the server does). */
const LOWEST = '';
const HIGHEST = '\uffff';

interface Range {
  /** Inclusive. */
  lo: string;
  /** Exclusive. */
  hi: string;
}

export interface LiveList<T extends { id: string }> {
  /** Newest first, no duplicates. */
  items: T[];
  /** Id ranges whose matching runs are all in `items`: newest first, disjoint, never touching. */
  covered: Range[];
  /** Older pages were loaded: runs that leave the first page stay, and gaps may appear. */
  expanded: boolean;
}

export type LiveRow<T> = { kind: 'run'; run: T } | { kind: 'gap'; cursor: string };

function rangeOf<T extends { id: string }>(page: Page<T>, cursor: string | undefined): Range {
  return { lo: page.nextCursor ?? LOWEST, hi: cursor ?? HIGHEST };
}

function addRange(ranges: Range[], range: Range): Range[] {
  const sorted = [...ranges, range].sort((a, b) => (a.hi < b.hi ? 1 : a.hi > b.hi ? -1 : 0));
  const merged: Range[] = [];
  for (const next of sorted) {
    const above = merged.at(-1);
    // `above` starts at or above `next`'s end: they overlap or touch when above.lo <= next.hi.
    if (above && above.lo <= next.hi) above.lo = next.lo < above.lo ? next.lo : above.lo;
    else merged.push({ ...next });
  }
  return merged;
}

/** A list holding just this first page. */
export function firstPage<T extends { id: string }>(page: Page<T>): LiveList<T> {
  return { items: page.items, covered: [rangeOf(page, undefined)], expanded: false };
}

/**
 * Merges a page fetched after `cursor` (undefined: the first page). The page's runs replace every
 * run the list had in the page's range.
 */
export function mergePage<T extends { id: string }>(list: LiveList<T>, page: Page<T>, cursor: string | undefined): LiveList<T> {
  const { lo, hi } = rangeOf(page, cursor);
  const above = list.items.filter((run) => run.id >= hi);
  const below = list.items.filter((run) => run.id < lo);
  return {
    items: [...above, ...page.items, ...below],
    covered: addRange(list.covered, { lo, hi }),
    expanded: list.expanded || cursor !== undefined,
  };
}

/**
 * A refreshed first page. Until older pages are loaded the list is just the first page (it does
 * not grow while it is watched); after, the refresh is merged above what was loaded.
 */
export function mergeFirstPage<T extends { id: string }>(list: LiveList<T> | undefined, page: Page<T>): LiveList<T> {
  if (!list?.expanded) return firstPage(page);
  // The newest range was complete up to its newest run when it was fetched; runs created since
  // have higher ids, and only this page says whether they reach down to it.
  const [top, ...rest] = list.covered;
  const newest = list.items[0];
  let covered = list.covered;
  if (top && top.hi === HIGHEST) {
    covered = newest && newest.id >= top.lo ? [{ lo: top.lo, hi: `${newest.id}\u0000` }, ...rest] : rest;
  }
  return mergePage({ ...list, covered }, page, undefined);
}

/** Where "Load more" continues, or null when the oldest run is loaded. */
export function olderCursor(list: LiveList<{ id: string }>): string | null {
  const last = list.covered.at(-1);
  return !last || last.lo === LOWEST ? null : last.lo;
}

/** The runs newest first, with a gap row wherever runs in between are not loaded. */
export function liveRows<T extends { id: string }>(list: LiveList<T>): LiveRow<T>[] {
  const rows: LiveRow<T>[] = [];
  let range = 0;
  for (const run of list.items) {
    while (range < list.covered.length - 1 && run.id < list.covered[range]!.lo) {
      rows.push({ kind: 'gap', cursor: list.covered[range]!.lo });
      range += 1;
    }
    rows.push({ kind: 'run', run });
  }
  return rows;
}

/** Equal values, comparing dates by time and plain objects and arrays by their contents. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => sameValue(item, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((key) => Object.hasOwn(b, key) && sameValue((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]))
    );
  }
  return false;
}

/**
 * `next` with the runs that did not change taken from `previous` (the same objects), and
 * `previous` itself when nothing changed: rows that did not change are not drawn again.
 */
export function keepUnchanged<T extends { id: string }>(previous: LiveList<T> | undefined, next: LiveList<T>): LiveList<T> {
  if (!previous) return next;
  const before = new Map(previous.items.map((run) => [run.id, run]));
  let changed = previous.items.length !== next.items.length || previous.expanded !== next.expanded || !sameValue(previous.covered, next.covered);
  const items = next.items.map((run, i) => {
    const old = before.get(run.id);
    const keep = old !== undefined && sameValue(old, run) ? old : run;
    if (keep !== previous.items[i]) changed = true;
    return keep;
  });
  return changed ? { ...next, items } : previous;
}
