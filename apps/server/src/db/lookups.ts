import type Database from 'better-sqlite3';
import type { Sqlite } from './sqlite.ts';

/**
 * The reads a workflow call makes before it runs: which release is live, which draft revision is
 * saved. Prepared statements on the engine's connection, a few microseconds each, so that the
 * definition cache above them (services/definitions.ts) is always exact without a time-to-live.
 */
export class DefinitionLookups {
  private readonly latestReleaseStmt: Database.Statement<[], { number: number }>;
  private readonly releaseEntryStmt: Database.Statement<[number, string], { workflowId: string; definition: string }>;
  private readonly releaseEntryByIdStmt: Database.Statement<[number, string], { name: string; definition: string }>;
  private readonly workflowHeadStmt: Database.Statement<[string], { id: string; revision: number }>;
  private readonly workflowGraphStmt: Database.Statement<[string], { id: string; name: string; revision: number; graph: string }>;
  private readonly snapshotStmt: Database.Statement<[string, number], { definition: string }>;
  private readonly allWorkflowsStmt: Database.Statement<[], { id: string; name: string; graph: string }>;
  private readonly headByIdStmt: Database.Statement<[string], { name: string; revision: number }>;
  private readonly runningStmt: Database.Statement<[string, string], { n: number }>;
  private readonly liveHeadStmt: Database.Statement<[string], { release: number; workflowId: string | null; revision: number | null }>;

  constructor(db: Sqlite) {
    this.latestReleaseStmt = db.prepare(`SELECT number FROM Release ORDER BY number DESC LIMIT 1`);
    this.releaseEntryStmt = db.prepare(`SELECT rw.workflowId, rw.definition FROM ReleaseWorkflow rw JOIN Release r ON r.id = rw.releaseId
      WHERE r.number = ? AND rw.name = ?`);
    this.releaseEntryByIdStmt = db.prepare(`SELECT rw.name, rw.definition FROM ReleaseWorkflow rw JOIN Release r ON r.id = rw.releaseId
      WHERE r.number = ? AND rw.workflowId = ?`);
    this.workflowHeadStmt = db.prepare(`SELECT id, revision FROM Workflow WHERE name = ?`);
    this.workflowGraphStmt = db.prepare(`SELECT id, name, revision, graph FROM Workflow WHERE id = ?`);
    this.snapshotStmt = db.prepare(`SELECT definition FROM DraftSnapshot WHERE workflowId = ? AND revision = ?`);
    this.allWorkflowsStmt = db.prepare(`SELECT id, name, graph FROM Workflow`);
    this.headByIdStmt = db.prepare(`SELECT name, revision FROM Workflow WHERE id = ?`);
    // One statement (one read) for what a live call's guard needs: each statement is a read transaction of its own.
    this.liveHeadStmt = db.prepare(`SELECT r.number AS release, rw.workflowId AS workflowId, w.revision AS revision
      FROM (SELECT id, number FROM Release ORDER BY number DESC LIMIT 1) r
      LEFT JOIN ReleaseWorkflow rw ON rw.releaseId = r.id AND rw.name = ?
      LEFT JOIN Workflow w ON w.id = rw.workflowId`);
    // Through the (status, id) index: only running runs are looked at, and there are few.
    this.runningStmt = db.prepare(`SELECT COUNT(*) AS n FROM Run WHERE status = 'running' AND workflowId = ? AND environment = ?`);
  }

  /** Runs of a workflow being executed from the queue, in any process. */
  runningCount(workflowId: string, environment: string): number {
    return this.runningStmt.get(workflowId, environment)?.n ?? 0;
  }

  /**
   * The latest release, the workflow it runs under `name` (null: none) and that workflow's saved
   * revision (null: deleted since), in one read; null when nothing was ever deployed.
   */
  liveHead(name: string): { release: number; workflowId: string | null; revision: number | null } | null {
    return this.liveHeadStmt.get(name) ?? null;
  }

  latestRelease(): number | null {
    return this.latestReleaseStmt.get()?.number ?? null;
  }

  releaseEntry(releaseNumber: number, name: string) {
    return this.releaseEntryStmt.get(releaseNumber, name) ?? null;
  }

  releaseEntryById(releaseNumber: number, workflowId: string) {
    return this.releaseEntryByIdStmt.get(releaseNumber, workflowId) ?? null;
  }

  workflowHead(name: string) {
    return this.workflowHeadStmt.get(name) ?? null;
  }

  /** Every workflow's saved graph (for compiling a draft against the workflows it may schedule). */
  allWorkflows() {
    return this.allWorkflowsStmt.all();
  }

  workflowHeadById(id: string) {
    return this.headByIdStmt.get(id) ?? null;
  }

  workflowGraph(id: string) {
    return this.workflowGraphStmt.get(id) ?? null;
  }

  snapshot(workflowId: string, revision: number): string | null {
    return this.snapshotStmt.get(workflowId, revision)?.definition ?? null;
  }
}
