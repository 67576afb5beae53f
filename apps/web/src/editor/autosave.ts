import type { Diagnostic, WorkflowGraph } from '@switchyard/workflow';
import type { EditorModel } from './model.ts';

export type SaveFn = (graph: WorkflowGraph) => Promise<{ diagnostics: Diagnostic[] }>;

/** Saves still running per workflow id, so a re-opened editor loads only after they land. */
const inFlight = new Map<string, Promise<unknown>>();

export function pendingSave(workflowId: string): Promise<unknown> | undefined {
  return inFlight.get(workflowId);
}

/**
 * Saves the editor's document a little after the last change, one save at a time. `flush` saves
 * now and resolves to true once everything changed before the call is on the server.
 */
export class Autosaver {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private queue: Promise<boolean> = Promise.resolve(true);
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly workflowId: string,
    private readonly editor: EditorModel,
    private readonly save: SaveFn,
    private readonly describeError: (error: unknown) => string,
    private readonly delayMs = 800,
  ) {}

  start() {
    this.unsubscribe = this.editor.store.subscribe((state, previous) => {
      if (state.revision !== previous.revision && !state.readOnly && state.revision !== state.savedRevision) {
        this.schedule();
      }
    });
  }

  /** Stops listening; whatever is unsaved is saved now. */
  dispose() {
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.editor.isDirty()) void this.flush();
    else this.clearTimer();
  }

  schedule() {
    this.clearTimer();
    this.timer = setTimeout(() => void this.flush(), this.delayMs);
  }

  flush(): Promise<boolean> {
    this.clearTimer();
    const run = this.queue.then(() => this.saveOnce());
    this.queue = run;
    inFlight.set(this.workflowId, run);
    void run.finally(() => {
      if (inFlight.get(this.workflowId) === run) inFlight.delete(this.workflowId);
    });
    return run;
  }

  private clearTimer() {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private async saveOnce(): Promise<boolean> {
    const state = this.editor.state;
    if (state.readOnly) return false;
    if (state.revision === state.savedRevision) return true;
    const revision = state.revision;
    this.editor.markSaving();
    try {
      const result = await this.save(this.editor.toGraph());
      this.editor.markSaved(revision, result.diagnostics);
      return true;
    } catch (error) {
      this.editor.markSaveFailed(this.describeError(error));
      return false;
    }
  }
}
