import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { Link } from 'react-router';
import { errorMessage, useTRPC } from '../../api/trpc.ts';
import { Alert, Badge, Dialog, ErrorState, LoadingBlock } from '../../components/ui.tsx';
import { toast } from '../../components/toast.tsx';
import { BATCH_STATUS_LABELS, batchProgress, describePacing } from '../../lib/batches.ts';
import { formatAbsolute, formatRelative } from '../../lib/format.ts';
import type { Environment } from '../../lib/runs.ts';
import { formatCount } from '../../lib/scheduler.ts';
import { useNow } from '../../lib/useNow.ts';
import { ScheduledBy } from './PendingTable.tsx';
import type { Batch } from './types.ts';
import { useBatches } from './useBatches.ts';

const STATUS_TONES = { running: 'info', finished: 'success', cancelled: 'neutral' } as const;

/**
 * "Batches": the environment's lists scheduled one run per item ("Schedule API workflow on a
 * list"), newest first, each with its progress, how its items start, what started it and what
 * runs when it ends. Builders and admins cancel a running batch (after confirming). Re-read every
 * few seconds while the tab is visible.
 */
export function BatchesSection({
  environment,
  label,
  visible,
  knownWorkflows,
  canCancel,
}: {
  environment: Environment;
  label: string;
  visible: boolean;
  knownWorkflows: ReadonlySet<string> | undefined;
  canCancel: boolean;
}) {
  const headingId = useId();
  const batches = useBatches(environment, visible);
  const { query } = batches;
  const [cancelling, setCancelling] = useState<Batch | null>(null);
  const running = batches.batches.filter((b) => b.status === 'running').length;

  return (
    <section className="scheduler-section" aria-labelledby={headingId}>
      <div className="scheduler-section-head">
        <h2 id={headingId}>
          Batches
          {query.data && batches.pageIndex === 0 && running > 0 && (
            <span className="heading-count muted">{`${formatCount(running)} running${batches.hasOlder ? ' on this page' : ''}`}</span>
          )}
        </h2>
        <span className="muted small">Lists scheduled one run per item, newest first</span>
      </div>
      {query.isPending ? (
        <LoadingBlock label="Loading batches…" />
      ) : query.isError && !query.data ? (
        <ErrorState title="Could not load batches" error={query.error} onRetry={() => void query.refetch()} />
      ) : batches.batches.length === 0 ? (
        batches.pageIndex > 0 ? (
          <div className="section-empty">
            <p>No older batches.</p>
            <button type="button" className="btn btn-sm" onClick={batches.first}>
              Back to the newest
            </button>
          </div>
        ) : (
          <div className="section-empty" data-testid="batches-empty">
            <p>
              <strong>No batches in {label}.</strong> A workflow's “Schedule API workflow on a list” step makes one: a run of a workflow for each item of
              a list, all at once, an interval apart or one after another. Its progress shows here.
            </p>
          </div>
        )
      ) : (
        <div className={batches.stale ? 'runs-stale' : undefined} aria-busy={batches.stale}>
          <ol className="batch-list" aria-label={`Batches in ${label}`}>
            {batches.batches.map((batch) => (
              <BatchItem
                key={batch.id}
                batch={batch}
                workflowExists={knownWorkflows ? knownWorkflows.has(batch.workflowId) : true}
                canCancel={canCancel}
                onCancel={() => setCancelling(batch)}
              />
            ))}
          </ol>
          {(batches.hasNewer || batches.hasOlder) && (
            <div className="list-footer">
              <span className="muted small">Page {batches.pageIndex + 1}</span>
              <span className="pager">
                <button type="button" className="btn btn-sm" onClick={batches.newer} disabled={!batches.hasNewer || batches.stale}>
                  Newer batches
                </button>
                <button type="button" className="btn btn-sm" onClick={batches.older} disabled={!batches.hasOlder}>
                  Older batches
                </button>
              </span>
            </div>
          )}
        </div>
      )}
      {cancelling && <CancelBatchDialog environment={environment} batch={cancelling} onClose={() => setCancelling(null)} />}
    </section>
  );
}

function BatchItem({ batch, workflowExists, canCancel, onCancel }: { batch: Batch; workflowExists: boolean; canCancel: boolean; onCancel: () => void }) {
  const now = useNow(5_000);
  const progress = batchProgress(batch);
  const labelId = useId();
  const started = batch.startAt.getTime() <= now;
  return (
    <li className={`card batch batch-${batch.status}`} data-batch-id={batch.id} aria-labelledby={labelId}>
      <div className="batch-head">
        <span id={labelId} className="batch-title">
          {workflowExists ? (
            <Link to={`/workflows/${batch.workflowId}`} className="mono strong-link" title={`Open ${batch.workflowName} in the editor`}>
              {batch.workflowName}
            </Link>
          ) : (
            <span className="mono" title="This workflow was deleted">
              {batch.workflowName} <span className="muted">(deleted)</span>
            </span>
          )}
          <span className="visually-hidden">, batch of {formatCount(batch.total)}</span>
        </span>
        <span data-testid="batch-status">
          <Badge tone={STATUS_TONES[batch.status]}>{BATCH_STATUS_LABELS[batch.status]}</Badge>
        </span>
        {canCancel && batch.status === 'running' && (
          <button type="button" className="btn btn-sm btn-danger-outline batch-cancel" onClick={onCancel}>
            Cancel…<span className="visually-hidden"> the batch of {batch.workflowName}</span>
          </button>
        )}
      </div>

      <div className="batch-progress-row">
        <div
          className="batch-bar"
          role="progressbar"
          aria-label={`Progress of the batch of ${batch.workflowName}`}
          aria-valuemin={0}
          aria-valuemax={progress.max}
          aria-valuenow={progress.now}
          aria-valuetext={progress.text}
          title={progress.text}
        >
          {progress.segments.map((s) =>
            s.count > 0 ? <span key={s.kind} className={`batch-seg batch-seg-${s.kind}`} style={{ width: `${s.percent}%` }} /> : null,
          )}
        </div>
        <span className="batch-done" aria-hidden="true">
          {formatCount(progress.done)} / {formatCount(batch.total)}
        </span>
      </div>

      <ul className="batch-counts" aria-label="Items">
        <Count kind="succeeded" count={batch.succeeded} word="succeeded" />
        <Count kind="failed" count={batch.failed} word="failed" />
        <Count kind="cancelled" count={batch.cancelled} word="cancelled" />
        <Count kind="running" count={batch.running} word="running" />
        <Count kind="pending" count={batch.pending} word="waiting" />
      </ul>

      <dl className="batch-facts">
        <div>
          <dt>Pacing</dt>
          <dd>{describePacing(batch)}</dd>
        </div>
        <div>
          <dt>{started ? 'Started' : 'Starts'}</dt>
          <dd>
            <time dateTime={batch.startAt.toISOString()} title={formatAbsolute(batch.startAt)}>
              {formatRelative(batch.startAt, now)}
            </time>
          </dd>
        </div>
        <div>
          <dt>Started by</dt>
          <dd className="batch-by">
            {batch.parentRunId && !batch.scheduledBy.startsWith('run:') ? (
              <Link to={`/runs/${batch.parentRunId}`}>
                run <span className="mono">{batch.parentRunId.slice(-8)}</span>
              </Link>
            ) : (
              <ScheduledBy value={batch.scheduledBy} />
            )}
          </dd>
        </div>
        {batch.onFinishWorkflowName && (
          <div>
            <dt>When it ends</dt>
            <dd className="batch-end">
              <span className="mono">{batch.onFinishWorkflowName}</span>
              {batch.onFinishRunId ? (
                <>
                  {' · '}
                  <Link to={`/runs/${batch.onFinishRunId}`} title={`The run of ${batch.onFinishWorkflowName} made when the batch ended`}>
                    end run
                  </Link>
                </>
              ) : (
                <span className="muted"> (runs once, with the counts)</span>
              )}
            </dd>
          </div>
        )}
        {batch.finishedAt && (
          <div>
            <dt>{batch.status === 'cancelled' ? 'Cancelled' : 'Ended'}</dt>
            <dd>
              <time dateTime={batch.finishedAt.toISOString()} title={formatAbsolute(batch.finishedAt)}>
                {formatRelative(batch.finishedAt, now)}
              </time>
              {batch.cancelledBy && <span className="muted"> by {batch.cancelledBy}</span>}
            </dd>
          </div>
        )}
        {!batch.finishedAt && batch.cancelledBy && (
          <div>
            <dt>Cancelled</dt>
            <dd>
              by {batch.cancelledBy}
              <span className="muted">, waiting for running items to end</span>
            </dd>
          </div>
        )}
      </dl>
    </li>
  );
}

function Count({ kind, count, word }: { kind: string; count: number; word: string }) {
  return (
    <li className={`batch-count${count === 0 ? ' batch-count-zero' : ''}`}>
      <span className={`batch-key batch-key-${kind}`} aria-hidden="true" />
      <span className="batch-count-n">{formatCount(count)}</span> {word}
    </li>
  );
}

/** Confirms cancelling a batch: its items not started yet are cancelled; running ones go on. */
function CancelBatchDialog({ environment, batch, onClose }: { environment: Environment; batch: Batch; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const cancel = useMutation(
    trpc.scheduler.cancelBatch.mutationOptions({
      onSuccess: () => {
        toast.success(`Cancelled the batch of ${batch.workflowName}`);
        onClose();
      },
      onSettled: () => void queryClient.invalidateQueries({ queryKey: trpc.scheduler.pathKey() }),
    }),
  );
  const busy = cancel.isPending;
  return (
    <Dialog
      title={`Cancel the batch of ${batch.workflowName}?`}
      onClose={onClose}
      busy={busy}
      onSubmit={() => {
        if (!busy) cancel.mutate({ environment, batchId: batch.id });
      }}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose} disabled={busy}>
            Keep it
          </button>
          <button type="submit" className="btn btn-danger" disabled={busy}>
            {busy ? 'Cancelling…' : 'Cancel batch'}
          </button>
        </>
      }
    >
      <p>
        {batch.pending === 0 ? (
          <>No item is waiting to start.</>
        ) : (
          <>
            The <strong>{formatCount(batch.pending)}</strong> {batch.pending === 1 ? 'item' : 'items'} not started yet will be cancelled.
          </>
        )}{' '}
        {batch.running > 0 && <>{batch.running === 1 ? 'The one running now goes on.' : `The ${formatCount(batch.running)} running now go on.`} </>}
        {batch.onFinishWorkflowName && (
          <>
            <span className="mono">{batch.onFinishWorkflowName}</span> still runs once when the batch ends, with the counts.{' '}
          </>
        )}
        This cannot be undone.
      </p>
      {cancel.isError && <Alert>Could not cancel: {errorMessage(cancel.error)}</Alert>}
    </Dialog>
  );
}
