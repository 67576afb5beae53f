import { randomUUID } from 'node:crypto';
import { compile } from '@switchyard/workflow';
import type { Db, Prisma } from '../db/index.ts';
import { badRequest } from './errors.ts';
import { withBusyRetry } from './busy.ts';
import { catalogOf, fromRow } from './workflows.ts';

/**
 * Deploy: compiles every workflow's draft and freezes the definitions into the next numbered
 * release, in one transaction. A workflow with errors stops the deploy, naming what is wrong.
 */
export async function deploy(db: Db, createdBy: string) {
  return withBusyRetry(() => db.$transaction((tx) => deployWithin(tx, createdBy)));
}

/** The deploy itself, inside a transaction the caller owns (import --deploy shares one). */
export async function deployWithin(tx: Prisma.TransactionClient, createdBy: string) {
  const workflows = (await tx.workflow.findMany({ orderBy: { name: 'asc' } })).map(fromRow);
  const catalog = catalogOf(workflows);
  const compiled = workflows.map((workflow) => ({
    workflow,
    result: compile(workflow.name, workflow.graph, { workflowId: workflow.id, workflows: catalog }),
  }));
  const failing = compiled.filter(({ result }) => !result.definition);
  if (failing.length > 0) {
    const lines = failing.map(({ workflow, result }) => {
      const first = result.diagnostics.find((d) => d.severity === 'error');
      return `"${workflow.name}": ${first?.message ?? 'has errors'}`;
    });
    throw badRequest(`Cannot deploy: fix these workflows first. ${lines.join('; ')}`);
  }
  const last = await tx.release.findFirst({ orderBy: { number: 'desc' }, select: { number: true } });
  const number = (last?.number ?? 0) + 1;
  await tx.release.create({
    data: {
      id: randomUUID(),
      number,
      createdBy,
      workflows: {
        create: compiled.map(({ workflow, result }) => ({
          workflowId: workflow.id,
          name: workflow.name,
          definition: JSON.stringify(result.definition),
        })),
      },
    },
  });
  return { number, workflowCount: workflows.length };
}

export async function latestRelease(db: Db) {
  return db.release.findFirst({ orderBy: { number: 'desc' }, select: { number: true, createdAt: true, createdBy: true } });
}

/** The release number that last included this workflow, if any. */
export async function liveReleaseOf(db: Db, workflowId: string): Promise<number | null> {
  const latest = await db.release.findFirst({
    orderBy: { number: 'desc' },
    select: { number: true, workflows: { where: { workflowId }, select: { workflowId: true } } },
  });
  return latest && latest.workflows.length > 0 ? latest.number : null;
}
