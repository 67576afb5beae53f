import {
  type Diagnostic,
  type WorkflowDefinition,
  type WorkflowSummary,
  actionModule,
  compile,
  parseDefinition,
  parseStoredGraph,
  workflowSummary,
} from '@switchyard/workflow';
import type { EngineDb } from '../db/index.ts';
import { AppError, badRequest, notFound } from './errors.ts';
import type { Environment } from './runs.ts';

/** A definition ready to run, with what a run must be pinned to. */
export interface ResolvedDefinition {
  workflowId: string;
  environment: Environment;
  releaseNumber: number | null;
  draftRevision: number | null;
  definition: WorkflowDefinition;
  /**
   * Some step may take a while (a wait, a call to the outside world): the run gets its time limit
   * enforced and a synchronous caller may be answered 202 before it ends.
   */
  mayWait: boolean;
  /** The definition as stored in a draft snapshot (draft only). */
  snapshot: string | null;
}

type Entry = ResolvedDefinition | AppError;

const MAX_ENTRIES = 1000;

/**
 * Compiled definitions, cached by what makes them immutable: a draft by (workflow, saved
 * revision), a release by (number, workflow). A save bumps the revision and a deploy adds a
 * release, so a changed workflow simply gets a new key: nothing is compiled or re-validated per
 * call, and nothing stale is served. The keys are looked up with prepared SQL on every call
 * (microseconds), so a deploy made by another process (the CLI) is seen at once.
 */
export class Definitions {
  private readonly cache = new Map<string, Entry>();
  /** Draft snapshots known to be stored, so each is written once. */
  private readonly storedSnapshots = new Set<string>();

  constructor(private readonly engineDb: EngineDb) {}

  /** The definition a call of `/api/1.1/wf/<name>` (live) or `/version-test/...` (draft) runs. */
  forCall(environment: Environment, name: string, release?: number): ResolvedDefinition {
    if (environment === 'draft') return this.draft(name);
    const resolved = this.live(name, release);
    // A recurring job runs on its schedule; its draft can still be called to test it.
    if (resolved.definition.trigger.type === 'recurring') {
      throw notFound(`"${name}" is a recurring job: it runs on its schedule and has no endpoint`).because('unknown_workflow');
    }
    return resolved;
  }

  /**
   * The definition a run scheduled now of the workflow with this id would be pinned to: the latest
   * release's, or the saved draft's.
   */
  forTarget(environment: Environment, workflowId: string): ResolvedDefinition {
    if (environment === 'live') {
      const release = this.engineDb.lookups.latestRelease();
      const entry = release === null ? null : this.engineDb.lookups.releaseEntryById(release, workflowId);
      if (release === null || !entry) {
        const head = this.engineDb.lookups.workflowHeadById(workflowId);
        throw notFound(head ? `Workflow "${head.name}" is not deployed yet` : 'The workflow to schedule no longer exists').because(
          head ? 'not_deployed' : 'unknown_workflow',
        );
      }
      return this.live(entry.name);
    }
    const head = this.engineDb.lookups.workflowHeadById(workflowId);
    if (!head) throw notFound('The workflow to schedule no longer exists').because('unknown_workflow');
    return this.draft(head.name);
  }

  /** The definition a queued run is pinned to. */
  forRun(run: { environment: string; workflowId: string; releaseNumber: number | null; draftRevision: number | null }): ResolvedDefinition {
    if (run.environment === 'live' && run.releaseNumber !== null) {
      return this.cached(`r:${run.releaseNumber}:${run.workflowId}`, () => {
        const entry = this.engineDb.lookups.releaseEntryById(run.releaseNumber!, run.workflowId);
        if (!entry) throw notFound(`Release #${run.releaseNumber} has no such workflow`);
        return this.resolved(run.workflowId, 'live', run.releaseNumber, null, parseDefinition(JSON.parse(entry.definition)));
      });
    }
    if (run.environment === 'draft' && run.draftRevision !== null) {
      return this.cached(`d:${run.workflowId}:${run.draftRevision}`, () => {
        const stored = this.engineDb.lookups.snapshot(run.workflowId, run.draftRevision!);
        if (!stored) throw notFound('The draft this run was created from is gone');
        const resolved = this.resolved(run.workflowId, 'draft', null, run.draftRevision, parseDefinition(JSON.parse(stored)));
        this.storedSnapshots.add(`${run.workflowId}:${run.draftRevision}`);
        return resolved;
      });
    }
    throw new Error(`Run of workflow ${run.workflowId} is pinned to nothing`);
  }

  /** Whether the draft snapshot of a resolved draft definition still has to be written. */
  needsSnapshot(resolved: ResolvedDefinition): boolean {
    return resolved.snapshot !== null && !this.storedSnapshots.has(`${resolved.workflowId}:${resolved.draftRevision}`);
  }

  snapshotStored(resolved: ResolvedDefinition): void {
    this.storedSnapshots.add(`${resolved.workflowId}:${resolved.draftRevision}`);
  }

  /** `known`: the latest release as the caller just read it (the endpoint's guard), to read it once per call. */
  private live(name: string, known?: number): ResolvedDefinition {
    const release = known ?? this.engineDb.lookups.latestRelease();
    if (release === null) throw this.notDeployed(name);
    // Misses throw instead of returning an error, so names callers make up never fill the cache.
    return this.cached(`l:${release}:${name}`, () => {
      const entry = this.engineDb.lookups.releaseEntry(release, name);
      if (!entry) throw this.notDeployed(name);
      return this.resolved(entry.workflowId, 'live', release, null, parseDefinition(JSON.parse(entry.definition)));
    });
  }

  private notDeployed(name: string): AppError {
    if (this.engineDb.lookups.workflowHead(name)) {
      return notFound(`Workflow "${name}" is not deployed yet: deploy it, or call /version-test/api/1.1/wf/${name} to run the draft`).because(
        'not_deployed',
      );
    }
    return notFound(`No workflow called "${name}"`).because('unknown_workflow');
  }

  private draft(name: string): ResolvedDefinition {
    const head = this.engineDb.lookups.workflowHead(name);
    if (!head) throw notFound(`No workflow called "${name}"`).because('unknown_workflow');
    return this.cached(`d:${head.id}:${head.revision}`, () => {
      const row = this.engineDb.lookups.workflowGraph(head.id);
      if (!row) throw notFound(`No workflow called "${name}"`).because('unknown_workflow');
      const graph = parseStoredGraph(JSON.parse(row.graph));
      // A stored graph that does not parse is a bug or a bad manual edit, not the caller's mistake.
      if (!graph.success) throw new Error(`Stored graph of workflow ${row.name} is invalid: ${graph.error.message}`);
      const { definition, diagnostics } = compile(row.name, graph.data, { workflowId: row.id, workflows: this.catalog() });
      if (!definition) {
        return badRequest(`The draft of "${name}" has errors; fix them in the editor`, {
          diagnostics: diagnostics.filter((d: Diagnostic) => d.severity === 'error'),
        }).because('draft_has_errors');
      }
      return this.resolved(row.id, 'draft', null, row.revision, definition, JSON.stringify(definition));
    });
  }

  /** Every workflow as a scheduling target; read when a draft is compiled (once per saved revision). */
  private catalog(): Map<string, WorkflowSummary> {
    const catalog = new Map<string, WorkflowSummary>();
    for (const row of this.engineDb.lookups.allWorkflows()) {
      const graph = parseStoredGraph(JSON.parse(row.graph));
      if (graph.success) catalog.set(row.id, workflowSummary(row.id, row.name, graph.data));
    }
    return catalog;
  }

  private resolved(
    workflowId: string,
    environment: Environment,
    releaseNumber: number | null,
    draftRevision: number | null,
    definition: WorkflowDefinition,
    snapshot: string | null = null,
  ): ResolvedDefinition {
    const mayWait = definition.steps.some((step) => {
      const module = actionModule(step.type);
      return module?.effect === true || module?.waits === true;
    });
    return { workflowId, environment, releaseNumber, draftRevision, definition, mayWait, snapshot };
  }

  private cached(key: string, load: () => Entry): ResolvedDefinition {
    let entry = this.cache.get(key);
    if (entry === undefined) {
      entry = load();
      this.cache.set(key, entry);
      if (this.cache.size > MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    } else {
      // Most recently used last, so the oldest is the first to go.
      this.cache.delete(key);
      this.cache.set(key, entry);
    }
    if (entry instanceof AppError) throw entry;
    return entry;
  }
}
