import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { errorMessage, useTRPC } from '../../api/trpc.ts';
import { Alert, Dialog } from '../../components/ui.tsx';
import type { Environment } from '../../lib/runs.ts';
import { formatCount } from '../../lib/scheduler.ts';

/**
 * "Cancel all…": every pending run of the environment is cancelled. The admin types the
 * environment's name to confirm (the button waits for it, and the server checks it again); the
 * dialog then says how many runs were cancelled.
 */
export function CancelAllDialog({
  environment,
  label,
  pending,
  onClose,
}: {
  environment: Environment;
  label: string;
  /** Pending runs when the dialog opened (the count may change until the cancel runs). */
  pending: number;
  onClose: () => void;
}) {
  const id = useId();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [typed, setTyped] = useState('');
  const cancelAll = useMutation(
    trpc.scheduler.cancelAll.mutationOptions({
      onSettled: () => void queryClient.invalidateQueries({ queryKey: trpc.scheduler.pathKey() }),
    }),
  );
  const matches = typed.trim() === environment;
  const busy = cancelAll.isPending;

  if (cancelAll.isSuccess) {
    const { cancelled } = cancelAll.data;
    return (
      <Dialog
        title={`Cancelled all pending runs in ${label}`}
        onClose={onClose}
        onSubmit={onClose}
        footer={
          <button type="submit" className="btn btn-primary" autoFocus>
            Close
          </button>
        }
      >
        <p role="status" data-testid="cancel-all-result">
          {cancelled === 0 ? 'There was nothing to cancel.' : `Cancelled ${formatCount(cancelled)} ${cancelled === 1 ? 'run' : 'runs'}.`}
        </p>
      </Dialog>
    );
  }

  return (
    <Dialog
      title={`Cancel every pending run in ${label}?`}
      onClose={onClose}
      busy={busy}
      onSubmit={() => {
        if (matches && !busy) cancelAll.mutate({ environment, confirm: environment });
      }}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose} disabled={busy}>
            Keep them
          </button>
          <button type="submit" className="btn btn-danger" disabled={!matches || busy}>
            {busy ? 'Cancelling…' : 'Cancel all pending runs'}
          </button>
        </>
      }
    >
      <p>
        {pending === 0 ? (
          <>There are no pending runs in {label} right now.</>
        ) : (
          <>
            The <strong>{formatCount(pending)}</strong> {pending === 1 ? 'run' : 'runs'} waiting in {label} will be cancelled, and running batches stop
            making new ones.
          </>
        )}{' '}
        Runs already running go on. This cannot be undone.
      </p>
      <div className="field">
        <label htmlFor={id} className="field-label">
          Type <code>{environment}</code> to confirm
        </label>
        <input
          id={id}
          className="mono"
          value={typed}
          autoComplete="off"
          spellCheck={false}
          autoFocus
          disabled={busy}
          onChange={(event) => setTyped(event.target.value)}
        />
      </div>
      {cancelAll.isError && <Alert>Could not cancel: {errorMessage(cancelAll.error)}</Alert>}
    </Dialog>
  );
}
