import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage, useTRPC } from '../api/trpc.ts';
import { useCurrentUser } from '../auth.tsx';
import { toast } from '../components/toast.tsx';
import { Badge, EmptyState, ErrorState, LoadingBlock, RelativeTime } from '../components/ui.tsx';
import { useDocumentTitle } from '../lib/useDocumentTitle.ts';
import { type Role, ROLE_LABELS, STATUS_TONES, type UserRow, statusLabel } from './users/people.ts';
import { ConfirmDisableDialog, InviteDialog, LinkDialog, type ShownLink, SetPasswordDialog } from './users/UserDialogs.tsx';
import { LockoutsSection } from './users/LockoutsSection.tsx';

type DialogState =
  | { kind: 'invite' }
  | { kind: 'link'; link: ShownLink }
  | { kind: 'password'; user: UserRow }
  | { kind: 'disable'; user: UserRow }
  | null;

/**
 * People (admins only): every account with its role, status and last sign-in; invite by email
 * (a one-time link shown once, to pass on), change a role, disable or enable, set a password or
 * make a reset link. The server refuses what would leave no active admin, and says so.
 */
export function UsersPage() {
  const user = useCurrentUser();
  useDocumentTitle('Users');
  if (user.role !== 'admin') {
    return (
      <div className="page">
        <EmptyState title="Admins only">Only admins manage accounts. Ask an admin to invite someone or change a role.</EmptyState>
      </div>
    );
  }
  return <UsersList />;
}

function UsersList() {
  const trpc = useTRPC();
  const me = useCurrentUser();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.users.list.queryOptions());
  const [dialog, setDialog] = useState<DialogState>(null);
  const close = () => setDialog(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.users.list.queryKey() });

  const changeRole = useMutation(
    trpc.users.changeRole.mutationOptions({
      onSuccess: (_, input) => {
        void refresh();
        const changed = list.data?.find((u) => u.id === input.userId);
        toast.success(`${changed?.email ?? 'The account'} is now ${ROLE_LABELS[input.role].toLowerCase()}`);
      },
      onError: (error) => toast.error(errorMessage(error)),
    }),
  );
  const enable = useMutation(
    trpc.users.enable.mutationOptions({
      onSuccess: (result) => {
        void refresh();
        toast.success(result.status === 'invited' ? 'Enabled: the account is invited again; make a new link for it' : 'Account enabled');
      },
      onError: (error) => toast.error(errorMessage(error)),
    }),
  );
  const createLink = useMutation(
    trpc.users.createLink.mutationOptions({
      onSuccess: (link, input) => {
        void refresh();
        const email = list.data?.find((u) => u.id === input.userId)?.email ?? '';
        setDialog({ kind: 'link', link: { ...link, email } });
      },
      onError: (error) => toast.error(errorMessage(error)),
    }),
  );

  const inviteButton = (
    <button type="button" className="btn btn-primary" onClick={() => setDialog({ kind: 'invite' })}>
      Invite someone
    </button>
  );

  return (
    <div className="page page-wide users-page">
      <div className="page-header">
        <div>
          <h1>Users</h1>
          <p className="page-subtitle">Accounts that sign in to Switchyard. Admins manage people and scheduled work; builders change and deploy workflows; viewers look.</p>
        </div>
        {inviteButton}
      </div>

      {list.isPending ? (
        <LoadingBlock label="Loading accounts…" />
      ) : list.isError ? (
        <ErrorState title="Could not load accounts" error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <>
          <UsersTable
            users={list.data}
            meId={me.id}
            busy={changeRole.isPending}
            onRole={(u, role) => changeRole.mutate({ userId: u.id, role })}
            onAction={(kind, u) =>
              kind === 'enable' ? enable.mutate({ userId: u.id }) : kind === 'link' ? createLink.mutate({ userId: u.id }) : setDialog({ kind, user: u })
            }
          />
          {list.data.length === 1 && (
            <p className="note" role="note">
              Nobody else has an account yet. Invite the people who build workflows or watch runs: each gets a one-time link to set their own
              password.
            </p>
          )}
        </>
      )}

      {dialog?.kind === 'invite' && (
        <InviteDialog
          onClose={close}
          onInvited={(link) => {
            void refresh();
            setDialog({ kind: 'link', link });
          }}
        />
      )}
      <LockoutsSection />
      {dialog?.kind === 'link' && <LinkDialog link={dialog.link} onClose={close} />}
      {dialog?.kind === 'password' && <SetPasswordDialog user={dialog.user} onClose={close} onDone={() => void refresh()} />}
      {dialog?.kind === 'disable' && <ConfirmDisableDialog user={dialog.user} onClose={close} onDone={() => void refresh()} />}
    </div>
  );
}

type RowAction = 'password' | 'disable' | 'enable' | 'link';

function UsersTable({
  users,
  meId,
  busy,
  onRole,
  onAction,
}: {
  users: UserRow[];
  meId: string;
  busy: boolean;
  onRole: (user: UserRow, role: Role) => void;
  onAction: (kind: RowAction, user: UserRow) => void;
}) {
  return (
    <div className="card table-card users-table-card">
      <table className="table users-table">
        <thead>
          <tr>
            <th scope="col">Email</th>
            <th scope="col">Role</th>
            <th scope="col">Status</th>
            <th scope="col">Created</th>
            <th scope="col">Last sign-in</th>
            <th scope="col" className="col-actions">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.id} data-user-id={u.id} className="user-row">
              <td className="cell-email">
                <span className="user-email-text" title={u.email}>
                  {u.email}
                </span>
                {u.id === meId && <span className="muted small"> (you)</span>}
              </td>
              <td>
                <select
                  aria-label={`Role of ${u.email}`}
                  value={u.role}
                  disabled={busy}
                  onChange={(e) => onRole(u, e.target.value as Role)}
                >
                  {(Object.keys(ROLE_LABELS) as Role[]).map((role) => (
                    <option key={role} value={role}>
                      {ROLE_LABELS[role]}
                    </option>
                  ))}
                </select>
              </td>
              <td>
                <Badge tone={STATUS_TONES[u.status]} title={u.pendingLink ? `Link valid until ${u.pendingLink.expiresAt.toLocaleString()}` : undefined}>
                  {statusLabel(u)}
                </Badge>
              </td>
              <td className="muted cell-date">
                <RelativeTime date={u.createdAt} />
              </td>
              <td className="muted cell-date">{u.lastSignInAt ? <RelativeTime date={u.lastSignInAt} /> : 'Never'}</td>
              <td className="col-actions">
                <div className="row-actions">
                  {u.status === 'disabled' ? (
                    <button type="button" className="btn btn-sm btn-ghost" onClick={() => onAction('enable', u)}>
                      Enable<span className="visually-hidden"> {u.email}</span>
                    </button>
                  ) : (
                    <>
                      <button type="button" className="btn btn-sm btn-ghost" onClick={() => onAction('link', u)}>
                        {u.status === 'invited' ? 'New link' : 'Reset link'}
                        <span className="visually-hidden"> for {u.email}</span>
                      </button>
                      <button type="button" className="btn btn-sm btn-ghost" onClick={() => onAction('password', u)}>
                        Set password<span className="visually-hidden"> of {u.email}</span>
                      </button>
                      <button type="button" className="btn btn-sm btn-ghost btn-danger-text" onClick={() => onAction('disable', u)}>
                        Disable<span className="visually-hidden"> {u.email}</span>
                      </button>
                    </>
                  )}
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
