import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { errorMessage, useTRPC } from '../../api/trpc.ts';
import type { RunDetail } from '../../api/types.ts';
import { toast } from '../../components/toast.tsx';
import { Dialog } from '../../components/ui.tsx';
import { formatAbsolute, formatRelative, plural } from '../../lib/format.ts';
import { type ScheduledByView, shortId } from '../../lib/runSchedule.ts';
import './runSchedule.css';

/**
 * The scheduling parts of the run page (RunDetailPage): who or what scheduled the run, and
 * cancelling a run that has not started. The words come from lib/runSchedule.ts.
 */

/** "Scheduled by": the API, a person, a run (linked), a batch (linked to the Scheduler's batches) or the recurring job. */
export function ScheduledByValue({ by, run }: { by: ScheduledByView; run: Pick<RunDetail, 'parentRunId' | 'environment'> }) {
  // The run a batch ends with comes from the batch, and the batch from a run: say which run, unless `by` links it already.
  const parent = run.parentRunId && !(by.kind === 'run' && by.runId === run.parentRunId) ? run.parentRunId : null;
  return (
    <>
      <ScheduledByMain by={by} environment={run.environment} />
      {parent && (
        <span className="fact-note">
          which{' '}
          <Link to={`/runs/${parent}`} className="nowrap" title={`Run ${parent}`}>
            run <span className="mono">{shortId(parent)}</span>
          </Link>{' '}
          scheduled
        </span>
      )}
    </>
  );
}

function ScheduledByMain({ by, environment }: { by: ScheduledByView; environment: RunDetail['environment'] }) {
  switch (by.kind) {
    case 'api':
    case 'other':
      return <span title={by.title}>{by.text}</span>;
    case 'user':
      return <span title={by.title}>{by.email}</span>;
    case 'run':
      return (
        <Link to={by.href} className="nowrap" title={by.title}>
          run <span className="mono">{shortId(by.runId)}</span>
        </Link>
      );
    case 'batch':
      return <BatchItem by={by} environment={environment} />;
    case 'recurring':
      return (
        <Link to={by.href} title={`${by.title}: the Recurring jobs page`}>
          {by.text}
        </Link>
      );
  }
}

/**
 * "item 3 of batch …1a2b3c4d", then "4 items in all; the batch is running": the batch's size and
 * state come from the Scheduler's list of recent batches (when the batch is still among them); the
 * link goes to that list.
 */
function BatchItem({ by, environment }: { by: Extract<ScheduledByView, { kind: 'batch' }>; environment: RunDetail['environment'] }) {
  const trpc = useTRPC();
  const batches = useQuery(trpc.scheduler.batches.queryOptions({ environment, limit: 100 }, { staleTime: 30_000, retry: false }));
  const batch = batches.data?.batches.find((b) => b.id === by.batchId);
  const link = (
    <Link to={by.href} className="nowrap" title={`${by.title}. Batches are listed on the Scheduler page.`}>
      batch <span className="mono">{shortId(by.batchId)}</span>
    </Link>
  );
  return (
    <>
      <span>
        {by.item === null ? 'the end of' : `item ${by.item} of`} {link}
      </span>
      {batch && (
        <span className="fact-note">
          {plural(batch.total, 'item')} in all; {BATCH_STATES[batch.status]}
        </span>
      )}
    </>
  );
}

const BATCH_STATES = { running: 'the batch is running', finished: 'the batch has finished', cancelled: 'the batch was cancelled' } as const;

type CancelMutation = ReturnType<typeof useCancelRun>;

/**
 * Cancels a run that has not started (`scheduler.cancel`). While the request is out the page shows
 * the run as cancelled (RunDetailPage reads `isPending`); once the server agrees the cached run says
 * so until it is read again; if it refuses (the run started meanwhile) the page shows why.
 */
export function useCancelRun(run: Pick<RunDetail, 'id' | 'environment' | 'workflowName' | 'runAt'>, by: string) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const key = trpc.run.byId.queryKey({ id: run.id });
  return useMutation(
    trpc.scheduler.cancel.mutationOptions({
      onSuccess: async () => {
        await queryClient.cancelQueries({ queryKey: key });
        queryClient.setQueryData(key, (old) => (old ? cancelledView(old, by) : old));
        toast.success(`Cancelled the run of ${run.workflowName} due ${formatAbsolute(run.runAt)}`);
      },
      onSettled: () => {
        void queryClient.invalidateQueries({ queryKey: key });
        void queryClient.invalidateQueries({ queryKey: trpc.scheduler.pathKey() });
      },
    }),
  );
}

/** The run as it is once cancelled by `by` (the words the server records). */
export function cancelledView<T extends Pick<RunDetail, 'status' | 'error'>>(run: T, by: string): T {
  return { ...run, status: 'cancelled', error: `Cancelled by ${by}` };
}

/** Confirms cancelling: the run will not start. Confirming closes it at once; the page shows the outcome. */
export function CancelRunDialog({
  run,
  now,
  cancel,
  onClose,
}: {
  run: Pick<RunDetail, 'id' | 'environment' | 'workflowName' | 'runAt' | 'batchId'>;
  now: number;
  cancel: CancelMutation;
  onClose: () => void;
}) {
  const due = run.runAt.getTime() > now;
  return (
    <Dialog
      title="Cancel this run?"
      onClose={onClose}
      onSubmit={() => {
        cancel.mutate({ environment: run.environment, runId: run.id });
        onClose();
      }}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Keep it
          </button>
          <button type="submit" className="btn btn-danger">
            Cancel run
          </button>
        </>
      }
    >
      <p>
        The run of <span className="mono">{run.workflowName}</span>{' '}
        {due ? (
          <>
            due {formatAbsolute(run.runAt)} ({formatRelative(run.runAt, now)})
          </>
        ) : (
          <>waiting to start</>
        )}{' '}
        will not start.{run.batchId ? ' It counts as cancelled in its batch.' : ''} This cannot be undone.
      </p>
    </Dialog>
  );
}

/** Why the server refused to cancel, under the header. */
export function CancelError({ cancel }: { cancel: CancelMutation }) {
  if (!cancel.isError) return null;
  return (
    <div className="alert run-cancel-error" role="alert">
      <span>
        <strong>Could not cancel this run:</strong> {errorMessage(cancel.error)}
      </span>
      <button type="button" className="btn btn-xs btn-ghost" onClick={() => cancel.reset()}>
        Dismiss
      </button>
    </div>
  );
}
