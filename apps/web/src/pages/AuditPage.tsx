import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useId } from 'react';
import { useSearchParams } from 'react-router';
import { useTRPC } from '../api/trpc.ts';
import { useCurrentUser } from '../auth.tsx';
import { EmptyState, ErrorState, LoadingBlock, RelativeTime } from '../components/ui.tsx';
import {
  ACTION_GROUPS,
  ACTION_LABELS,
  type AuditAction,
  type AuditEvent,
  type AuditFilters,
  actionLabel,
  actorLabel,
  describeDetails,
  filtersFromSearch,
  listInput,
  searchFromFilters,
} from '../lib/audit.ts';
import { formatAbsolute } from '../lib/format.ts';
import { useDocumentTitle } from '../lib/useDocumentTitle.ts';

const PAGE_SIZE = 50;

/**
 * The audit log (admins only): who did what, when, newest first, 50 at a time ("Load older"
 * follows the server's keyset cursor). Filters (actor, action, date range) live in the URL.
 */
export function AuditPage() {
  const user = useCurrentUser();
  useDocumentTitle('Audit log');
  if (user.role !== 'admin') {
    return (
      <div className="page">
        <EmptyState title="Admins only">Only admins read the audit log.</EmptyState>
      </div>
    );
  }
  return <AuditLog />;
}

function AuditLog() {
  const trpc = useTRPC();
  const [params, setParams] = useSearchParams();
  const filters = filtersFromSearch(params);
  const setFilters = (next: AuditFilters) => setParams(searchFromFilters(next), { replace: true });
  const filtered = filters.actor !== '' || filters.actions.length > 0 || filters.from !== '' || filters.to !== '';
  const events = useInfiniteQuery(
    trpc.audit.list.infiniteQueryOptions({ ...listInput(filters), limit: PAGE_SIZE }, { getNextPageParam: (page) => page.nextCursor ?? undefined }),
  );
  const rows = events.data?.pages.flatMap((page) => page.events) ?? [];

  return (
    <div className="page page-wide audit-page">
      <div className="page-header">
        <div>
          <h1>Audit log</h1>
          <p className="page-subtitle">Sign-ins, changes to people, tokens and secrets, deploys, switches and cancellations: who, what and when. Kept for a year.</p>
        </div>
      </div>

      <AuditFiltersBar filters={filters} onChange={setFilters} />

      {events.isPending ? (
        <LoadingBlock label="Loading the audit log…" />
      ) : events.isError ? (
        <ErrorState title="Could not load the audit log" error={events.error} onRetry={() => void events.refetch()} />
      ) : rows.length === 0 ? (
        <EmptyState
          title={filtered ? 'No events match these filters' : 'Nothing recorded yet'}
          action={
            filtered ? (
              <button type="button" className="btn" onClick={() => setFilters({ actor: '', actions: [], from: '', to: '' })}>
                Clear filters
              </button>
            ) : undefined
          }
        >
          {filtered ? 'Try a wider date range or another person or action.' : 'Sign-ins and changes appear here as they happen.'}
        </EmptyState>
      ) : (
        <>
          <div className="card table-card">
            <table className="table audit-table">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Who</th>
                  <th scope="col">What</th>
                  <th scope="col">On</th>
                  <th scope="col">Details</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((event) => (
                  <AuditRow key={event.id} event={event} />
                ))}
              </tbody>
            </table>
          </div>
          {events.hasNextPage && (
            <div className="load-more">
              <button type="button" className="btn" onClick={() => void events.fetchNextPage()} disabled={events.isFetchingNextPage}>
                {events.isFetchingNextPage ? 'Loading…' : 'Load older events'}
              </button>
            </div>
          )}
        </>
      )}
    </div>
  );
}

function AuditRow({ event }: { event: AuditEvent }) {
  const details = describeDetails(event);
  return (
    <tr className="audit-row" data-action={event.action}>
      <td className="muted cell-when" title={formatAbsolute(event.at)}>
        <RelativeTime date={event.at} />
      </td>
      <td className="cell-actor">
        <span className={event.actor.kind === 'user' ? '' : 'muted'}>{actorLabel(event.actor)}</span>
      </td>
      <td className="cell-action">{actionLabel(event.action)}</td>
      <td className="cell-target">{event.target ? (event.target.label ?? event.target.id ?? '—') : '—'}</td>
      <td className="muted small cell-details">{details || '—'}</td>
    </tr>
  );
}

function AuditFiltersBar({ filters, onChange }: { filters: AuditFilters; onChange: (next: AuditFilters) => void }) {
  const trpc = useTRPC();
  const users = useQuery(trpc.users.list.queryOptions());
  const actorId = useId();
  const actionId = useId();
  const fromId = useId();
  const toId = useId();
  return (
    <div className="audit-filters" role="search" aria-label="Filter the audit log">
      <div className="audit-filter">
        <label htmlFor={actorId} className="inline-label">
          Who
        </label>
        <select id={actorId} value={filters.actor} onChange={(e) => onChange({ ...filters, actor: e.target.value })}>
          <option value="">Anyone</option>
          {(users.data ?? []).map((u) => (
            <option key={u.id} value={`user:${u.id}`}>
              {u.email}
            </option>
          ))}
          <option value="anonymous">Not signed in (refused sign-ins)</option>
          <option value="cli">Command line</option>
          <option value="api">API callers</option>
          <option value="system">Server</option>
        </select>
      </div>
      <div className="audit-filter">
        <label htmlFor={actionId} className="inline-label">
          What
        </label>
        <select
          id={actionId}
          value={filters.actions.length === 1 ? filters.actions[0] : filters.actions.length > 1 ? '*several' : ''}
          onChange={(e) => onChange({ ...filters, actions: e.target.value === '' || e.target.value === '*several' ? [] : [e.target.value as AuditAction] })}
        >
          <option value="">Any action</option>
          {filters.actions.length > 1 && <option value="*several">{filters.actions.length} actions</option>}
          {ACTION_GROUPS.map((group) => (
            <optgroup key={group.label} label={group.label}>
              {group.actions.map((action) => (
                <option key={action} value={action}>
                  {ACTION_LABELS[action]}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
      </div>
      <div className="audit-filter">
        <label htmlFor={fromId} className="inline-label">
          From
        </label>
        <input id={fromId} type="date" value={filters.from} max={filters.to || undefined} onChange={(e) => onChange({ ...filters, from: e.target.value })} />
      </div>
      <div className="audit-filter">
        <label htmlFor={toId} className="inline-label">
          To
        </label>
        <input id={toId} type="date" value={filters.to} min={filters.from || undefined} onChange={(e) => onChange({ ...filters, to: e.target.value })} />
      </div>
      {(filters.actor || filters.actions.length > 0 || filters.from || filters.to) && (
        <button type="button" className="btn btn-ghost btn-sm" onClick={() => onChange({ actor: '', actions: [], from: '', to: '' })}>
          Clear filters
        </button>
      )}
    </div>
  );
}
