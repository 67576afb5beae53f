import { type WorkflowDefinition, canonicalJson } from '@switchyard/workflow';
import { z } from 'zod';
import type { Db } from '../db/index.ts';

/**
 * Whether a workflow's live version is its saved one, for the workflow list and the editor:
 * - deployed: the latest release holds it, compiled from the saved revision under the same name
 *   (or, for entries older than revisions were recorded, the same definition);
 * - changed: live, but the saved workflow differs (a save, a rename, or errors since);
 * - never: not in the latest release (never deployed, or taken off live).
 */
export const LiveStateKind = z.enum(['deployed', 'changed', 'never']);
export type LiveStateKind = z.infer<typeof LiveStateKind>;

export interface LiveState {
  state: LiveStateKind;
  /** The latest release, when the workflow is in it. */
  releaseNumber: number | null;
  /** The name it is live under (differs from its name after a rename not yet deployed). */
  liveName: string | null;
}

const NEVER: LiveState = { state: 'never', releaseNumber: null, liveName: null };

/**
 * The live state of each workflow. `definitionOf` gives the workflow's definition compiled now
 * (null with errors); it is called only when the saved revision alone cannot tell.
 */
export async function liveStates(
  db: Db,
  workflows: readonly { id: string; name: string; revision: number }[],
  definitionOf: (id: string) => WorkflowDefinition | null,
): Promise<Map<string, LiveState>> {
  const latest = await db.release.findFirst({
    orderBy: { number: 'desc' },
    select: { id: true, number: true, workflows: { select: { workflowId: true, name: true, sourceRevision: true } } },
  });
  const states = new Map<string, LiveState>();
  if (!latest) {
    for (const w of workflows) states.set(w.id, NEVER);
    return states;
  }
  const entries = new Map(latest.workflows.map((e) => [e.workflowId, e]));
  const unsure: string[] = [];
  for (const w of workflows) {
    const entry = entries.get(w.id);
    if (!entry) states.set(w.id, NEVER);
    else if (entry.name !== w.name) states.set(w.id, { state: 'changed', releaseNumber: latest.number, liveName: entry.name });
    else if (entry.sourceRevision === w.revision) states.set(w.id, { state: 'deployed', releaseNumber: latest.number, liveName: entry.name });
    else if (entry.sourceRevision === null) unsure.push(w.id);
    else states.set(w.id, { state: 'changed', releaseNumber: latest.number, liveName: entry.name });
  }
  if (unsure.length > 0) {
    // Entries made before revisions were recorded: compare what is live with what would be.
    const rows = await db.releaseWorkflow.findMany({ where: { releaseId: latest.id, workflowId: { in: unsure } }, select: { workflowId: true, name: true, definition: true } });
    for (const row of rows) {
      const now = definitionOf(row.workflowId);
      const same = now !== null && canonicalJson(JSON.parse(row.definition)) === canonicalJson(now);
      states.set(row.workflowId, { state: same ? 'deployed' : 'changed', releaseNumber: latest.number, liveName: row.name });
    }
  }
  return states;
}

/** Workflows deleted while live, which still answer on their live endpoint until taken off live. */
export async function deletedButLive(db: Db): Promise<{ workflowId: string; name: string; releaseNumber: number }[]> {
  const latest = await db.release.findFirst({ orderBy: { number: 'desc' }, select: { number: true, workflows: { select: { workflowId: true, name: true } } } });
  if (!latest) return [];
  const existing = new Set((await db.workflow.findMany({ where: { id: { in: latest.workflows.map((e) => e.workflowId) } }, select: { id: true } })).map((w) => w.id));
  return latest.workflows
    .filter((e) => !existing.has(e.workflowId))
    .map((e) => ({ workflowId: e.workflowId, name: e.name, releaseNumber: latest.number }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
