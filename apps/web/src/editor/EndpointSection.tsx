import {
  type ApiAuth,
  type ApiEventNode,
  type EndpointSettings,
  type HttpMethod,
  MAX_SIGNING_SECRETS,
  OPEN_ENDPOINT,
  SIGNATURE_SCHEMES,
  type SignatureScheme,
  endpointSettings,
  isOpenToAnyone,
} from '@switchyard/workflow';
import { useQuery } from '@tanstack/react-query';
import { useId } from 'react';
import { Link } from 'react-router';
import { useTRPC } from '../api/trpc.ts';
import { useCurrentUser } from '../auth.tsx';
import { CopyButton } from '../components/ui.tsx';
import { usePublicUrl } from '../lib/usePublicUrl.ts';
import { useEditor, useEditorState } from './context.ts';
import { curlExample } from './curl.ts';
import { Section } from './fields.tsx';

const AUTH_OPTIONS: { value: ApiAuth; label: string }[] = [
  { value: 'admin_token', label: 'Admin token' },
  { value: 'none', label: 'None required' },
];

/**
 * The API event's endpoint: who may call it and how, with its URLs and a ready curl command. These
 * settings take effect when saved, for draft and live at once.
 */
export function EndpointSection({ node, readOnly }: { node: ApiEventNode; readOnly: boolean }) {
  const id = useId();
  const editor = useEditor();
  const name = useEditorState((s) => s.workflowName);
  const endpoint = endpointSettings(node) ?? OPEN_ENDPOINT;
  const update = (patch: Partial<EndpointSettings>) => editor.updateEvent(node.id, (data) => ({ ...data, endpoint: { ...(data.endpoint ?? OPEN_ENDPOINT), ...patch } }));
  const open = isOpenToAnyone(endpoint);
  const baseUrl = usePublicUrl();

  return (
    <Section title="Endpoint" hint="Who may call this workflow and how. Changes here apply when saved, to the draft and the live endpoint at once.">
      {open && (
        <p className="endpoint-warning" role="note" data-testid="open-endpoint-warning">
          Anyone who knows its URL can run this workflow. Require an admin token, or stop exposing it.
        </p>
      )}
      <div className="checkbox-field">
        <input id={`${id}-exposed`} type="checkbox" checked={endpoint.exposed} disabled={readOnly} onChange={(e) => update({ exposed: e.target.checked })} />
        <label htmlFor={`${id}-exposed`}>Expose as a public endpoint</label>
      </div>
      {!endpoint.exposed ? (
        <p className="muted small">Not exposed: only schedules and other workflows run it; calls from outside get 404.</p>
      ) : (
        <>
          <div className="row-inline">
            <div className="field field-grow">
              <label className="field-label" htmlFor={`${id}-method`}>
                Method
              </label>
              <select id={`${id}-method`} value={endpoint.method} disabled={readOnly} onChange={(e) => update({ method: e.target.value as HttpMethod })}>
                <option value="POST">POST</option>
                <option value="GET">GET</option>
              </select>
            </div>
            <div className="field field-grow">
              <label className="field-label" htmlFor={`${id}-auth`}>
                Authentication
              </label>
              <select id={`${id}-auth`} value={endpoint.auth} disabled={readOnly} onChange={(e) => update({ auth: e.target.value as ApiAuth })}>
                {AUTH_OPTIONS.map((option) => (
                  <option key={option.value} value={option.value}>
                    {option.label}
                  </option>
                ))}
              </select>
            </div>
          </div>
          {endpoint.method === 'GET' && <p className="muted small">GET reads every parameter from the query string; a list repeats its key.</p>}
          {endpoint.auth === 'admin_token' && (
            <p className="muted small">
              Callers send a token an admin made in Settings › API tokens, as <code>Authorization: Bearer &lt;token&gt;</code>. <code>?api_token=</code>{' '}
              in the URL works too, but URLs end up in proxies’ logs. The test panel uses your session.
            </p>
          )}
        </>
      )}
      {endpoint.exposed && <SignatureSetting endpoint={endpoint} readOnly={readOnly} onChange={(signature) => update({ signature })} />}
      <div className="checkbox-field">
        <input id={`${id}-ok`} type="checkbox" checked={endpoint.okWhenSkipped} disabled={readOnly} onChange={(e) => update({ okWhenSkipped: e.target.checked })} />
        <label htmlFor={`${id}-ok`}>Return 200 if the condition is not met</label>
      </div>
      {endpoint.exposed && name && (
        <div className="endpoint-examples">
          {(['draft', 'live'] as const).map((environment) => {
            const command = curlExample({ baseUrl, environment, name, endpoint, parameters: node.data.parameters });
            return (
              <div key={environment} className="endpoint-example">
                <div className="endpoint-example-head">
                  <span className="field-label">{environment === 'draft' ? 'Test (draft)' : 'Live'}</span>
                  <CopyButton text={command} what={`${environment} curl command`} />
                </div>
                <pre className="json curl-example" data-testid={`curl-${environment}`}>
                  {command}
                </pre>
              </div>
            );
          })}
        </div>
      )}
    </Section>
  );
}

/**
 * "Signed calls only": the provider's scheme and the signing secrets calls may be signed with
 * (several while one is rotated out). Secrets are chosen from the store by id, never typed here.
 */
function SignatureSetting({
  endpoint,
  readOnly,
  onChange,
}: {
  endpoint: EndpointSettings;
  readOnly: boolean;
  onChange: (signature: EndpointSettings['signature']) => void;
}) {
  const id = useId();
  const trpc = useTRPC();
  const canList = useCurrentUser().role !== 'viewer';
  const secrets = useQuery({ ...trpc.secrets.list.queryOptions(), enabled: canList });
  const signature = endpoint.signature;
  const chosen = new Set(signature?.secretIds ?? []);
  const signing = (secrets.data ?? []).filter((s) => s.purpose === 'signing');
  const setScheme = (scheme: SignatureScheme | '') => {
    if (scheme === '') return onChange(null);
    // A scheme needs a secret: the first one stands in until the builder picks.
    const secretIds = signature?.secretIds.length ? signature.secretIds : signing.slice(0, 1).map((s) => s.id);
    onChange({ scheme, secretIds });
  };
  const toggle = (secretId: string, on: boolean) => {
    if (!signature) return;
    const next = on ? [...signature.secretIds, secretId] : signature.secretIds.filter((s) => s !== secretId);
    if (next.length > 0) onChange({ ...signature, secretIds: next.slice(0, MAX_SIGNING_SECRETS) });
  };
  return (
    <div className="field">
      <label className="field-label" htmlFor={`${id}-scheme`}>
        Signature
      </label>
      <select
        id={`${id}-scheme`}
        value={signature?.scheme ?? ''}
        disabled={readOnly || (!signature && signing.length === 0)}
        onChange={(e) => setScheme(e.target.value as SignatureScheme | '')}
      >
        <option value="">Not required</option>
        {(Object.keys(SIGNATURE_SCHEMES) as SignatureScheme[]).map((scheme) => (
          <option key={scheme} value={scheme}>
            {SIGNATURE_SCHEMES[scheme].label} ({SIGNATURE_SCHEMES[scheme].headers.join(', ')})
          </option>
        ))}
      </select>
      {!signature && signing.length === 0 && (
        <p className="muted small">
          Calls can be required to carry a provider's signature (Stripe, GitHub, Standard Webhooks): first add a signing secret in{' '}
          <Link to="/settings/secrets">Settings › Signing secrets</Link>.
        </p>
      )}
      {signature && (
        <div className="signature-secrets" role="group" aria-label="Signing secrets calls may be signed with">
          {signing.map((secret) => (
            <label key={secret.id} className="check-row">
              <input
                type="checkbox"
                checked={chosen.has(secret.id)}
                disabled={readOnly || (chosen.has(secret.id) && chosen.size === 1) || (!chosen.has(secret.id) && chosen.size >= MAX_SIGNING_SECRETS)}
                onChange={(e) => toggle(secret.id, e.target.checked)}
              />
              {secret.name}
            </label>
          ))}
          <p className="muted small">
            Checked over the exact bytes, with 5 minutes of clock tolerance; a call that fails gets 401 and makes no run. Tick two while rotating a
            secret. The test panel signs its calls on the server.
          </p>
        </div>
      )}
    </div>
  );
}
