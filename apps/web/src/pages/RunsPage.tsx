import { useQuery } from '@tanstack/react-query';
import { startTransition, useOptimistic } from 'react';
import { useSearchParams } from 'react-router';
import { errorMessage, useTRPC } from '../api/trpc.ts';
import { EmptyState, ErrorState, LoadingBlock } from '../components/ui.tsx';
import { formatAbsolute, formatShortDateTime } from '../lib/format.ts';
import { type RunFilters, describeRunFilters, isFiltered, NO_FILTERS, parseRunFilters, runFiltersToSearch } from '../lib/runFilters.ts';
import { useDocumentTitle } from '../lib/useDocumentTitle.ts';
import { useNow } from '../lib/useNow.ts';
import { usePageVisible } from '../lib/usePageVisible.ts';
import { RunFiltersBar } from './runs/RunFiltersBar.tsx';
import { RunsTable } from './runs/RunsTable.tsx';
import { POLL_MS, useLiveRuns } from './runs/useLiveRuns.ts';

export function RunsPage() {
  const trpc = useTRPC();
  const [params, setParams] = useSearchParams();
  // The router applies URL changes in a transition; the optimistic copy shows a change at once (a
  // checkbox does not flick back while the new URL is applied).
  const [filters, showFilters] = useOptimistic(parseRunFilters(params));
  const visible = usePageVisible();
  const now = useNow(30_000);
  // A custom range that ended gets no new runs: no need to poll it.
  const ended = filters.range === 'custom' && filters.until !== null && filters.until.getTime() < now;
  const live = visible && !ended;
  useDocumentTitle('Runs');

  // Always re-read on arrival: a workflow made a moment ago must be in the filter.
  const workflows = useQuery(trpc.workflow.list.queryOptions(undefined, { staleTime: 0 }));
  const runs = useLiveRuns(filters, live);
  const { query } = runs;
  const workflowLabel = filters.workflowId ? workflows.data?.find((w) => w.id === filters.workflowId)?.name : null;

  const setFilters = (next: RunFilters) => {
    startTransition(() => {
      showFilters(next);
      setParams(new URLSearchParams(runFiltersToSearch(next)), { replace: true });
    });
  };

  return (
    <div className="page page-wide runs-page">
      <div className="page-header">
        <div>
          <h1>Runs</h1>
          <p className="page-subtitle">Every run of every workflow, newest first.</p>
        </div>
        <LiveIndicator
          state={ended ? 'ended' : !visible ? 'paused' : query.isError && query.data ? 'error' : 'live'}
          updatedAt={query.dataUpdatedAt}
        />
      </div>

      <RunFiltersBar filters={filters} workflows={workflows.data} onChange={setFilters} />

      {query.isPending || (runs.stale && runs.count === 0) ? (
        <LoadingBlock label="Loading runs…" />
      ) : query.isError && !query.data ? (
        <ErrorState title="Could not load runs" error={query.error} onRetry={() => void query.refetch()} />
      ) : runs.count === 0 ? (
        isFiltered(filters) ? (
          <EmptyState
            title="No matching runs"
            action={
              <button type="button" className="btn" onClick={() => setFilters(NO_FILTERS)}>
                Clear filters
              </button>
            }
          >
            There are no {describeRunFilters(filters, { workflowLabel, formatDate: formatAbsolute })}
            {live ? ' yet. New ones appear here as they run.' : '.'}
          </EmptyState>
        ) : (
          <EmptyState title="No runs yet">
            Runs appear here as soon as a workflow runs: use “Run draft” in the editor’s Test tab, or call a workflow’s
            endpoint. This page updates by itself.
          </EmptyState>
        )
      ) : (
        <div className={runs.stale ? 'runs-stale' : undefined} aria-busy={runs.stale}>
          <RunsTable rows={runs.rows} loadingCursor={runs.loading} onLoadGap={runs.load} />
          {runs.failed && (
            <p className="note note-error" role="alert">
              Could not load more runs: {errorMessage(runs.loadError)}
            </p>
          )}
          <div className="list-footer">
            <span className="muted small">
              {runs.count} {runs.count === 1 ? 'run' : 'runs'} shown{runs.olderCursor ? '' : ' · the oldest run is loaded'}
            </span>
            {runs.olderCursor && !runs.stale && (
              <button
                type="button"
                className="btn"
                onClick={() => runs.load(runs.olderCursor!)}
                disabled={runs.loading === runs.olderCursor}
              >
                {runs.loading === runs.olderCursor ? 'Loading…' : runs.failed === runs.olderCursor ? 'Try again' : 'Load more'}
              </button>
            )}
          </div>
        </div>
      )}
    </div>
  );
}

type LiveState = 'live' | 'paused' | 'error' | 'ended';
const LIVE_TEXT: Record<LiveState, { label: string; title: string }> = {
  live: { label: 'Live', title: `New runs and status changes appear every ${POLL_MS / 1000} s` },
  paused: { label: 'Paused', title: 'Updates pause while this tab is hidden' },
  error: { label: 'Reconnecting…', title: 'The last update failed; showing the runs loaded before' },
  ended: { label: 'Not live', title: 'The chosen time range has ended: no new runs can appear in it' },
};

function LiveIndicator({ state, updatedAt }: { state: LiveState; updatedAt: number }) {
  const text = LIVE_TEXT[state];
  const updated = updatedAt ? ` · updated ${formatShortDateTime(new Date(updatedAt), updatedAt)}` : '';
  return (
    <span className={`live-indicator live-${state}`} title={`${text.title}${updated}`} data-testid="live-indicator">
      <span className="live-dot" aria-hidden="true" />
      {text.label}
    </span>
  );
}
