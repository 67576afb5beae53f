import { Worker } from 'node:worker_threads';
import type { SynchronousMode } from './sqlite.ts';

/**
 * Checkpoints the WAL from a worker thread. SQLite's automatic checkpoint runs inside whichever
 * commit crosses the threshold: on the run engine's connection that is a stall of the event loop
 * (copying megabytes into the database file and syncing it) that every caller waiting at that
 * moment pays for. The engine's connection turns it off (`wal_autocheckpoint = 0`) and this thread,
 * with its own connection, copies the WAL back a few times a second without blocking writers.
 */
export class Checkpointer {
  private readonly worker: Worker;
  private lastError: string | null = null;

  constructor(file: string, synchronous: SynchronousMode, onError: (message: string) => void, intervalMs = 200, restartFrames = 16_384) {
    this.worker = new Worker(new URL('./checkpointWorker.mjs', import.meta.url), { workerData: { file, synchronous, intervalMs, restartFrames } });
    this.worker.unref();
    this.worker.on('message', (message: { ok: boolean; message?: string }) => {
      if (message.ok) this.lastError = null;
      else if (message.message !== this.lastError) {
        this.lastError = message.message ?? 'checkpoint failed';
        onError(this.lastError);
      }
    });
    this.worker.on('error', (error) => onError(error.message));
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.worker.once('exit', resolve));
    // Unreferenced, the worker would not keep the process alive while it finishes a checkpoint,
    // and a process with nothing else left to do would exit with this promise never settled.
    this.worker.ref();
    this.worker.postMessage('stop');
    await exited;
  }
}
