import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { errorMessage, useTRPC } from '../../api/trpc.ts';
import type { RouterOutputs } from '../../api/types.ts';
import { useCurrentUser } from '../../auth.tsx';
import { Switch } from '../../components/Switch.tsx';
import { toast } from '../../components/toast.tsx';
import { CopyButton, ErrorState, Field, LoadingBlock, RelativeTime } from '../../components/ui.tsx';
import { useDocumentTitle } from '../../lib/useDocumentTitle.ts';
import { ChainDepthLimit } from '../scheduler/SchedulerStrip.tsx';
import { parseOrigins, parseRateLimit } from './settingsForm.ts';

type ApiSettings = RouterOutputs['settings']['api'];

const ADMINS_ONLY = 'Only admins change settings';

/** Settings › Workflow API: the switch, rate limits, browser origins, and the recursion limits. */
export function ApiSettingsSection() {
  useDocumentTitle('Settings');
  const trpc = useTRPC();
  const settings = useQuery(trpc.settings.api.queryOptions());
  const state = useQuery(trpc.scheduler.state.queryOptions());
  const isAdmin = useCurrentUser().role === 'admin';
  if (settings.isPending) return <LoadingBlock label="Loading settings…" />;
  if (settings.isError) return <ErrorState title="Could not load the settings" error={settings.error} onRetry={() => void settings.refetch()} />;
  return (
    <>
      <AddressCard />
      <ApiForm key={settings.dataUpdatedAt} settings={settings.data} isAdmin={isAdmin} />
      <section className="card settings-card" aria-labelledby="recursion-title">
        <h2 id="recursion-title" className="settings-card-title">
          Recursion limits
        </h2>
        <p className="muted small">
          How many runs deep a chain of runs scheduling runs may go, per environment (a workflow that schedules itself). Past it, scheduling fails
          with the reason instead of looping forever.
        </p>
        <div className="settings-limits">
          {(['draft', 'live'] as const).map((environment) => {
            const limit = state.data?.environments.find((e) => e.environment === environment)?.chainDepthLimit;
            return (
              <div key={`${environment}:${limit ?? ''}`} className="settings-limit">
                <span className="settings-limit-env">{environment === 'draft' ? 'Draft' : 'Live'}</span>
                <ChainDepthLimit environment={environment} limit={limit} isAdmin={isAdmin} />
              </div>
            );
          })}
        </div>
      </section>
    </>
  );
}

function ApiForm({ settings, isAdmin }: { settings: ApiSettings; isAdmin: boolean }) {
  const id = useId();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [enabled, setEnabled] = useState(settings.apiEnabled);
  const [perToken, setPerToken] = useState(settings.rateLimitPerToken?.toString() ?? '');
  const [perAddress, setPerAddress] = useState(settings.rateLimitPerAddress?.toString() ?? '');
  const [origins, setOrigins] = useState(settings.corsOrigins.join('\n'));
  const save = useMutation(
    trpc.settings.updateApi.mutationOptions({
      onSuccess: (saved) => {
        queryClient.setQueryData(trpc.settings.api.queryKey(), saved);
        toast.success('Settings saved');
      },
      onError: (error) => toast.error(`Could not save the settings: ${errorMessage(error)}`),
    }),
  );
  const tokenLimit = parseRateLimit(perToken);
  const addressLimit = parseRateLimit(perAddress);
  const originList = parseOrigins(origins);
  const valid = tokenLimit.ok && addressLimit.ok && originList.ok;
  const changed =
    enabled !== settings.apiEnabled ||
    (tokenLimit.ok && tokenLimit.value !== settings.rateLimitPerToken) ||
    (addressLimit.ok && addressLimit.value !== settings.rateLimitPerAddress) ||
    (originList.ok && originList.value.join('\n') !== settings.corsOrigins.join('\n'));
  const disabled = !isAdmin || save.isPending;

  return (
    <form
      className="card settings-card"
      aria-labelledby={`${id}-title`}
      onSubmit={(event) => {
        event.preventDefault();
        if (!valid || !changed) return;
        save.mutate({ apiEnabled: enabled, rateLimitPerToken: tokenLimit.value, rateLimitPerAddress: addressLimit.value, corsOrigins: originList.value });
      }}
    >
      <h2 id={`${id}-title`} className="settings-card-title">
        Workflow API
      </h2>
      <div className="settings-row">
        <div>
          <div className="settings-row-label" id={`${id}-enabled`}>
            Enable Workflow API
          </div>
          <p className="muted small" id={`${id}-enabled-hint`}>
            Off: every workflow endpoint, its scheduling endpoints and the OpenAPI documents answer 404 saying the API is disabled. Scheduled and
            recurring runs go on.
          </p>
        </div>
        <Switch
          on={enabled}
          onChange={setEnabled}
          label="Enable Workflow API"
          disabled={disabled}
          title={isAdmin ? undefined : ADMINS_ONLY}
          describedBy={`${id}-enabled-hint`}
        />
      </div>
      {!enabled && settings.apiEnabled && <p className="settings-warning">Saving turns every workflow endpoint off at once.</p>}

      <div className="settings-grid">
        <Field label="Requests a minute per token" htmlFor={`${id}-token`} error={tokenLimit.ok ? null : tokenLimit.error} hint="Empty: no limit. Over it: 429 with Retry-After.">
          <input id={`${id}-token`} inputMode="numeric" value={perToken} placeholder="No limit" disabled={disabled} onChange={(e) => setPerToken(e.target.value)} />
        </Field>
        <Field label="Requests a minute per client address" htmlFor={`${id}-address`} error={addressLimit.ok ? null : addressLimit.error} hint="Counted for every call, with or without a token.">
          <input id={`${id}-address`} inputMode="numeric" value={perAddress} placeholder="No limit" disabled={disabled} onChange={(e) => setPerAddress(e.target.value)} />
        </Field>
      </div>

      <Field
        label="Browser origins allowed to call workflow endpoints (CORS)"
        htmlFor={`${id}-origins`}
        error={originList.ok ? null : originList.error}
        hint="One per line, such as https://shop.example.com; * allows any site. Empty: browsers on other sites cannot call (servers always can)."
      >
        <textarea id={`${id}-origins`} className="mono" rows={3} value={origins} placeholder="https://shop.example.com" disabled={disabled} onChange={(e) => setOrigins(e.target.value)} />
      </Field>

      <div className="settings-footer">
        <span className="muted small">
          {settings.updatedAt ? (
            <>
              Last changed by {settings.updatedBy}, <RelativeTime date={settings.updatedAt} />
            </>
          ) : (
            'Never changed: these are the defaults.'
          )}
        </span>
        {isAdmin ? (
          <button type="submit" className="btn btn-primary" disabled={!valid || !changed || save.isPending}>
            {save.isPending ? 'Saving…' : 'Save settings'}
          </button>
        ) : (
          <span className="muted small">{ADMINS_ONLY}</span>
        )}
      </div>
    </form>
  );
}

/** Where callers reach this instance (PUBLIC_URL), and the OpenAPI documents that describe it. */
function AddressCard() {
  const trpc = useTRPC();
  const info = useQuery(trpc.instance.info.queryOptions());
  const base = info.data?.publicUrl ?? window.location.origin;
  const documents = [
    { label: 'OpenAPI (live)', url: `${base}/api/1.1/openapi.json` },
    { label: 'OpenAPI (draft)', url: `${base}/version-test/api/1.1/openapi.json` },
  ];
  return (
    <section className="card settings-card" aria-labelledby="address-title">
      <h2 id="address-title" className="settings-card-title">
        Address
      </h2>
      <dl className="settings-address">
        <dt>Public URL</dt>
        <dd>
          <code data-testid="public-url">{base}</code>{' '}
          <span className="muted small">
            {info.data?.publicUrlFromEnvironment
              ? 'from PUBLIC_URL'
              : "this page's address: set PUBLIC_URL in the server's environment when callers use another one"}
          </span>
        </dd>
        {documents.map((doc) => (
          <div key={doc.url} className="settings-address-row">
            <dt>{doc.label}</dt>
            <dd>
              <a href={doc.url} target="_blank" rel="noreferrer">
                <code>{doc.url}</code>
              </a>{' '}
              <CopyButton text={doc.url} what={`${doc.label} URL`} />
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
