/**
 * How a run's detail lays out attempts and steps: one section per attempt (a retry resumes at the
 * failed step, so a later attempt holds only the steps it ran again), and long attempts with their
 * middle folded away.
 */
interface StepLike {
  attempt: number;
  path: string;
  position: number;
  status: string;
}

interface AttemptLike {
  number: number;
  error: string | null;
}

export interface AttemptGroup<A extends AttemptLike, S extends StepLike> {
  number: number;
  /** The attempt's record; null for steps of an attempt without one (older runs). */
  attempt: A | null;
  /** The attempt before this one, whose failure or crash started this one. */
  previous: A | null;
  steps: S[];
}

/** Attempts in order, each with its steps in order; attempts without steps are kept. */
export function groupAttempts<A extends AttemptLike, S extends StepLike>(attempts: A[], steps: S[]): AttemptGroup<A, S>[] {
  const numbers = [...new Set([...attempts.map((a) => a.number), ...steps.map((s) => s.attempt)])].sort((a, b) => a - b);
  const byNumber = new Map(attempts.map((a) => [a.number, a]));
  return numbers.map((number, index) => ({
    number,
    attempt: byNumber.get(number) ?? null,
    previous: index > 0 ? (byNumber.get(numbers[index - 1]!) ?? null) : null,
    steps: steps.filter((s) => s.attempt === number).sort((a, b) => a.position - b.position),
  }));
}

/** A stable key (and element id part) for a step: its attempt and its path. */
export function stepKey(step: Pick<StepLike, 'attempt' | 'path'>): string {
  return `${step.attempt}-${step.path}`;
}

/** The first failed step of the run (earliest attempt, then position), if any. */
export function firstFailure<S extends StepLike>(steps: S[]): S | null {
  let first: S | null = null;
  for (const step of steps) {
    if (step.status !== 'failed') continue;
    if (!first || step.attempt < first.attempt || (step.attempt === first.attempt && step.position < first.position)) first = step;
  }
  return first;
}

export type StepSegment = { kind: 'shown' | 'hidden'; start: number; end: number };

export interface CollapseOptions {
  /** Up to this many steps, everything is shown. */
  threshold?: number;
  /** Steps shown at the start and at the end of a long attempt. */
  head?: number;
  tail?: number;
  /** Indexes always shown (failures), with `around` neighbours on each side. */
  keep?: number[];
  around?: number;
}

/**
 * Which steps of a list of `count` to show and which to fold into "show N more" rows, as
 * consecutive segments covering 0..count. A fold never hides fewer than 3 steps.
 */
export function collapseSteps(count: number, options: CollapseOptions = {}): StepSegment[] {
  const { threshold = 20, head = 8, tail = 5, keep = [], around = 1 } = options;
  if (count === 0) return [];
  if (count <= threshold) return [{ kind: 'shown', start: 0, end: count }];
  const shown = new Array<boolean>(count).fill(false);
  const show = (from: number, to: number) => {
    for (let i = Math.max(0, from); i < Math.min(count, to); i += 1) shown[i] = true;
  };
  show(0, head);
  show(count - tail, count);
  for (const index of keep) show(index - around, index + around + 1);

  const segments: StepSegment[] = [];
  let start = 0;
  for (let i = 1; i <= count; i += 1) {
    if (i === count || shown[i] !== shown[start]) {
      const kind = shown[start] || i - start < 3 ? 'shown' : 'hidden';
      const last = segments.at(-1);
      if (last && last.kind === 'shown' && kind === 'shown') last.end = i;
      else segments.push({ kind, start, end: i });
      start = i;
    }
  }
  return segments;
}
