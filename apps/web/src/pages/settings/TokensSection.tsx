import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { errorMessage, useTRPC } from '../../api/trpc.ts';
import type { RouterOutputs } from '../../api/types.ts';
import { useCurrentUser } from '../../auth.tsx';
import { toast } from '../../components/toast.tsx';
import { Badge, CopyButton, Dialog, EmptyState, ErrorState, Field, LoadingBlock, RelativeTime } from '../../components/ui.tsx';
import { useDocumentTitle } from '../../lib/useDocumentTitle.ts';
import { usePublicUrl } from '../../lib/usePublicUrl.ts';

type Token = RouterOutputs['token']['list'][number];
type Created = RouterOutputs['token']['create'];

/** Settings › API tokens: what webhook callers send; admins create (shown once) and revoke. */
export function TokensSection() {
  useDocumentTitle('API tokens');
  const trpc = useTRPC();
  const isAdmin = useCurrentUser().role === 'admin';
  const tokens = useQuery(trpc.token.list.queryOptions());
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<Created | null>(null);
  const [revoking, setRevoking] = useState<Token | null>(null);

  return (
    <section className="card settings-card" aria-labelledby="tokens-title">
      <div className="settings-card-head">
        <div>
          <h2 id="tokens-title" className="settings-card-title">
            API tokens
          </h2>
          <p className="muted small">
            Callers of workflows set to “Admin token” send one as <code>Authorization: Bearer &lt;token&gt;</code>. A token runs every workflow, or
            only those listed. Only its hash is stored: it is shown once, when it is made.
          </p>
        </div>
        {isAdmin && (
          <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
            New token
          </button>
        )}
      </div>
      {tokens.isPending ? (
        <LoadingBlock label="Loading tokens…" />
      ) : tokens.isError ? (
        <ErrorState title="Could not load the tokens" error={tokens.error} onRetry={() => void tokens.refetch()} />
      ) : tokens.data.length === 0 ? (
        <EmptyState title="No API tokens yet">
          {isAdmin ? 'Make one for each system that calls your workflows, so each can be revoked on its own.' : 'An admin makes them, one per calling system.'}
        </EmptyState>
      ) : (
        <div className="table-scroll">
          <table className="table tokens-table">
            <thead>
              <tr>
                <th scope="col">Label</th>
                <th scope="col">Token</th>
                <th scope="col">May run</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tokens.data.map((token) => (
                <tr key={token.id} className={token.revokedAt ? 'token-revoked' : undefined}>
                  <td>
                    <span className="token-label">{token.label}</span>
                    {token.revokedAt && (
                      <Badge tone="neutral" title={`Revoked by ${token.revokedBy ?? 'someone'}`}>
                        Revoked
                      </Badge>
                    )}
                  </td>
                  <td>
                    <code>{token.prefix}…</code>
                  </td>
                  <td>{scopeText(token)}</td>
                  <td>
                    <RelativeTime date={token.createdAt} /> <span className="muted small">by {token.createdBy}</span>
                  </td>
                  <td>{token.lastUsedAt ? <RelativeTime date={token.lastUsedAt} /> : <span className="muted">Never</span>}</td>
                  <td className="table-actions">
                    {isAdmin && !token.revokedAt && (
                      <button type="button" className="btn btn-sm btn-ghost btn-danger-text" onClick={() => setRevoking(token)}>
                        Revoke<span className="visually-hidden"> {token.label}</span>
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {creating && (
        <CreateTokenDialog
          onClose={() => setCreating(false)}
          onCreated={(result) => {
            setCreating(false);
            setCreated(result);
          }}
        />
      )}
      {created && <ShowOnceDialog created={created} onClose={() => setCreated(null)} />}
      {revoking && <RevokeDialog token={revoking} onClose={() => setRevoking(null)} />}
    </section>
  );
}

function scopeText(token: Token): string {
  if (token.allWorkflows) return 'All workflows';
  return token.workflows.map((w) => w.name ?? 'a deleted workflow').join(', ');
}

function CreateTokenDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (created: Created) => void }) {
  const id = useId();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  // Read afresh: workflows made since the list was last loaded (by others too) must be choosable.
  const workflows = useQuery(trpc.workflow.list.queryOptions(undefined, { refetchOnMount: 'always' }));
  const [label, setLabel] = useState('');
  const [all, setAll] = useState(true);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const create = useMutation(
    trpc.token.create.mutationOptions({
      onSuccess: (result) => {
        void queryClient.invalidateQueries({ queryKey: trpc.token.list.queryKey() });
        onCreated(result);
      },
      onError: (e) => setError(errorMessage(e)),
    }),
  );
  const labelError = label.trim() === '' ? 'A label says who uses the token, such as "Stripe" or "CI"' : null;
  const scopeError = !all && chosen.size === 0 ? 'Choose at least one workflow, or allow all' : null;
  return (
    <Dialog
      title="New API token"
      onClose={onClose}
      busy={create.isPending}
      onSubmit={() => {
        if (labelError || scopeError) return setError(labelError ?? scopeError);
        create.mutate({ label: label.trim(), workflowIds: all ? null : [...chosen] });
      }}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose} disabled={create.isPending}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={create.isPending}>
            {create.isPending ? 'Creating…' : 'Create token'}
          </button>
        </>
      }
    >
      <Field label="Label" htmlFor={`${id}-label`} hint="Who or what will use it.">
        <input id={`${id}-label`} value={label} maxLength={100} autoFocus onChange={(e) => setLabel(e.target.value)} placeholder="Stripe webhooks" />
      </Field>
      <fieldset className="token-scope">
        <legend className="field-label">May run</legend>
        <label className="radio-row">
          <input type="radio" name={`${id}-scope`} checked={all} onChange={() => setAll(true)} /> All workflows
        </label>
        <label className="radio-row">
          <input type="radio" name={`${id}-scope`} checked={!all} onChange={() => setAll(false)} /> Only these workflows
        </label>
        {!all && (
          <div className="token-workflows" role="group" aria-label="Workflows this token may run">
            {workflows.isPending ? (
              <LoadingBlock label="Loading workflows…" />
            ) : (workflows.data ?? []).length === 0 ? (
              <p className="muted small">No workflows yet.</p>
            ) : (
              workflows.data!.map((w) => (
                <label key={w.id} className="check-row">
                  <input
                    type="checkbox"
                    checked={chosen.has(w.id)}
                    onChange={(e) => {
                      const next = new Set(chosen);
                      if (e.target.checked) next.add(w.id);
                      else next.delete(w.id);
                      setChosen(next);
                    }}
                  />
                  <span className="mono">{w.name}</span>
                  {w.label && <span className="muted small">{w.label}</span>}
                </label>
              ))
            )}
          </div>
        )}
      </fieldset>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </Dialog>
  );
}

function ShowOnceDialog({ created, onClose }: { created: Created; onClose: () => void }) {
  const example = `curl -X POST ${usePublicUrl()}/api/1.1/wf/<name> \\\n  -H 'authorization: Bearer ${created.token}' \\\n  -H 'content-type: application/json' -d '{}'`;
  return (
    <Dialog
      title={`Token “${created.summary.label}” created`}
      onClose={onClose}
      footer={
        <button type="button" className="btn btn-primary" onClick={onClose}>
          I have stored it
        </button>
      }
    >
      <p className="settings-warning" role="status">
        Copy it now: it is not shown again. Anyone holding it can run {created.summary.allWorkflows ? 'every workflow that asks for a token' : 'the workflows it lists'}.
      </p>
      <div className="secret-value">
        <code data-testid="new-token">{created.token}</code>
        <CopyButton text={created.token} what="the token" />
      </div>
      <p className="muted small">Send it in a header (query strings end up in proxies’ logs):</p>
      <pre className="json curl-example">{example}</pre>
    </Dialog>
  );
}

function RevokeDialog({ token, onClose }: { token: Token; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const revoke = useMutation(
    trpc.token.revoke.mutationOptions({
      onSuccess: () => {
        toast.success(`Token “${token.label}” revoked`);
        void queryClient.invalidateQueries({ queryKey: trpc.token.list.queryKey() });
        onClose();
      },
      onError: (e) => toast.error(`Could not revoke the token: ${errorMessage(e)}`),
    }),
  );
  return (
    <Dialog
      title={`Revoke “${token.label}”?`}
      onClose={onClose}
      busy={revoke.isPending}
      onSubmit={() => revoke.mutate({ id: token.id })}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose} disabled={revoke.isPending}>
            Cancel
          </button>
          <button type="submit" className="btn btn-danger" disabled={revoke.isPending}>
            {revoke.isPending ? 'Revoking…' : 'Revoke token'}
          </button>
        </>
      }
    >
      <p>Calls carrying it get 401 from the next one on. This cannot be undone: make a new token if it is needed again.</p>
    </Dialog>
  );
}
