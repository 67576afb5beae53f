import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useTRPC } from '../api/trpc.ts';
import { useCurrentUser } from '../auth.tsx';
import { EmptyState, ErrorState, LoadingBlock } from '../components/ui.tsx';
import { ADMINS_ONLY, browserTimeZone, zoneNote } from '../lib/recurring.ts';
import { useDocumentTitle } from '../lib/useDocumentTitle.ts';
import { useNow } from '../lib/useNow.ts';
import { usePageVisible } from '../lib/usePageVisible.ts';
import { JobCard } from './recurring/JobCard.tsx';
import { LiveIndicator } from './scheduler/LiveIndicator.tsx';
import { POLL_MS } from './runs/useLiveRuns.ts';

/**
 * Recurring jobs: every workflow with a Recurring event, with per environment (draft, live) its
 * switch, its schedule in words, its next fire times, its last run and its recent history. Admins
 * switch jobs (optimistically); others see the switches disabled, with the reason. The list is
 * re-read every POLL_MS while the tab is visible.
 */
export function RecurringPage() {
  const trpc = useTRPC();
  const user = useCurrentUser();
  const visible = usePageVisible();
  const now = useNow(5_000);
  useDocumentTitle('Recurring jobs');
  const list = useQuery(
    trpc.recurring.list.queryOptions(undefined, { refetchInterval: visible ? POLL_MS : false, refetchIntervalInBackground: false, staleTime: 0 }),
  );
  const isAdmin = user.role === 'admin';

  return (
    <div className="page page-wide recurring-page">
      <div className="page-header">
        <div>
          <h1>Recurring jobs</h1>
          <p className="page-subtitle">Workflows that start on a schedule. Each runs in draft and in live only while switched on there.</p>
        </div>
        <LiveIndicator
          state={!visible ? 'paused' : list.isError && list.data ? 'error' : 'live'}
          updatedAt={list.dataUpdatedAt}
          liveTitle={`Jobs, their next fire times and last runs are re-read every ${POLL_MS / 1000} s`}
        />
      </div>

      {list.isPending ? (
        <LoadingBlock label="Loading recurring jobs…" />
      ) : list.isError && !list.data ? (
        <ErrorState title="Could not load recurring jobs" error={list.error} onRetry={() => void list.refetch()} />
      ) : list.data.jobs.length === 0 ? (
        <EmptyState
          title="No recurring jobs yet"
          action={
            <Link to="/workflows" className="btn">
              Go to workflows
            </Link>
          }
        >
          A recurring job is a workflow that starts with a Recurring event instead of an API call: a cron expression or “every N minutes, hours,
          days…”, in a time zone. Open a workflow in the editor and give it a Recurring event; it appears here, and an admin switches it on, in draft
          at once and in live once it is deployed.
        </EmptyState>
      ) : (
        <>
          <div className="recurring-notes">
            <p className="muted small" data-testid="zone-note">
              {zoneNote(list.data.timeZone, browserTimeZone())}
            </p>
            {!isAdmin && (
              <p className="recurring-admins-only small" role="note">
                {ADMINS_ONLY}. You can see their schedules, runs and history.
              </p>
            )}
          </div>
          <ul className="recurring-list" aria-label="Recurring jobs">
            {list.data.jobs.map((job) => (
              <JobCard key={job.workflowId} job={job} isAdmin={isAdmin} now={now} />
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
