import { useQuery } from '@tanstack/react-query';
import { startTransition, useOptimistic } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useTRPC } from '../api/trpc.ts';
import { canEdit, useCurrentUser } from '../auth.tsx';
import { EmptyState, ErrorState, LoadingBlock } from '../components/ui.tsx';
import { formatAbsolute } from '../lib/format.ts';
import { ENVIRONMENTS, type Environment } from '../lib/runs.ts';
import { type SchedulerView, formatCount, isNarrowed, parseSchedulerView, schedulerViewToSearch, withoutFilters } from '../lib/scheduler.ts';
import { useDocumentTitle } from '../lib/useDocumentTitle.ts';
import { usePageVisible } from '../lib/usePageVisible.ts';
import { BatchesSection } from './scheduler/BatchList.tsx';
import { LiveIndicator } from './scheduler/LiveIndicator.tsx';
import { PendingFilters } from './scheduler/PendingFilters.tsx';
import { PendingTable } from './scheduler/PendingTable.tsx';
import { SchedulerCharts } from './scheduler/SchedulerCharts.tsx';
import { SchedulerStrip } from './scheduler/SchedulerStrip.tsx';
import { POLL_MS, usePendingRuns } from './scheduler/usePendingRuns.ts';

/** The tabs' words; "draft" is what the test endpoint (/version-test/...) runs. */
const TAB_LABELS: Record<Environment, string> = { draft: 'Draft (test)', live: 'Live' };
const SCHEDULE_PATH: Record<Environment, string> = {
  draft: '/version-test/api/1.1/wf/<name>/schedule',
  live: '/api/1.1/wf/<name>/schedule',
};

/**
 * The Scheduler: one environment's queue of runs scheduled for later, in due order, with its state
 * (pending, due, paused) and controls; the last hour's queue depth and lateness (charts); the
 * environment's batches with their progress. The environment and the filters live in the URL
 * (lib/scheduler.ts); everything refreshes every POLL_MS while the tab is visible (the charts
 * less often: they gain a point a minute).
 */
export function SchedulerPage() {
  const trpc = useTRPC();
  const user = useCurrentUser();
  const [params, setParams] = useSearchParams();
  // The router applies URL changes in a transition; the optimistic copy shows a change at once.
  const [view, showView] = useOptimistic(parseSchedulerView(params));
  const visible = usePageVisible();
  useDocumentTitle('Scheduler');

  // Always re-read on arrival: a workflow made a moment ago must be in the filter.
  const workflows = useQuery(trpc.workflow.list.queryOptions(undefined, { staleTime: 0 }));
  const state = useQuery(
    trpc.scheduler.state.queryOptions(undefined, { refetchInterval: visible ? POLL_MS : false, refetchIntervalInBackground: false, staleTime: 0 }),
  );
  const pending = usePendingRuns(view, visible);
  const { query } = pending;

  const environment = view.environment;
  const label = environment;
  const envState = state.data?.environments.find((e) => e.environment === environment);
  const depth = state.data?.depth.find((d) => d.environment === environment);
  const knownWorkflows = workflows.data ? new Set(workflows.data.map((w) => w.id)) : undefined;
  const workflowName = view.workflowId ? workflows.data?.find((w) => w.id === view.workflowId)?.name : undefined;
  const isAdmin = user.role === 'admin';

  const setView = (next: SchedulerView) => {
    startTransition(() => {
      showView(next);
      setParams(new URLSearchParams(schedulerViewToSearch(next)), { replace: true });
    });
  };

  const first = pending.pageIndex * pending.pageSize + 1;
  const last = pending.pageIndex * pending.pageSize + pending.runs.length;

  return (
    <div className="page page-wide scheduler-page">
      <div className="page-header">
        <div>
          <h1>Scheduler</h1>
          <p className="page-subtitle">What is scheduled for later, the lists being worked through, and how late runs start.</p>
        </div>
        <LiveIndicator
          state={!visible ? 'paused' : query.isError && query.data ? 'error' : 'live'}
          updatedAt={query.dataUpdatedAt}
          liveTitle={`Pending runs, batches and counts are re-read every ${POLL_MS / 1000} s`}
        />
      </div>

      <nav className="env-tabs" aria-label="Environment">
        {ENVIRONMENTS.map((env) => {
          const count = state.data?.depth.find((d) => d.environment === env)?.pending;
          const paused = state.data?.environments.find((e) => e.environment === env)?.paused;
          return (
            <Link
              key={env}
              to={{ search: schedulerViewToSearch({ ...view, environment: env }) }}
              className={`env-tab${env === environment ? ' env-tab-current' : ''}`}
              aria-current={env === environment ? 'page' : undefined}
            >
              {TAB_LABELS[env]}
              {count !== undefined && (
                <span className="env-tab-count" title={`${formatCount(count)} pending`}>
                  {formatCount(count)}
                  <span className="visually-hidden"> pending</span>
                </span>
              )}
              {paused && <span className="env-tab-paused">paused</span>}
            </Link>
          );
        })}
      </nav>

      {state.isError && !state.data ? (
        <ErrorState title="Could not load the scheduler's state" error={state.error} onRetry={() => void state.refetch()} />
      ) : (
        <SchedulerStrip environment={environment} label={label} state={envState} depth={depth} isAdmin={isAdmin} />
      )}

      <SchedulerCharts visible={visible} />

      <BatchesSection environment={environment} label={label} visible={visible} knownWorkflows={knownWorkflows} canCancel={canEdit(user)} />

      <div className="scheduler-section-head">
        <h2>Pending runs</h2>
        <span className="muted small">Scheduled for later, in the order they are due</span>
      </div>
      <PendingFilters view={view} workflows={workflows.data} onChange={setView} />

      {query.isPending || (pending.stale && pending.runs.length === 0) ? (
        <LoadingBlock label="Loading pending runs…" />
      ) : query.isError && !query.data ? (
        <ErrorState title="Could not load pending runs" error={query.error} onRetry={() => void query.refetch()} />
      ) : pending.runs.length === 0 && !pending.stale ? (
        pending.pageIndex > 0 ? (
          <EmptyState
            title="Nothing left on this page"
            action={
              <button type="button" className="btn" onClick={pending.first}>
                Back to the first page
              </button>
            }
          >
            The runs that were here have started or were cancelled.
          </EmptyState>
        ) : isNarrowed(view) ? (
          <EmptyState
            title="No matching pending runs"
            action={
              <button type="button" className="btn" onClick={() => setView(withoutFilters(view))}>
                Clear filters
              </button>
            }
          >
            Nothing {workflowName ? `of “${workflowName}” ` : view.workflowId ? 'of this workflow ' : ''}is scheduled in {label}
            {view.from && view.to
              ? ` between ${formatAbsolute(view.from)} and ${formatAbsolute(view.to)}`
              : view.from
                ? ` from ${formatAbsolute(view.from)}`
                : view.to
                  ? ` before ${formatAbsolute(view.to)}`
                  : ''}
            .
          </EmptyState>
        ) : (
          <EmptyState
            title={`Nothing scheduled in ${label}.`}
            action={
              <pre className="schedule-sample" aria-label="An example of scheduling a run over HTTP">
                {`POST ${SCHEDULE_PATH[environment]}\n{"scheduled_date": "2026-12-01T09:00:00Z", "parameters": {…}}`}
              </pre>
            }
          >
            Runs scheduled for later appear here in the order they are due. A workflow schedules one with its “Schedule API workflow” action; another
            service calls the schedule endpoint. This page updates by itself.
          </EmptyState>
        )
      ) : (
        <div className={pending.stale ? 'runs-stale' : undefined} aria-busy={pending.stale}>
          <PendingTable
            runs={pending.runs}
            environment={environment}
            knownWorkflows={knownWorkflows}
            canCancel={canEdit(user)}
            onCancel={pending.cancel}
          />
          <div className="list-footer">
            <span className="muted small" data-testid="page-range">
              Showing {formatCount(first)}–{formatCount(last)}
              {!isNarrowed(view) && depth ? ` of ${formatCount(Math.max(depth.pending, last))} pending` : ''}
            </span>
            {(pending.hasPrevious || pending.hasNext) && (
              <span className="pager">
                <button type="button" className="btn btn-sm" onClick={pending.previous} disabled={!pending.hasPrevious || pending.stale}>
                  Previous page
                </button>
                <button type="button" className="btn btn-sm" onClick={pending.next} disabled={!pending.hasNext}>
                  Next page
                </button>
              </span>
            )}
          </div>
        </div>
      )}
    </div>
  );
}
