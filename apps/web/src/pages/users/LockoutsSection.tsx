import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { errorMessage, useTRPC } from '../../api/trpc.ts';
import { toast } from '../../components/toast.tsx';
import { formatAbsolute, plural } from '../../lib/format.ts';

/**
 * Sign-in delays: accounts that failed to sign in from an address often enough to wait before the
 * next try (they never block other addresses). An admin clears an account's delays once its owner
 * is known to be the one trying. Shown only when there is something to show.
 */
export function LockoutsSection() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const lockouts = useQuery(trpc.lockout.list.queryOptions(undefined, { refetchInterval: 30_000 }));
  const unlock = useMutation(
    trpc.lockout.unlock.mutationOptions({
      onSuccess: (result) => {
        toast.success(`${result.email} can sign in again (${plural(result.addressesCleared, 'address', 'addresses')} cleared)`);
        void queryClient.invalidateQueries({ queryKey: trpc.lockout.list.queryKey() });
      },
      onError: (error) => toast.error(`Could not clear the delays: ${errorMessage(error)}`),
    }),
  );
  const rows = lockouts.data?.lockouts ?? [];
  if (rows.length === 0) return null;
  return (
    <section className="card table-card lockouts" aria-labelledby="lockouts-title">
      <h2 id="lockouts-title" className="lockouts-title">
        Sign-in delays
      </h2>
      <p className="muted small lockouts-hint">
        After failed sign-ins from one address, that address waits longer before each next try for that account. Other addresses are never held up.
      </p>
      <div className="table-scroll">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Account</th>
              <th scope="col">From</th>
              <th scope="col">Failures</th>
              <th scope="col">Waits until</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={`${row.email}|${row.address}`}>
                <td>{row.email}</td>
                <td>
                  <code>{row.address}</code>
                </td>
                <td>{row.failures}</td>
                <td>
                  <time dateTime={new Date(row.blockedUntil).toISOString()}>{formatAbsolute(new Date(row.blockedUntil))}</time>
                </td>
                <td className="table-actions">
                  {row.userId && (
                    <button type="button" className="btn btn-sm" disabled={unlock.isPending} onClick={() => unlock.mutate({ userId: row.userId! })}>
                      Clear delays<span className="visually-hidden"> of {row.email}</span>
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
