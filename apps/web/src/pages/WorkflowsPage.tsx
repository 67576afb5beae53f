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

type WorkflowRow = RouterOutputs['workflow']['list'][number];

type DialogState = { kind: 'new' } | { kind: 'rename'; workflow: WorkflowRow } | { kind: 'delete'; workflow: WorkflowRow } | null;

export function WorkflowsPage() {
  const trpc = useTRPC();
  const user = useCurrentUser();
  const editable = canEdit(user);
  const navigate = useNavigate();
  const list = useQuery(trpc.workflow.list.queryOptions());
  const release = useQuery(trpc.release.latest.queryOptions());
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
        {list.data && list.data.length > 0 && newButton}
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
                  <td className="muted">
                    <RelativeTime date={workflow.updatedAt} />
                  </td>
                  <td className="col-actions">
                    <div className="row-actions">
                      {editable && (
                        <>
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

      {dialog?.kind === 'new' && <WorkflowDialog onClose={close} />}
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

function DeleteDialog({ workflow, onClose }: { workflow: WorkflowRow; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const remove = useMutation(
    trpc.workflow.delete.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.workflow.pathKey() });
        toast.success(`Deleted ${workflow.name}`);
        onClose();
      },
    }),
  );
  return (
    <Dialog
      title={`Delete ${workflow.name}?`}
      onClose={onClose}
      onSubmit={() => remove.mutate({ id: workflow.id })}
      busy={remove.isPending}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose} disabled={remove.isPending}>
            Cancel
          </button>
          <button type="submit" className="btn btn-danger" disabled={remove.isPending}>
            {remove.isPending ? 'Deleting…' : 'Delete workflow'}
          </button>
        </>
      }
    >
      <p>
        The workflow <strong className="mono">{workflow.name}</strong>
        {workflow.label ? ` (${workflow.label})` : ''} and its draft will be deleted. This cannot be undone.
      </p>
      {remove.isError && <Alert>{errorMessage(remove.error)}</Alert>}
    </Dialog>
  );
}
