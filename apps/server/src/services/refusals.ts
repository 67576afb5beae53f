import type { EngineDb } from '../db/index.ts';
import type { Metrics } from './metrics.ts';
import type { Environment } from './runs.ts';

/** Why a workflow call was refused; counted per workflow name, environment and reason. */
export type RefusalReason =
  | 'unknown_workflow'
  | 'not_deployed'
  | 'draft_has_errors'
  | 'invalid_parameters'
  | 'malformed_body'
  | 'forbidden_key'
  | 'too_deep'
  | 'too_large'
  | 'unsupported_media_type'
  | 'unauthorized'
  | 'forbidden'
  | 'wrong_method'
  | 'rate_limited'
  | 'bad_signature';

/** Calls to names no workflow has are counted under this one name, so made-up names add no rows. */
export const UNKNOWN_WORKFLOW = '(unknown workflow)';

const FLUSH_MS = 1000;

/**
 * Counts refused calls in memory and adds them to the RefusedCall table once a second through the
 * group commit, so a flood of bad calls costs one small write a second. Bodies are never stored:
 * only the count, the time and the last message.
 */
export class RefusedCalls {
  private pending = new Map<string, { workflowName: string; environment: Environment; reason: RefusalReason; count: number; lastAt: Date; lastMessage: string }>();
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly engineDb: EngineDb,
    private readonly metrics?: Metrics,
  ) {}

  count(workflowName: string, environment: Environment, reason: RefusalReason, message: string, now = new Date()): void {
    this.metrics?.refusedCall(reason, environment);
    const key = `${workflowName}\u0000${environment}\u0000${reason}`;
    const entry = this.pending.get(key);
    const lastMessage = message.slice(0, 500);
    if (entry) {
      entry.count++;
      entry.lastAt = now;
      entry.lastMessage = lastMessage;
    } else {
      this.pending.set(key, { workflowName, environment, reason, count: 1, lastAt: now, lastMessage });
    }
    this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  /** Writes what is counted so far (also on shutdown). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.size === 0) return;
    const rows = [...this.pending.values()];
    this.pending = new Map();
    this.engineDb.commits.writeLater(this.engineDb.writes.refusedCalls(rows), 'refused call counts');
  }
}
