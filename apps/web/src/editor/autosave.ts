import type { Diagnostic, WorkflowGraph } from '@switchyard/workflow';
import type { EditorModel } from './model.ts';

export type SaveFn = (graph: WorkflowGraph) => Promise<{ diagnostics: Diagnostic[] }>;

export interface AutosaverOptions {
  /** Sends the document to the server. */
  save: SaveFn;
  /** The sentence shown after "Save failed: ". */
  describeError: (error: unknown) => string;
  /** Whether trying again later may help (the network or the server was down). */
  isTransient?: (error: unknown) => boolean;
  /** Last-chance save as the page goes away (fire and forget; see createKeepaliveClient). */
  saveOnExit?: (graph: WorkflowGraph) => void;
  /** Called when changes could not be saved as the editor closed. */
  onLostChanges?: (message: string) => void;
  /** Quiet time after the last change before saving. */
  delayMs?: number;
  /** Wait before retrying a save that failed for a transient reason. */
  retryMs?: number;
}

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
  private readonly delayMs: number;
  private readonly retryMs: number;

  constructor(
    private readonly workflowId: string,
    private readonly editor: EditorModel,
    private readonly options: AutosaverOptions,
  ) {
    this.delayMs = options.delayMs ?? 800;
    this.retryMs = options.retryMs ?? 5_000;
  }

  start() {
    this.unsubscribe = this.editor.store.subscribe((state, previous) => {
      if (state.revision !== previous.revision && !state.readOnly && state.revision !== state.savedRevision) {
        this.schedule(this.delayMs);
      }
    });
  }

  /** Stops listening; whatever is unsaved is saved now. */
  dispose() {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.clearTimer();
    if (!this.editor.isDirty()) return;
    void this.flush().then((saved) => {
      if (!saved) this.options.onLostChanges?.(this.editor.state.saveError ?? 'unknown error');
    });
  }

  /** The page is going away: hand what is unsaved to a request that survives it. */
  exit() {
    const state = this.editor.state;
    if (state.readOnly || state.revision === state.savedRevision) return;
    this.clearTimer();
    this.options.saveOnExit?.(this.editor.toGraph());
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

  private schedule(ms: number) {
    this.clearTimer();
    this.timer = setTimeout(() => void this.flush(), ms);
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
      const result = await this.options.save(this.editor.toGraph());
      this.editor.markSaved(revision, result.diagnostics);
      return true;
    } catch (error) {
      this.editor.markSaveFailed(this.options.describeError(error));
      // Still open and the server may come back: try again later unless a new change does first.
      if (this.unsubscribe && this.timer === null && this.options.isTransient?.(error)) this.schedule(this.retryMs);
      return false;
    }
  }
}
