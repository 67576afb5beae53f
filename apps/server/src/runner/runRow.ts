import type { RunRow } from '../db/index.ts';
import type { ResolvedDefinition } from '../services/definitions.ts';
import type { Trigger } from '../services/runs.ts';

/** A new queued run of a resolved definition, due now; callers set what differs (due time, parent...). */
export function queuedRun(
  resolved: ResolvedDefinition,
  fields: { id: string; name: string; environment: string; trigger: Trigger; input: string; now: Date },
): RunRow {
  const { settings } = resolved.definition;
  return {
    id: fields.id,
    workflowId: resolved.workflowId,
    workflowName: fields.name,
    environment: fields.environment,
    trigger: fields.trigger,
    status: 'queued',
    releaseNumber: resolved.releaseNumber,
    draftRevision: resolved.draftRevision,
    mode: settings.mode,
    runAt: fields.now,
    priority: 0,
    attempts: 0,
    maxAttempts: settings.retry.maxAttempts,
    nextAttemptReason: null,
    recovered: false,
    leaseOwner: null,
    leaseExpiresAt: null,
    concurrencyLimit: settings.concurrency,
    parentRunId: null,
    chainDepth: 0,
    scheduledBy: null,
    dedupeKey: null,
    batchId: null,
    batchIndex: null,
    input: fields.input,
    output: null,
    error: null,
    createdAt: fields.now,
    startedAt: null,
    finishedAt: null,
    durationMs: null,
  };
}
