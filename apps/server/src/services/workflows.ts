import { randomUUID } from 'node:crypto';
import {
  type Diagnostic,
  type WorkflowGraph,
  type WorkflowSummary,
  WorkflowLabel,
  WorkflowName,
  bindGraph,
  compile,
  emptyGraph,
  parseStoredGraph,
  workflowSummary,
} from '@switchyard/workflow';
import { type Db, isRecordMissing, isUniqueViolation } from '../db/index.ts';
import { badRequest, conflict, notFound } from './errors.ts';
import { type LiveState, liveStates } from './liveState.ts';

const GONE = 'This workflow does not exist (it may have been deleted)';

export interface WorkflowRecord {
  id: string;
  name: string;
  label: string;
  graph: WorkflowGraph;
  revision: number;
  createdAt: Date;
  updatedAt: Date;
}

type Row = { id: string; name: string; label: string; graph: string; revision: number; createdAt: Date; updatedAt: Date };

export function fromRow(row: Row): WorkflowRecord {
  const parsed = parseStoredGraph(JSON.parse(row.graph));
  // A stored graph that no longer parses is a bug (or a bad manual edit), not a builder mistake.
  if (!parsed.success) throw new Error(`Stored graph of workflow ${row.name} is invalid: ${parsed.error.message}`);
  return { ...row, graph: parsed.data };
}

/** The workflows by id, as the targets scheduling actions are compiled against. */
export type Catalog = ReadonlyMap<string, WorkflowSummary>;

export function catalogOf(workflows: readonly Pick<WorkflowRecord, 'id' | 'name' | 'graph'>[]): Catalog {
  return new Map(workflows.map((w) => [w.id, workflowSummary(w.id, w.name, w.graph)]));
}

export async function loadCatalog(db: Db): Promise<Catalog> {
  const rows = await db.workflow.findMany({ orderBy: { name: 'asc' } });
  return catalogOf(rows.map(fromRow));
}

/** The catalog for the editor: every workflow's name, label, kind of event and parameters. */
export async function editorCatalog(db: Db) {
  const workflows = (await db.workflow.findMany({ orderBy: { name: 'asc' } })).map(fromRow);
  return workflows.map((w) => ({
    ...workflowSummary(w.id, w.name, w.graph),
    label: w.label,
    recurring: w.graph.nodes.some((n) => n.type === 'recurringEvent'),
  }));
}

export function diagnosticsOf(workflow: Pick<WorkflowRecord, 'id' | 'name' | 'graph'>, catalog: Catalog): Diagnostic[] {
  return compile(workflow.name, workflow.graph, { workflowId: workflow.id, workflows: catalog }).diagnostics;
}

/** Every workflow with its error count and live state (deployed, changed since deploy, never deployed). */
export async function listWorkflows(db: Db) {
  const workflows = (await db.workflow.findMany({ orderBy: { name: 'asc' } })).map(fromRow);
  const catalog = catalogOf(workflows);
  const compiled = new Map(workflows.map((w) => [w.id, compile(w.name, w.graph, { workflowId: w.id, workflows: catalog })]));
  const live = await liveStates(db, workflows, (id) => compiled.get(id)?.definition ?? null);
  return workflows.map((workflow) => {
    const diagnostics = compiled.get(workflow.id)!.diagnostics;
    return {
      id: workflow.id,
      name: workflow.name,
      label: workflow.label,
      updatedAt: workflow.updatedAt,
      errorCount: diagnostics.filter((d) => d.severity === 'error').length,
      live: live.get(workflow.id)!,
    };
  });
}

/** One workflow's live state (see liveState.ts). */
export async function liveStateOf(db: Db, workflow: WorkflowRecord, catalog: Catalog): Promise<LiveState> {
  const states = await liveStates(db, [workflow], () => compile(workflow.name, workflow.graph, { workflowId: workflow.id, workflows: catalog }).definition);
  return states.get(workflow.id)!;
}

export async function getWorkflow(db: Db, id: string): Promise<WorkflowRecord> {
  const row = await db.workflow.findUnique({ where: { id } });
  if (!row) throw notFound(GONE);
  return fromRow(row);
}

export async function findWorkflowByName(db: Db, name: string): Promise<WorkflowRecord | null> {
  const row = await db.workflow.findUnique({ where: { name } });
  return row ? fromRow(row) : null;
}

async function assertNameFree(db: Db, name: string, exceptId?: string) {
  const existing = await db.workflow.findUnique({ where: { name }, select: { id: true } });
  if (existing && existing.id !== exceptId) throw conflict(`A workflow called "${name}" already exists`);
}

/** Runs a write, turning the races the checks before it cannot exclude into the caller's errors. */
async function guarded<T>(name: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`A workflow called "${name}" already exists`);
    if (isRecordMissing(error)) throw notFound(GONE);
    throw error;
  }
}

export async function createWorkflow(db: Db, input: { name: string; label: string; graph?: WorkflowGraph }) {
  const name = WorkflowName.parse(input.name);
  const label = WorkflowLabel.parse(input.label);
  await assertNameFree(db, name);
  const row = await guarded(name, () =>
    db.workflow.create({ data: { id: randomUUID(), name, label, graph: JSON.stringify(bindGraph(input.graph ?? emptyGraph())) } }),
  );
  return fromRow(row);
}

/** Renames a workflow; a label left out keeps the current one. */
export async function renameWorkflow(db: Db, input: { id: string; name: string; label?: string | undefined }) {
  const name = WorkflowName.parse(input.name);
  const label = input.label === undefined ? undefined : WorkflowLabel.parse(input.label);
  await getWorkflow(db, input.id);
  await assertNameFree(db, name, input.id);
  return fromRow(await guarded(name, () => db.workflow.update({ where: { id: input.id }, data: { name, label } })));
}

/**
 * Stores the editor's graph as the draft and returns the compiler's findings about it. With
 * `baseRevision`, the save lands only if nobody saved since that revision (compare-and-set in one
 * statement), so two editors of one workflow cannot silently overwrite each other.
 */
export async function saveGraph(db: Db, id: string, graph: unknown, baseRevision?: number) {
  // Older schema versions are migrated; names typed before what they name existed are bound to ids.
  const parsed = parseStoredGraph(graph);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw badRequest(`The graph is malformed at ${issue?.path.join('.') || 'its root'}: ${issue?.message}`);
  }
  const { count } = await db.workflow.updateMany({
    where: { id, ...(baseRevision === undefined ? {} : { revision: baseRevision }) },
    data: { graph: JSON.stringify(bindGraph(parsed.data)), revision: { increment: 1 } },
  });
  const saved = await getWorkflow(db, id);
  if (count === 0) {
    throw conflict(
      `"${saved.name}" was changed elsewhere (another tab or another person) since you opened it. Reload the page to get the latest version.`,
    );
  }
  return { updatedAt: saved.updatedAt, revision: saved.revision, diagnostics: diagnosticsOf(saved, await loadCatalog(db)) };
}
