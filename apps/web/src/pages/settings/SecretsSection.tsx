import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { SecretName, SecretValue } from '@switchyard/workflow';
import { useId, useState } from 'react';
import { Link } from 'react-router';
import { errorCode, errorMessage, useTRPC } from '../../api/trpc.ts';
import type { RouterOutputs } from '../../api/types.ts';
import { canEdit, useCurrentUser } from '../../auth.tsx';
import { toast } from '../../components/toast.tsx';
import { Alert, Badge, CopyButton, Dialog, EmptyState, ErrorState, Field, LoadingBlock, RelativeTime } from '../../components/ui.tsx';
import './secrets.css';

type SecretRow = RouterOutputs['secrets']['list'][number];
type Revealed = RouterOutputs['secrets']['create'];

type DialogState =
  | { kind: 'new' }
  | { kind: 'rotate'; secret: SecretRow }
  | { kind: 'delete'; secret: SecretRow }
  | { kind: 'reveal'; revealed: Revealed; rotated: boolean }
  | null;

/**
 * Settings › Signing secrets: the secrets webhook senders sign their calls with. Values are stored
 * encrypted and shown once, right after they are created or rotated; the list shows names, who made
 * them, and which workflows check signatures with each. Builders and admins create and rotate;
 * only admins delete. Viewers see a note (the server refuses them the list).
 */
export function SecretsSection() {
  const user = useCurrentUser();
  const headingId = useId();
  return (
    <section className="secrets-section" aria-labelledby={headingId}>
      <h2 id={headingId} className="secrets-title">
        Signing secrets
      </h2>
      <p className="secrets-intro">
        Webhook senders (Stripe, GitHub, anything that follows Standard Webhooks) sign each call with a secret you share with
        them. Workflows choose which secrets their endpoint accepts. Values are stored encrypted and shown only once.
      </p>
      {canEdit(user) ? <SecretsList admin={user.role === 'admin'} /> : <p className="section-empty">Only builders and admins see signing secrets.</p>}
    </section>
  );
}

function SecretsList({ admin }: { admin: boolean }) {
  const trpc = useTRPC();
  const list = useQuery(trpc.secrets.list.queryOptions());
  const [dialog, setDialog] = useState<DialogState>(null);
  const close = () => setDialog(null);
  const newButton = (
    <button type="button" className="btn btn-primary" onClick={() => setDialog({ kind: 'new' })}>
      New secret
    </button>
  );

  return (
    <>
      {list.isPending ? (
        <LoadingBlock label="Loading secrets…" />
      ) : list.isError ? (
        <ErrorState title="Could not load the secrets" error={list.error} onRetry={() => void list.refetch()} />
      ) : list.data.length === 0 ? (
        <EmptyState title="No signing secrets yet" action={newButton}>
          Create one for each webhook sender: paste the secret it shows you, or generate one here and paste it there.
        </EmptyState>
      ) : (
        <>
          <div className="secrets-toolbar">{newButton}</div>
          <div className="card table-card secrets-table-wrap">
            <table className="table secrets-table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Used by</th>
                  <th scope="col" className="col-dates">
                    Created
                  </th>
                  <th scope="col" className="col-dates">
                    Value set
                  </th>
                  <th scope="col" className="col-actions">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.data.map((secret) => (
                  <tr key={secret.id} data-secret-id={secret.id}>
                    <td className="secret-name">{secret.name}</td>
                    <td>
                      {secret.usedBy.length === 0 ? (
                        <span className="muted nowrap">No workflow</span>
                      ) : (
                        <ul className="secret-users">
                          {secret.usedBy.map((workflow) => (
                            <li key={workflow.id}>
                              <Link to={`/workflows/${workflow.id}`} className="mono">
                                {workflow.name}
                              </Link>
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                    <td className="muted col-dates">
                      <span className="nowrap">
                        <RelativeTime date={secret.createdAt} />
                      </span>
                      <span className="secret-by" title={secret.createdBy}>
                        by {secret.createdBy}
                      </span>
                    </td>
                    <td className="muted col-dates nowrap">
                      <RelativeTime date={secret.updatedAt} />
                    </td>
                    <td className="col-actions">
                      <div className="row-actions">
                        <button type="button" className="btn btn-sm btn-ghost" onClick={() => setDialog({ kind: 'rotate', secret })}>
                          Rotate<span className="visually-hidden"> {secret.name}</span>
                        </button>
                        {admin && (
                          <button type="button" className="btn btn-sm btn-ghost btn-danger-text" onClick={() => setDialog({ kind: 'delete', secret })}>
                            Delete<span className="visually-hidden"> {secret.name}</span>
                          </button>
                        )}
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}

      {dialog?.kind === 'new' && <SecretValueDialog onClose={close} onDone={(revealed) => setDialog({ kind: 'reveal', revealed, rotated: false })} />}
      {dialog?.kind === 'rotate' && (
        <SecretValueDialog secret={dialog.secret} onClose={close} onDone={(revealed) => setDialog({ kind: 'reveal', revealed, rotated: true })} />
      )}
      {dialog?.kind === 'delete' && <DeleteSecretDialog secret={dialog.secret} onClose={close} />}
      {dialog?.kind === 'reveal' && <RevealOnceDialog revealed={dialog.revealed} rotated={dialog.rotated} onClose={close} />}
    </>
  );
}

const firstIssue = (result: { success: boolean; error?: { issues: { message: string }[] } }) =>
  result.success ? null : (result.error?.issues[0]?.message ?? 'Invalid value');

/** Creates a secret, or rotates `secret`: a name (new only), then "generate" or "paste a value". */
function SecretValueDialog({ secret, onClose, onDone }: { secret?: SecretRow; onClose: () => void; onDone: (revealed: Revealed) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const nameId = useId();
  const valueId = useId();
  const sourceName = useId();
  const [name, setName] = useState('');
  const [source, setSource] = useState<'generate' | 'paste'>('generate');
  const [value, setValue] = useState('');
  const [submitted, setSubmitted] = useState(false);

  const onSuccess = (revealed: Revealed) => {
    void queryClient.invalidateQueries({ queryKey: trpc.secrets.pathKey() });
    onDone(revealed);
  };
  const create = useMutation(trpc.secrets.create.mutationOptions({ onSuccess }));
  const rotate = useMutation(trpc.secrets.rotate.mutationOptions({ onSuccess }));
  const mutation = secret ? rotate : create;

  const nameError = !secret && (submitted || name !== '') ? firstIssue(SecretName.safeParse(name)) : null;
  const valueError = source === 'paste' && (submitted || value !== '') ? firstIssue(SecretValue.safeParse(value)) : null;
  const conflict = mutation.isError && errorCode(mutation.error) === 'CONFLICT';

  const submit = () => {
    setSubmitted(true);
    if ((!secret && firstIssue(SecretName.safeParse(name))) || (source === 'paste' && firstIssue(SecretValue.safeParse(value)))) return;
    const given = source === 'paste' ? { value } : {};
    if (secret) rotate.mutate({ id: secret.id, ...given });
    else create.mutate({ name, purpose: 'signing', ...given });
  };

  return (
    <Dialog
      title={secret ? `Rotate ${secret.name}` : 'New signing secret'}
      onClose={onClose}
      onSubmit={submit}
      busy={mutation.isPending}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose} disabled={mutation.isPending}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={mutation.isPending}>
            {secret ? (mutation.isPending ? 'Rotating…' : 'Rotate secret') : mutation.isPending ? 'Creating…' : 'Create secret'}
          </button>
        </>
      }
    >
      {secret ? (
        <p className="secret-dialog-text">
          The new value replaces the current one at once
          {secret.usedBy.length > 0 ? <> for {secret.usedBy.map((w) => w.name).join(', ')}</> : null}: calls signed with the old
          value are refused from then on. For a rotation without refused calls, create a second secret, let the workflow accept
          both, then remove the old one.
        </p>
      ) : (
        <Field
          label="Name"
          htmlFor={nameId}
          error={nameError ?? (conflict ? `A secret called "${name.trim()}" already exists` : null)}
          hint="Shown to builders when they choose the secrets a workflow accepts."
        >
          <input
            id={nameId}
            autoFocus
            autoComplete="off"
            placeholder="Stripe live endpoint"
            value={name}
            onChange={(e) => {
              setName(e.target.value);
              if (mutation.isError) mutation.reset();
            }}
            aria-invalid={nameError ? true : undefined}
          />
        </Field>
      )}
      <fieldset className="secret-source">
        <legend className="field-label">Value</legend>
        <label className="secret-radio">
          <input type="radio" name={sourceName} checked={source === 'generate'} onChange={() => setSource('generate')} />
          <span>
            Generate a new secret
            <span className="secret-radio-hint">
              <code>whsec_</code> and 24 random bytes: paste it into the sender's settings.
            </span>
          </span>
        </label>
        <label className="secret-radio">
          <input type="radio" name={sourceName} checked={source === 'paste'} onChange={() => setSource('paste')} />
          <span>
            Paste a value
            <span className="secret-radio-hint">The signing secret the sender shows you (Stripe and Svix: whsec_…).</span>
          </span>
        </label>
      </fieldset>
      {source === 'paste' && (
        <Field label="Secret value" htmlFor={valueId} error={valueError}>
          <input
            id={valueId}
            type="password"
            className="mono"
            autoComplete="off"
            spellCheck={false}
            autoFocus={Boolean(secret)}
            value={value}
            onChange={(e) => setValue(e.target.value)}
            aria-invalid={valueError ? true : undefined}
          />
        </Field>
      )}
      {mutation.isError && !conflict && <Alert>{errorMessage(mutation.error)}</Alert>}
    </Dialog>
  );
}

/** The value, once: after this dialog closes nothing can show it again. */
function RevealOnceDialog({ revealed, rotated, onClose }: { revealed: Revealed; rotated: boolean; onClose: () => void }) {
  const valueId = useId();
  return (
    <Dialog
      title={rotated ? `${revealed.secret.name}: new value` : `${revealed.secret.name} created`}
      onClose={onClose}
      onSubmit={onClose}
      footer={
        <button type="submit" className="btn btn-primary">
          Done
        </button>
      }
    >
      <p className="secret-dialog-text">
        <strong>Copy it now: it is shown only this once.</strong> Paste it into the sender's webhook settings. If it is lost, rotate
        the secret to get a new value.
      </p>
      <Field label="Secret value" htmlFor={valueId}>
        <div className="secret-reveal">
          <input id={valueId} className="mono" readOnly value={revealed.value} onFocus={(e) => e.currentTarget.select()} />
          <CopyButton text={revealed.value} what="secret value" />
        </div>
      </Field>
    </Dialog>
  );
}

function DeleteSecretDialog({ secret, onClose }: { secret: SecretRow; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const remove = useMutation(
    trpc.secrets.delete.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.secrets.pathKey() });
        toast.success(`Deleted ${secret.name}`);
        onClose();
      },
    }),
  );
  const inUse = secret.usedBy.length > 0;
  return (
    <Dialog
      title={`Delete ${secret.name}?`}
      onClose={onClose}
      onSubmit={() => remove.mutate({ id: secret.id })}
      busy={remove.isPending}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose} disabled={remove.isPending}>
            Cancel
          </button>
          <button type="submit" className="btn btn-danger" disabled={remove.isPending || inUse}>
            {remove.isPending ? 'Deleting…' : 'Delete secret'}
          </button>
        </>
      }
    >
      {inUse ? (
        <p className="secret-dialog-text">
          <Badge tone="warning">In use</Badge> {secret.usedBy.map((w) => w.name).join(', ')}{' '}
          {secret.usedBy.length === 1 ? 'checks' : 'check'} signatures with it. Choose another secret there first.
        </p>
      ) : (
        <p className="secret-dialog-text">
          The secret <strong>{secret.name}</strong> will be deleted. This cannot be undone.
        </p>
      )}
      {remove.isError && <Alert>{errorMessage(remove.error)}</Alert>}
    </Dialog>
  );
}
