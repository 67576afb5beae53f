import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useId } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useTRPC } from '../api/trpc.ts';
import { EmptyState, EnvBadge, ErrorState, LoadingBlock, RelativeTime, StatusBadge } from '../components/ui.tsx';
import { formatDuration } from '../lib/format.ts';
import { useDocumentTitle } from '../lib/useDocumentTitle.ts';

const PAGE_SIZE = 50;
const REFRESH_MS = 3_000;

export function RunsPage() {
  const trpc = useTRPC();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const workflowId = params.get('workflow') ?? undefined;
  const filterId = useId();
  useDocumentTitle('Runs');

  const workflows = useQuery(trpc.workflow.list.queryOptions());
  const runs = useInfiniteQuery(
    trpc.run.list.infiniteQueryOptions(
      { limit: PAGE_SIZE, ...(workflowId && { workflowId }) },
      {
        getNextPageParam: (page) => page.nextCursor ?? undefined,
        refetchInterval: REFRESH_MS,
        placeholderData: (previous) => previous,
      },
    ),
  );
  const items = runs.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>Runs</h1>
          <p className="page-subtitle">Every execution of every workflow, newest first. Refreshes every few seconds.</p>
        </div>
        <div className="toolbar">
          <label htmlFor={filterId} className="inline-label">
            Workflow
          </label>
          <select
            id={filterId}
            value={workflowId ?? ''}
            onChange={(e) => {
              const next = new URLSearchParams(params);
              if (e.target.value) next.set('workflow', e.target.value);
              else next.delete('workflow');
              setParams(next, { replace: true });
            }}
          >
            <option value="">All workflows</option>
            {workflows.data?.map((w) => (
              <option key={w.id} value={w.id}>
                {w.name}
              </option>
            ))}
          </select>
        </div>
      </div>

      {runs.isPending ? (
        <LoadingBlock label="Loading runs…" />
      ) : runs.isError && items.length === 0 ? (
        <ErrorState title="Could not load runs" error={runs.error} onRetry={() => void runs.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title={workflowId ? 'No runs of this workflow yet' : 'No runs yet'}>
          Runs appear here when a workflow's endpoint is called: use the Test tab in the editor, or call the live
          endpoint after a deploy.
        </EmptyState>
      ) : (
        <>
          <div className="card table-card">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Workflow</th>
                  <th scope="col">Status</th>
                  <th scope="col">Environment</th>
                  <th scope="col">Started</th>
                  <th scope="col" className="num">
                    Duration
                  </th>
                  <th scope="col">Error</th>
                </tr>
              </thead>
              <tbody>
                {items.map((run) => (
                  <tr
                    key={run.id}
                    className="row-link"
                    onClick={(event) => {
                      if ((event.target as HTMLElement).closest('a,button')) return;
                      void navigate(`/runs/${run.id}`);
                    }}
                  >
                    <td>
                      <Link to={`/runs/${run.id}`} className="mono strong-link">
                        {run.workflowName}
                      </Link>
                    </td>
                    <td>
                      <StatusBadge status={run.status} />
                    </td>
                    <td>
                      <EnvBadge environment={run.environment} releaseNumber={run.releaseNumber} />
                    </td>
                    <td className="muted">
                      <RelativeTime date={run.startedAt} />
                    </td>
                    <td className="num mono">{formatDuration(run.durationMs)}</td>
                    <td className="error-cell" title={run.error ?? undefined}>
                      {run.error ?? ''}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {runs.isError && (
            <p className="note note-error" role="alert">
              Refreshing failed; showing the last runs loaded.
            </p>
          )}
          {runs.hasNextPage && (
            <div className="load-more">
              <button
                type="button"
                className="btn"
                onClick={() => void runs.fetchNextPage()}
                disabled={runs.isFetchingNextPage}
              >
                {runs.isFetchingNextPage ? 'Loading…' : 'Load more'}
              </button>
            </div>
          )}
        </>
      )}
    </div>
  );
}
