import { randomUUID } from 'node:crypto';
import { WORKFLOW_FILE_FORMAT, WORKFLOW_FILE_VERSION, type WorkflowFile, bindGraph } from '@switchyard/workflow';
import type { Db } from '../db/index.ts';
import { withBusyRetry } from './busy.ts';
import { badRequest, notFound } from './errors.ts';
import { deployWithin } from './releases.ts';
import { fromRow } from './workflows.ts';

/** Exports workflows in the file format `importWorkflows` reads back. */
export async function exportWorkflows(db: Db, names: string[] | 'all'): Promise<WorkflowFile[]> {
  const rows = await db.workflow.findMany({
    where: names === 'all' ? {} : { name: { in: names } },
    orderBy: { name: 'asc' },
  });
  if (names !== 'all') {
    const missing = names.filter((name) => !rows.some((row) => row.name === name));
    if (missing.length > 0) throw notFound(`No workflow called ${missing.map((n) => `"${n}"`).join(', ')}`);
  }
  return rows.map(fromRow).map((w) => ({ format: WORKFLOW_FILE_FORMAT, formatVersion: WORKFLOW_FILE_VERSION, name: w.name, label: w.label, graph: w.graph }));
}

/**
 * Creates or replaces (by name) the drafts of the given workflows, and deploys them if asked, all in
 * one transaction: if anything fails, including the deploy of one of them, nothing is imported.
 */
export async function importWorkflows(db: Db, files: WorkflowFile[], options: { deployAs?: string }) {
  return withBusyRetry(() => db.$transaction(async (tx) => {
    let created = 0;
    let replaced = 0;
    const ids: string[] = [];
    for (const file of files) {
      const graph = JSON.stringify(bindGraph(file.graph));
      const existing = await tx.workflow.findUnique({ where: { name: file.name }, select: { id: true } });
      if (existing) {
        await tx.workflow.update({ where: { id: existing.id }, data: { label: file.label, graph, revision: { increment: 1 } } });
        ids.push(existing.id);
        replaced++;
      } else {
        const id = randomUUID();
        await tx.workflow.create({ data: { id, name: file.name, label: file.label, graph } });
        ids.push(id);
        created++;
      }
    }
    // The imported workflows go live; the others stay as they are (a broken draft elsewhere does not block an import).
    const release = options.deployAs && ids.length > 0 ? await deployWithin(tx, options.deployAs, { workflowIds: ids }) : null;
    // An import is all or nothing: a workflow the deploy refused undoes the whole import.
    if (release && release.refused.length > 0) {
      throw badRequest(`Cannot deploy: fix these workflows first. ${release.refused.map((r) => `"${r.name}": ${r.reason}`).join('; ')}`);
    }
    return { created, replaced, release };
  }));
}
