import { createHash } from 'node:crypto';
import type { EngineDb } from '../db/index.ts';

/** How long a key's first answer is replayed. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** Keys are the caller's; longer ones are refused rather than hashed, so what is stored is what was sent. */
export const MAX_KEY_LENGTH = 255;

/** The first answer to a key, replayed as it was. */
export interface Answer {
  statusCode: number;
  /** The JSON text sent. */
  body: string;
  runId: string;
}

export type KeyOutcome =
  /** The key is this call's to answer: run under `runId`, then `finish` (or `release` when refused before a run). */
  | { kind: 'new'; runId: string }
  | { kind: 'replay'; answer: Answer }
  | { kind: 'refused'; status: 409 | 422; message: string; runId?: string };

export interface KeyScope {
  workflowId: string;
  environment: string;
  key: string;
}

/** What makes two calls "the same": the method, the raw body and the query string. */
export function requestHash(method: string, query: string, body: Buffer | null): string {
  const hash = createHash('sha256').update(method).update('\n').update(query).update('\n');
  if (body) hash.update(body);
  return hash.digest('hex');
}

/**
 * Idempotency keys of workflow calls (`Idempotency-Key`, or `webhook-id` of a signed Standard
 * Webhooks delivery). The first call with a key claims it in the database (one transaction, so 50
 * concurrent duplicates make exactly one run, across processes too), names its run before the run
 * exists, and stores its answer; repeats within 24 hours get that answer back. A key left "running"
 * by a process that died is taken over: if its run was committed, the run's outcome (or a 202 while
 * it still runs) is the answer; if not, the call runs now under the key.
 */
export class Idempotency {
  constructor(
    private readonly engineDb: EngineDb,
    /** This process as the runner that answers keys it claims (the engine's lease owner id). */
    private readonly owner: string,
    private readonly newRunId: () => string,
    private readonly leaseMs: number,
    /** Whether a runner process is certainly gone (same host, its pid dead): its keys need not wait for its heartbeat to age. */
    private readonly isGone: (owner: string) => boolean,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /**
   * Claims the key for this call, or says what to answer instead. `answerOfRun` is the answer to
   * give for a run that exists when the call that made it died before storing its answer.
   */
  async begin(scope: KeyScope, bodyHash: string, answerOfRun: (runId: string, run: RunState) => Answer = callAnswerOfRun): Promise<KeyOutcome> {
    const store = this.engineDb.apiAccess;
    const runId = this.newRunId();
    return this.engineDb.commits.compute(() => {
      const now = this.clock();
      const claim = { ...scope, bodyHash, runId, owner: this.owner, now, expiresAt: new Date(now.getTime() + IDEMPOTENCY_TTL_MS) };
      if (store.claimKey(claim)) return { kind: 'new', runId };
      const row = store.key(scope.workflowId, scope.environment, scope.key);
      // Deleted between the insert and the read (it expired and was swept): claim it again.
      if (!row) return store.claimKey(claim) ? { kind: 'new', runId } : { kind: 'refused', status: 409, message: IN_FLIGHT };
      if (new Date(row.expiresAt) <= now) {
        return store.takeOverKey(claim, row.runId) ? { kind: 'new', runId } : { kind: 'refused', status: 409, message: IN_FLIGHT };
      }
      if (row.bodyHash !== bodyHash) {
        return { kind: 'refused', status: 422, message: 'This Idempotency-Key was already used with a different request body', runId: row.runId };
      }
      if (row.state === 'done') return { kind: 'replay', answer: { statusCode: row.statusCode!, body: row.response!, runId: row.runId } };
      if (row.owner === this.owner || this.alive(row.owner, now)) return { kind: 'refused', status: 409, message: IN_FLIGHT, runId: row.runId };
      // The process answering it died. Did its run get committed?
      const run = store.run(row.runId);
      if (!run) return store.takeOverKey(claim, row.runId) ? { kind: 'new', runId } : { kind: 'refused', status: 409, message: IN_FLIGHT };
      const answer = answerOfRun(row.runId, run);
      store.finishKey(scope.workflowId, scope.environment, scope.key, row.runId, answer.statusCode, answer.body)(this.engineDb.sqlite);
      return { kind: 'replay', answer };
    });
  }

  /** Stores the answer given to the key's call. */
  finish(scope: KeyScope, answer: Answer): Promise<void> {
    return this.engineDb.commits.write(this.engineDb.apiAccess.finishKey(scope.workflowId, scope.environment, scope.key, answer.runId, answer.statusCode, answer.body));
  }

  /** Forgets the key of a call refused before its run existed, so a corrected retry may use it. */
  release(scope: KeyScope, runId: string): Promise<void> {
    return this.engineDb.commits.write(this.engineDb.apiAccess.releaseKey(scope.workflowId, scope.environment, scope.key, runId));
  }

  /** Deletes expired keys, a bounded batch at a time; returns how many. */
  sweep(limit = 1000): number {
    return this.engineDb.apiAccess.deleteExpiredKeys(this.clock(), limit);
  }

  private alive(owner: string, now: Date): boolean {
    if (this.isGone(owner)) return false;
    const heartbeat = this.engineDb.apiAccess.runnerHeartbeat(owner);
    return heartbeat !== null && now.getTime() - heartbeat.getTime() < this.leaseMs;
  }
}

const IN_FLIGHT = 'A request with this Idempotency-Key is still being processed: retry later';

export interface RunState {
  status: string;
  output: string | null;
  error: string | null;
}

/** The answer a call of an endpoint would have had for a run that exists, when its first answer was never stored. */
export function callAnswerOfRun(runId: string, run: RunState): Answer {
  const error = (statusCode: number, message: string) => ({ statusCode, body: JSON.stringify({ status: 'error', message, run_id: runId }), runId });
  switch (run.status) {
    case 'succeeded':
      return { statusCode: 200, body: `{"status":"success","response":${run.output ?? '{}'}}`, runId };
    case 'failed':
      return error(500, run.error ?? 'The run failed');
    case 'cancelled':
      return error(409, run.error ?? 'The run was cancelled');
    case 'interrupted':
      return error(503, run.error ?? 'The run was interrupted');
    case 'skipped':
      return error(400, 'The workflow\'s "Only when" condition was not met');
    default:
      return { statusCode: 202, body: `{"status":"accepted","response":{"run_id":"${runId}"}}`, runId };
  }
}
