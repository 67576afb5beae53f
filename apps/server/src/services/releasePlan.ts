import { type WorkflowDefinition, canonicalJson, compile, parseDefinition, workflowTargets } from '@switchyard/workflow';
import { z } from 'zod';
import type { Catalog, WorkflowRecord } from './workflows.ts';

/**
 * What a deploy would make, worked out without touching the database: which workflows go live
 * (compiled now), which are refused and why, and the complete set of entries of the next release.
 * `releases.ts` reads the inputs and writes the result in one transaction; the preview shows it.
 */

/** One workflow's compiled definition in a release. */
export interface Entry {
  workflowId: string;
  /** Its name when compiled: the live endpoint's name. */
  name: string;
  /** The definition as stored (JSON). */
  definition: string;
  sourceRevision: number | null;
}

/** A workflow that does not go live with this deploy, and why (its first error, a missing dependency). */
export const Refusal = z.object({ workflowId: z.string(), name: z.string(), reason: z.string() });
export type Refusal = z.infer<typeof Refusal>;

export const WorkflowRef = z.object({ workflowId: z.string(), name: z.string() });
export type WorkflowRef = z.infer<typeof WorkflowRef>;

/** Which workflows a release added, changed and removed compared with the release before it. */
export const ReleaseChanges = z.object({ added: z.array(WorkflowRef), changed: z.array(WorkflowRef), removed: z.array(WorkflowRef) });
export type ReleaseChanges = z.infer<typeof ReleaseChanges>;

export interface DeployPlan {
  /** Every entry of the next release, by name. */
  entries: Entry[];
  /** The workflows compiled into it now. */
  deployed: WorkflowRef[];
  refused: Refusal[];
}

/**
 * Plans a deploy of `selected` workflows ('all': every saved workflow) on top of the live entries.
 *
 * - A workflow whose draft has errors is refused with its first error; the others still deploy.
 * - A workflow that schedules another goes live only if that one is live in the next release
 *   (already live, or deployed now); otherwise it is refused, naming the dependency. Refusing one
 *   may refuse others that need it, so this repeats until nothing changes.
 * - A refused workflow keeps its live version, if it has one.
 * - Deploying all also takes deleted workflows off live, except one that a workflow staying live
 *   still schedules (that is reported, and it stays).
 * - Two live workflows cannot share a name: a workflow whose name is still the live name of
 *   another (renamed or deleted since) is refused, saying what to do.
 */
export function planDeploy(workflows: readonly WorkflowRecord[], catalog: Catalog, live: readonly Entry[], selected: ReadonlySet<string> | 'all'): DeployPlan {
  const existing = new Map(workflows.map((w) => [w.id, w]));
  const liveById = new Map(live.map((e) => [e.workflowId, e]));
  const refused = new Map<string, Refusal>();
  const deploying = new Map<string, { workflow: WorkflowRecord; definition: WorkflowDefinition; text: string }>();
  for (const workflow of workflows) {
    if (selected !== 'all' && !selected.has(workflow.id)) continue;
    const result = compile(workflow.name, workflow.graph, { workflowId: workflow.id, workflows: catalog });
    if (!result.definition) {
      const first = result.diagnostics.find((d) => d.severity === 'error');
      refused.set(workflow.id, { workflowId: workflow.id, name: workflow.name, reason: first?.message ?? 'has errors' });
    } else {
      deploying.set(workflow.id, { workflow, definition: result.definition, text: JSON.stringify(result.definition) });
    }
  }
  const nameOf = (id: string) => existing.get(id)?.name ?? liveById.get(id)?.name ?? id;
  const targetsOfLive = memo((entry: Entry) => workflowTargets(parseDefinition(JSON.parse(entry.definition)), entry.workflowId));
  const keptDeleted = new Set<string>();

  for (;;) {
    const next = new Map<string, Entry>();
    for (const entry of live) {
      if (selected === 'all' && !existing.has(entry.workflowId) && !keptDeleted.has(entry.workflowId)) continue;
      next.set(entry.workflowId, entry);
    }
    for (const [id, { workflow, text }] of deploying) next.set(id, { workflowId: id, name: workflow.name, definition: text, sourceRevision: workflow.revision });

    let again = false;
    for (const [id, { workflow, definition }] of deploying) {
      const missing = workflowTargets(definition, id).find((target) => !next.has(target));
      if (missing === undefined) continue;
      refused.set(id, { workflowId: id, name: workflow.name, reason: `needs "${nameOf(missing)}" to be deployed too` });
      deploying.delete(id);
      again = true;
    }
    if (again) continue;

    for (const entry of next.values()) {
      if (deploying.has(entry.workflowId)) continue;
      for (const target of targetsOfLive(entry)) {
        if (next.has(target) || !liveById.has(target) || keptDeleted.has(target)) continue;
        keptDeleted.add(target);
        refused.set(target, { workflowId: target, name: nameOf(target), reason: `deleted, but stays live: "${entry.name}" schedules it` });
        again = true;
      }
    }
    if (again) continue;

    const byName = new Map<string, Entry>();
    for (const entry of next.values()) {
      const other = byName.get(entry.name);
      byName.set(entry.name, entry);
      if (!other) continue;
      const [mine, theirs] = deploying.has(entry.workflowId) ? [entry, other] : [other, entry];
      const current = existing.get(theirs.workflowId);
      refused.set(mine.workflowId, {
        workflowId: mine.workflowId,
        name: mine.name,
        reason: current
          ? `"${mine.name}" is still the live name of "${current.name}" (renamed since): deploy "${current.name}" too`
          : `"${mine.name}" is still live for a deleted workflow: take that off live first`,
      });
      deploying.delete(mine.workflowId);
      again = true;
    }
    if (again) continue;

    return {
      entries: [...next.values()].sort((a, b) => a.name.localeCompare(b.name)),
      deployed: [...deploying.values()].map(({ workflow }) => ({ workflowId: workflow.id, name: workflow.name })),
      refused: [...refused.values()],
    };
  }
}

/**
 * The live entries that schedule one of `removed` and would stay live without it: taking those off
 * live would break them, so it is refused.
 */
export function dependents(entries: readonly Entry[], removed: ReadonlySet<string>): { entry: Entry; target: string }[] {
  const out: { entry: Entry; target: string }[] = [];
  for (const entry of entries) {
    if (removed.has(entry.workflowId)) continue;
    const target = workflowTargets(parseDefinition(JSON.parse(entry.definition)), entry.workflowId).find((t) => removed.has(t));
    if (target !== undefined) out.push({ entry, target });
  }
  return out;
}

/** Whether two entries run the same thing under the same name. */
export function sameEntry(a: Entry, b: Entry): boolean {
  return a.name === b.name && (a.definition === b.definition || canonicalJson(JSON.parse(a.definition)) === canonicalJson(JSON.parse(b.definition)));
}

/** The workflows `after` adds, changes and removes compared with `before`. */
export function changesBetween(before: readonly Entry[], after: readonly Entry[]): ReleaseChanges {
  const old = new Map(before.map((e) => [e.workflowId, e]));
  const now = new Set(after.map((e) => e.workflowId));
  const ref = (e: Entry) => ({ workflowId: e.workflowId, name: e.name });
  return {
    added: after.filter((e) => !old.has(e.workflowId)).map(ref),
    changed: after.filter((e) => old.has(e.workflowId) && !sameEntry(old.get(e.workflowId)!, e)).map(ref),
    removed: before.filter((e) => !now.has(e.workflowId)).map(ref),
  };
}

function memo<A extends object, R>(fn: (arg: A) => R): (arg: A) => R {
  const cache = new WeakMap<A, R>();
  return (arg) => {
    if (!cache.has(arg)) cache.set(arg, fn(arg));
    return cache.get(arg)!;
  };
}
