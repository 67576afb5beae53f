import { randomUUID } from 'node:crypto';
import { type WorkflowDiff, diffDefinitions, endpointSettings, isEventNode, parseDefinition } from '@switchyard/workflow';
import { z } from 'zod';
import type { Db, Prisma } from '../db/index.ts';
import { type Actor, CLI_ACTOR, SYSTEM_ACTOR, audit } from './audit.ts';
import { withBusyRetry } from './busy.ts';
import { badRequest, conflict, notFound } from './errors.ts';
import { type Entry, type Refusal, ReleaseChanges, changesBetween, dependents, planDeploy } from './releasePlan.ts';
import { catalogOf, fromRow } from './workflows.ts';

/**
 * Releases: what is live. Every release is a complete snapshot (every live workflow's compiled
 * definition), numbered, kept with who made it, when, how and what it changed. Deploying all or
 * some workflows, restoring an earlier release and taking workflows off live each make a new
 * release in one transaction; the latest release is live.
 */

/** How a release was made. */
export const ReleaseKind = z.enum(['all', 'workflows', 'restore', 'take_off']);
export type ReleaseKind = z.infer<typeof ReleaseKind>;

/** Who makes a release: the account (null id for the CLI) and an optional note. */
export interface ReleaseAuthor {
  by: string;
  byId?: string | null;
  note?: string | null;
}

/** What a deploy, a restore or a take-off would change, per workflow, compared with what is live. */
export interface ReleasePreview {
  /** The live release it is compared with (null: nothing deployed yet). */
  baseRelease: number | null;
  workflows: { workflowId: string; name: string; deleted: boolean; diff: WorkflowDiff }[];
  /** Live workflows it leaves as they are. */
  unchanged: number;
  refused: Refusal[];
}

const MAX_NOTE = 500;
export const ReleaseNote = z.string().trim().max(MAX_NOTE, `A note has at most ${MAX_NOTE} characters`);

type Tx = Prisma.TransactionClient;

async function liveEntries(tx: Tx | Db): Promise<{ number: number | null; entries: Entry[] }> {
  const latest = await tx.release.findFirst({
    orderBy: { number: 'desc' },
    select: { number: true, workflows: { select: { workflowId: true, name: true, definition: true, sourceRevision: true } } },
  });
  return { number: latest?.number ?? null, entries: latest?.workflows ?? [] };
}

/** Reads every workflow and plans a deploy of `workflowIds` (all when left out), refusing unknown ids. */
async function plan(tx: Tx | Db, workflowIds: readonly string[] | undefined) {
  const workflows = (await tx.workflow.findMany({ orderBy: { name: 'asc' } })).map(fromRow);
  if (workflowIds) {
    const known = new Set(workflows.map((w) => w.id));
    const unknown = workflowIds.filter((id) => !known.has(id));
    if (unknown.length > 0) throw notFound(`No workflow with id ${unknown.map((id) => `"${id}"`).join(', ')} (it may have been deleted)`);
  }
  const live = await liveEntries(tx);
  const result = planDeploy(workflows, catalogOf(workflows), live.entries, workflowIds ? new Set(workflowIds) : 'all');
  return { live, result, existing: new Set(workflows.map((w) => w.id)) };
}

function preview(base: number | null, before: readonly Entry[], after: readonly Entry[], existing: ReadonlySet<string>, refused: Refusal[]): ReleasePreview {
  const changes = changesBetween(before, after);
  const oldById = new Map(before.map((e) => [e.workflowId, e]));
  const newById = new Map(after.map((e) => [e.workflowId, e]));
  const read = (e: Entry | undefined) => (e ? parseDefinition(JSON.parse(e.definition)) : null);
  const workflows = [...changes.added, ...changes.changed, ...changes.removed]
    .map(({ workflowId, name }) => ({
      workflowId,
      name,
      deleted: !existing.has(workflowId),
      diff: diffDefinitions(read(oldById.get(workflowId)), read(newById.get(workflowId))),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return { baseRelease: base, workflows, unchanged: after.length - changes.added.length - changes.changed.length, refused };
}

/** What deploying `workflowIds` (or all) would change, and what it would refuse. Writes nothing. */
export async function previewDeploy(db: Db, workflowIds?: readonly string[]): Promise<ReleasePreview> {
  const { live, result, existing } = await plan(db, workflowIds);
  return preview(live.number, live.entries, result.entries, existing, result.refused);
}

/** What restoring release `number` would change. */
export async function previewRestore(db: Db, number: number): Promise<ReleasePreview> {
  const live = await liveEntries(db);
  const target = await entriesOf(db, number);
  const existing = new Set((await db.workflow.findMany({ select: { id: true } })).map((w) => w.id));
  return preview(live.number, live.entries, target, existing, []);
}

async function entriesOf(tx: Tx | Db, number: number): Promise<Entry[]> {
  const release = await tx.release.findUnique({
    where: { number },
    select: { workflows: { select: { workflowId: true, name: true, definition: true, sourceRevision: true } } },
  });
  if (!release) throw notFound(`There is no release #${number}`);
  return release.workflows;
}

/** Writes the next numbered release with these entries. */
async function createRelease(
  tx: Tx,
  author: ReleaseAuthor,
  kind: ReleaseKind,
  before: readonly Entry[],
  entries: readonly Entry[],
  restoredFrom: number | null = null,
) {
  const last = await tx.release.findFirst({ orderBy: { number: 'desc' }, select: { number: true } });
  const number = (last?.number ?? 0) + 1;
  const changes = changesBetween(before, entries);
  await tx.release.create({
    data: {
      id: randomUUID(),
      number,
      createdBy: author.by,
      createdById: author.byId ?? null,
      kind,
      restoredFrom,
      note: author.note ? ReleaseNote.parse(author.note) || null : null,
      changes: JSON.stringify(changes),
      workflows: { create: entries.map((e) => ({ workflowId: e.workflowId, name: e.name, definition: e.definition, sourceRevision: e.sourceRevision })) },
    },
  });
  const actor: Actor = author.byId ? { kind: 'user', userId: author.byId, email: author.by } : author.by === 'cli' ? CLI_ACTOR : SYSTEM_ACTOR;
  const action = kind === 'restore' ? 'release.restored' : kind === 'take_off' ? 'release.taken_off' : 'release.deployed';
  const names = (list: readonly { name: string }[]) => list.map((w) => w.name);
  await audit(tx, {
    actor,
    action,
    target: { type: 'release', id: String(number), label: `#${number}` },
    details: { kind, ...(restoredFrom !== null && { restoredFrom }), added: names(changes.added), changed: names(changes.changed), removed: names(changes.removed) },
  });
  return { number, changes };
}

export interface DeployOptions {
  /** Deploy only these workflows (the others stay as they are live); all when left out. */
  workflowIds?: readonly string[] | undefined;
  note?: string | null | undefined;
  byId?: string | null | undefined;
  /** The release the caller previewed: refused with a conflict if another was made since. */
  baseRelease?: number | null | undefined;
}

/**
 * Deploy: compiles the chosen workflows (all by default) and makes the next release with them and
 * the other live workflows as they were. Workflows with errors, or needing a workflow that would
 * not be live, are refused and named; the rest deploy. When nothing can deploy, nothing is written.
 */
export async function deploy(db: Db, createdBy: string, options: DeployOptions = {}) {
  return withBusyRetry(() => db.$transaction((tx) => deployWithin(tx, createdBy, options)));
}

/** The deploy itself, inside a transaction the caller owns (import --deploy shares one). */
export async function deployWithin(tx: Tx, createdBy: string, options: DeployOptions = {}) {
  const { live, result } = await plan(tx, options.workflowIds);
  if (options.baseRelease !== undefined && options.baseRelease !== live.number) {
    throw conflict(`Release #${live.number} was made since you looked: review the changes again before deploying`);
  }
  const selectedCount = options.workflowIds ? options.workflowIds.length : result.deployed.length + result.refused.length;
  if (result.deployed.length === 0 && selectedCount > 0) {
    const lines = result.refused.map((r) => `"${r.name}": ${r.reason}`);
    throw badRequest(`Cannot deploy: fix these workflows first. ${lines.join('; ')}`, { refused: result.refused });
  }
  const kind: ReleaseKind = options.workflowIds ? 'workflows' : 'all';
  const release = await createRelease(tx, { by: createdBy, byId: options.byId ?? null, note: options.note ?? null }, kind, live.entries, result.entries);
  return { number: release.number, workflowCount: result.entries.length, deployed: result.deployed, refused: result.refused, changes: release.changes };
}

/** Makes a new release with the entries of release `number`, as they were. */
export async function restoreRelease(db: Db, number: number, author: ReleaseAuthor) {
  return withBusyRetry(() =>
    db.$transaction(async (tx) => {
      const live = await liveEntries(tx);
      if (live.number === number) throw badRequest(`Release #${number} is what is live now: there is nothing to restore`);
      const entries = await entriesOf(tx, number);
      const release = await createRelease(tx, author, 'restore', live.entries, entries, number);
      return { number: release.number, restoredFrom: number, changes: release.changes };
    }),
  );
}

/**
 * Takes workflows off live: a new release without them. Refused (nothing written) when one is not
 * live, or a workflow staying live schedules one of them.
 */
async function takeOffWithin(tx: Tx, workflowIds: readonly string[], author: ReleaseAuthor) {
  const live = await liveEntries(tx);
  const ids = new Set(workflowIds);
  const notLive = workflowIds.filter((id) => !live.entries.some((e) => e.workflowId === id));
  if (notLive.length > 0) throw badRequest(`Not live, so nothing to take off: ${notLive.map((id) => `"${id}"`).join(', ')}`);
  const broken = dependents(live.entries, ids);
  if (broken.length > 0) {
    const { entry, target } = broken[0]!;
    const name = live.entries.find((e) => e.workflowId === target)!.name;
    throw badRequest(`"${name}" cannot be taken off live: "${entry.name}" is live and schedules it. Deploy "${entry.name}" without it first.`);
  }
  const entries = live.entries.filter((e) => !ids.has(e.workflowId));
  return createRelease(tx, author, 'take_off', live.entries, entries);
}

export async function takeOffLive(db: Db, workflowIds: readonly string[], author: ReleaseAuthor) {
  return withBusyRetry(() => db.$transaction((tx) => takeOffWithin(tx, workflowIds, author)));
}

/**
 * Deletes a workflow; with `takeOffLive`, also takes it off live in the same transaction (a new
 * release without it), so either both happen or neither. Without it, a live workflow stays live
 * until a deploy of all workflows (or a take-off) removes it.
 */
export async function deleteWorkflowAndLive(db: Db, id: string, options: { takeOffLive: boolean } & ReleaseAuthor) {
  return withBusyRetry(() =>
    db.$transaction(async (tx) => {
      const live = await liveEntries(tx);
      const isLive = live.entries.some((e) => e.workflowId === id);
      const release = options.takeOffLive && isLive ? await takeOffWithin(tx, [id], options) : null;
      const doomed = await tx.workflow.findUnique({ where: { id } });
      const { count } = await tx.workflow.deleteMany({ where: { id } });
      if (count === 0) throw notFound('This workflow does not exist (it may have been deleted)');
      const actor: Actor = options.byId ? { kind: 'user', userId: options.byId, email: options.by } : CLI_ACTOR;
      if (doomed) {
        // Live now, or again after a restore: its endpoint keeps the settings it was last saved with, not laxer deployed ones.
        const endpoint = endpointSettings(fromRow(doomed).graph.nodes.find(isEventNode));
        if (endpoint) {
          const row = { endpoint: JSON.stringify(endpoint), deletedAt: new Date() };
          await tx.deletedLiveEndpoint.upsert({ where: { workflowId: id }, create: { workflowId: id, ...row }, update: row });
        }
      }
      await audit(tx, { actor, action: 'workflow.deleted', target: { type: 'workflow', id, label: doomed?.name ?? null }, details: { takenOffLive: release !== null, stillLive: isLive && !release } });
      return { release: release?.number ?? null, stillLive: isLive && !release };
    }),
  );
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

const MAX_LISTED = 200;

/** Releases, newest first, with who, when, how and what each changed; `before` pages back. */
export async function listReleases(db: Db, options: { limit?: number; before?: number } = {}) {
  const limit = Math.min(options.limit ?? 50, MAX_LISTED);
  const rows = await db.release.findMany({
    where: options.before === undefined ? {} : { number: { lt: options.before } },
    orderBy: { number: 'desc' },
    take: limit + 1,
    select: {
      number: true,
      createdAt: true,
      createdBy: true,
      kind: true,
      restoredFrom: true,
      note: true,
      changes: true,
      _count: { select: { workflows: true } },
    },
  });
  const latest = await db.release.findFirst({ orderBy: { number: 'desc' }, select: { number: true } });
  const items = rows.slice(0, limit).map((row) => {
    const changes = row.changes === null ? null : ReleaseChanges.safeParse(JSON.parse(row.changes));
    return {
      number: row.number,
      createdAt: row.createdAt,
      createdBy: row.createdBy,
      kind: ReleaseKind.catch('all').parse(row.kind),
      restoredFrom: row.restoredFrom,
      note: row.note,
      workflowCount: row._count.workflows,
      /** null: made before changes were recorded. */
      changes: changes?.success ? changes.data : null,
      live: row.number === latest?.number,
    };
  });
  return { items, nextBefore: rows.length > limit ? items[items.length - 1]!.number : null };
}
