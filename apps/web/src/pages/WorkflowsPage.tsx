import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { WorkflowLabel, WorkflowName } from '@switchyard/workflow';
import { useId, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { errorCode, errorMessage, useTRPC } from '../api/trpc.ts';
import type { RouterOutputs } from '../api/types.ts';
import { canEdit, useCurrentUser } from '../auth.tsx';
import { toast } from '../components/toast.tsx';
import { Alert, Badge, Dialog, EmptyState, ErrorState, Field, LoadingBlock, RelativeTime } from '../components/ui.tsx';
import { plural } from '../lib/format.ts';
import { useDocumentTitle } from '../lib/useDocumentTitle.ts';
import { DeployDialog, TakeOffDialog, useInvalidateLive } from './releases/DeployDialog.tsx';
import { LiveBadge } from './releases/LiveBadge.tsx';
import './releases/releases.css';

type WorkflowRow = RouterOutputs['workflow']['list'][number];

type DeletedLive = RouterOutputs['release']['deletedButLive'][number];

type DialogState =
  | { kind: 'new' }
  | { kind: 'rename'; workflow: WorkflowRow }
  | { kind: 'delete'; workflow: WorkflowRow }
  | { kind: 'deploy'; workflow?: WorkflowRow }
  | { kind: 'takeOff'; workflow: DeletedLive }
  | null;

export function WorkflowsPage() {
  const trpc = useTRPC();
  const user = useCurrentUser();
  const editable = canEdit(user);
  const navigate = useNavigate();
  const list = useQuery(trpc.workflow.list.queryOptions());
  const release = useQuery(trpc.release.latest.queryOptions());
  const deletedLive = useQuery(trpc.release.deletedButLive.queryOptions());
  useDocumentTitle('Workflows');
  const [dialog, setDialog] = useState<DialogState>(null);
  const close = () => setDialog(null);

  const newButton = editable && (
    <button type="button" className="btn btn-primary" onClick={() => setDialog({ kind: 'new' })}>
      New workflow
    </button>
  );

  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>Workflows</h1>
          <p className="page-subtitle">
            Backend workflows called through their API endpoints.{' '}
            {release.data ? (
              <>
                Live: release #{release.data.number}, deployed <RelativeTime date={release.data.createdAt} />.
              </>
            ) : release.data === null ? (
              'Nothing deployed yet.'
            ) : null}
          </p>
        </div>
        <div className="page-header-actions">
          <Link to="/releases" className="btn">
            Releases
          </Link>
          {editable && list.data && list.data.length > 0 && (
            <button type="button" className="btn" onClick={() => setDialog({ kind: 'deploy' })}>
              Deploy all…
            </button>
          )}
          {list.data && list.data.length > 0 && newButton}
        </div>
      </div>

      {list.isPending ? (
        <LoadingBlock label="Loading workflows…" />
      ) : list.isError ? (
        <ErrorState title="Could not load workflows" error={list.error} onRetry={() => void list.refetch()} />
      ) : list.data.length === 0 ? (
        <EmptyState
          title="No workflows yet"
          action={newButton}
        >
          {editable
            ? 'A workflow is an API endpoint with typed parameters and a chain of actions. Create your first one to get started.'
            : 'Nobody has created a workflow yet. Ask a builder or an admin to create one.'}
        </EmptyState>
      ) : (
        <div className="card table-card">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Label</th>
                <th scope="col">Status</th>
                <th scope="col">Live</th>
                <th scope="col">Updated</th>
                <th scope="col" className="col-actions">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((workflow) => (
                <tr
                  key={workflow.id}
                  className="row-link"
                  onClick={(event) => {
                    if ((event.target as HTMLElement).closest('a,button')) return;
                    void navigate(`/workflows/${workflow.id}`);
                  }}
                >
                  <td>
                    <Link to={`/workflows/${workflow.id}`} className="mono strong-link">
                      {workflow.name}
                    </Link>
                  </td>
                  <td className="muted">{workflow.label || '—'}</td>
                  <td>
                    {workflow.errorCount > 0 ? (
                      <Badge tone="danger">{plural(workflow.errorCount, 'error')}</Badge>
                    ) : (
                      <Badge tone="success">Ready</Badge>
                    )}
                  </td>
                  <td data-testid="live-state">
                    <LiveBadge live={workflow.live} name={workflow.name} />
                  </td>
                  <td className="muted">
                    <RelativeTime date={workflow.updatedAt} />
                  </td>
                  <td className="col-actions">
                    <div className="row-actions">
                      {editable && (
                        <>
                          {workflow.live.state !== 'deployed' && workflow.errorCount === 0 && (
                            <button type="button" className="btn btn-sm btn-ghost" onClick={() => setDialog({ kind: 'deploy', workflow })}>
                              Deploy…<span className="visually-hidden"> {workflow.name}</span>
                            </button>
                          )}
                          <button
                            type="button"
                            className="btn btn-sm btn-ghost"
                            onClick={() => setDialog({ kind: 'rename', workflow })}
                          >
                            Rename<span className="visually-hidden"> {workflow.name}</span>
                          </button>
                          <button
                            type="button"
                            className="btn btn-sm btn-ghost btn-danger-text"
                            onClick={() => setDialog({ kind: 'delete', workflow })}
                          >
                            Delete<span className="visually-hidden"> {workflow.name}</span>
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
      )}

      {deletedLive.data && deletedLive.data.length > 0 && (
        <section className="deleted-live" aria-labelledby="deleted-live-title">
          <h2 id="deleted-live-title">Deleted but still live</h2>
          <p className="muted small">These workflows were deleted and left live: their live endpoints still answer until they are taken off live or all workflows are deployed.</p>
          <div className="card table-card">
            <table className="table">
              <tbody>
                {deletedLive.data.map((entry) => (
                  <tr key={entry.workflowId} data-workflow-id={entry.workflowId}>
                    <td className="mono">{entry.name}</td>
                    <td>
                      <Badge tone="warning">Deleted · live in #{entry.releaseNumber}</Badge>
                    </td>
                    <td className="col-actions">
                      {editable && (
                        <button type="button" className="btn btn-sm btn-danger-text btn-ghost" onClick={() => setDialog({ kind: 'takeOff', workflow: entry })}>
                          Take off live…<span className="visually-hidden"> {entry.name}</span>
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}

      {dialog?.kind === 'new' && <WorkflowDialog onClose={close} />}
      {dialog?.kind === 'deploy' && <DeployDialog {...(dialog.workflow && { workflow: dialog.workflow })} onClose={close} />}
      {dialog?.kind === 'takeOff' && <TakeOffDialog workflow={dialog.workflow} onClose={close} />}
      {dialog?.kind === 'rename' && <WorkflowDialog workflow={dialog.workflow} onClose={close} />}
      {dialog?.kind === 'delete' && <DeleteDialog workflow={dialog.workflow} onClose={close} />}
    </div>
  );
}

function firstIssue(result: { success: boolean; error?: { issues: { message: string }[] } }): string | null {
  return result.success ? null : (result.error?.issues[0]?.message ?? 'Invalid value');
}

/** Creates a workflow, or renames one when `workflow` is given. */
function WorkflowDialog({ workflow, onClose }: { workflow?: WorkflowRow; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const nameId = useId();
  const labelId = useId();
  const [name, setName] = useState(workflow?.name ?? '');
  const [label, setLabel] = useState(workflow?.label ?? '');
  const [touched, setTouched] = useState(false);

  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.workflow.pathKey() });
  const create = useMutation(
    trpc.workflow.create.mutationOptions({
      onSuccess: (created) => {
        void invalidate();
        onClose();
        void navigate(`/workflows/${created.id}`);
      },
    }),
  );
  const rename = useMutation(
    trpc.workflow.rename.mutationOptions({
      onSuccess: (renamed) => {
        void invalidate();
        toast.success(`Renamed to ${renamed.name}`);
        onClose();
      },
    }),
  );
  const mutation = workflow ? rename : create;

  const nameError = touched || name !== '' ? firstIssue(WorkflowName.safeParse(name)) : null;
  const labelError = firstIssue(WorkflowLabel.safeParse(label));
  const conflict = mutation.isError && errorCode(mutation.error) === 'CONFLICT';

  const submit = () => {
    setTouched(true);
    if (firstIssue(WorkflowName.safeParse(name)) || labelError) return;
    if (workflow) rename.mutate({ id: workflow.id, name, label: label.trim() });
    else create.mutate({ name, label: label.trim() });
  };

  return (
    <Dialog
      title={workflow ? `Rename ${workflow.name}` : 'New workflow'}
      onClose={onClose}
      onSubmit={submit}
      busy={mutation.isPending}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose} disabled={mutation.isPending}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={mutation.isPending}>
            {workflow ? (mutation.isPending ? 'Saving…' : 'Save') : mutation.isPending ? 'Creating…' : 'Create workflow'}
          </button>
        </>
      }
    >
      <Field
        label="Name"
        htmlFor={nameId}
        error={nameError ?? (conflict ? `A workflow called "${name}" already exists` : null)}
        hint={
          <>
            Used in the endpoint URL: <code>/api/1.1/wf/{name || 'name'}</code>
          </>
        }
      >
        <input
          id={nameId}
          className="mono"
          autoFocus
          autoComplete="off"
          spellCheck={false}
          placeholder="send-welcome-email"
          value={name}
          onChange={(e) => {
            setName(e.target.value);
            if (mutation.isError) mutation.reset();
          }}
          onBlur={() => setTouched(true)}
          aria-invalid={nameError ? true : undefined}
        />
      </Field>
      <Field label="Label" htmlFor={labelId} error={labelError} hint="A short description shown in lists.">
        <input
          id={labelId}
          autoComplete="off"
          placeholder="Send the welcome email"
          value={label}
          onChange={(e) => setLabel(e.target.value)}
        />
      </Field>
      {workflow && name !== workflow.name && (
        <p className="note">Callers of the old endpoint URL must switch to the new one after the next deploy.</p>
      )}
      {mutation.isError && !conflict && <Alert>{errorMessage(mutation.error)}</Alert>}
    </Dialog>
  );
}

/**
 * Deleting asks, for a live workflow, whether to take it off live now (a new release without it,
 * in the same transaction) or leave it live until the next deploy of all workflows.
 */
function DeleteDialog({ workflow, onClose }: { workflow: WorkflowRow; onClose: () => void }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateLive();
  const live = workflow.live.state !== 'never';
  const [choice, setChoice] = useState<'takeOff' | 'leave' | null>(null);
  const remove = useMutation(
    trpc.workflow.delete.mutationOptions({
      onSuccess: (result) => {
        invalidate();
        toast.success(
          result.release !== null
            ? `Deleted ${workflow.name} and took it off live (release #${result.release})`
            : result.stillLive
              ? `Deleted ${workflow.name}; it stays live until the next deploy of all workflows`
              : `Deleted ${workflow.name}`,
        );
        onClose();
      },
    }),
  );
  const ready = !live || choice !== null;
  return (
    <Dialog
      title={`Delete ${workflow.name}?`}
      onClose={onClose}
      onSubmit={() => ready && remove.mutate({ id: workflow.id, takeOffLive: choice === 'takeOff' })}
      busy={remove.isPending}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose} disabled={remove.isPending}>
            Cancel
          </button>
          <button type="submit" className="btn btn-danger" disabled={remove.isPending || !ready}>
            {remove.isPending ? 'Deleting…' : 'Delete workflow'}
          </button>
        </>
      }
    >
      <p>
        The workflow <strong className="mono">{workflow.name}</strong>
        {workflow.label ? ` (${workflow.label})` : ''} and its draft will be deleted. This cannot be undone.
      </p>
      {live && (
        <fieldset className="choice-group">
          <legend>It is live (release #{workflow.live.releaseNumber}). Its live endpoint…</legend>
          <label className="choice">
            <input type="radio" name="live-choice" checked={choice === 'takeOff'} onChange={() => setChoice('takeOff')} />
            <span>Take it off live now: a new release without it, and its live endpoint answers 404</span>
          </label>
          <label className="choice">
            <input type="radio" name="live-choice" checked={choice === 'leave'} onChange={() => setChoice('leave')} />
            <span>Leave it live until the next deploy of all workflows</span>
          </label>
        </fieldset>
      )}
      {remove.isError && <Alert>{errorMessage(remove.error)}</Alert>}
    </Dialog>
  );
}
