import { useQuery } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { Link, useParams } from 'react-router';
import { errorCode, useTRPC } from '../api/trpc.ts';
import type { RunDetail } from '../api/types.ts';
import { canEdit, useCurrentUser } from '../auth.tsx';
import { CopyButton, EmptyState, EnvBadge, ErrorState, JsonText, LoadingBlock, StatusBadge } from '../components/ui.tsx';
import { between, formatAbsolute, formatDate, formatDuration, formatRelative, plural } from '../lib/format.ts';
import { describeDue, describeLateness, describeScheduledBy, dueTime, isCancellable, isScheduled, lateness, pinnedTo, shortId } from '../lib/runSchedule.ts';
import { type DisplayStatus, TRIGGER_DESCRIPTIONS, TRIGGER_LABELS, displayStatus, isActive } from '../lib/runs.ts';
import { type AttemptGroup, firstFailure, groupAttempts } from '../lib/runSteps.ts';
import { useDocumentTitle } from '../lib/useDocumentTitle.ts';
import { useNow } from '../lib/useNow.ts';
import { CancelError, CancelRunDialog, ScheduledByValue, cancelledView, useCancelRun } from './runs/RunSchedule.tsx';
import { type Step, StepTimeline, stepElementId } from './runs/StepTimeline.tsx';

type Attempt = RunDetail['attemptList'][number];

/** How often a run that may still change is read again. */
const ACTIVE_REFRESH_MS = 1_000;
const PENDING_REFRESH_MS = 5_000;

/** While a run may change it is read again: every second, a pending one every few seconds and when due. */
function refreshInterval(run: RunDetail | undefined): number | false {
  if (!run || !isActive(run.status)) return false;
  const untilDue = run.runAt.getTime() - Date.now();
  return untilDue > ACTIVE_REFRESH_MS ? Math.min(PENDING_REFRESH_MS, untilDue) : ACTIVE_REFRESH_MS;
}

export function RunDetailPage() {
  const { id = '' } = useParams();
  const trpc = useTRPC();
  const run = useQuery(
    trpc.run.byId.queryOptions(
      { id },
      { refetchInterval: (query) => refreshInterval(query.state.data) },
    ),
  );

  useDocumentTitle(run.data ? `Run of ${run.data.workflowName}` : 'Run');

  const back = (
    <Link to="/runs" className="back-link">
      ← All runs
    </Link>
  );

  if (run.isPending) {
    return (
      <div className="page page-narrow">
        {back}
        <LoadingBlock label="Loading run…" />
      </div>
    );
  }
  if (run.isError) {
    return (
      <div className="page page-narrow">
        {back}
        {errorCode(run.error) === 'NOT_FOUND' ? (
          <EmptyState title="Run not found">This run does not exist, or retention has deleted it.</EmptyState>
        ) : (
          <ErrorState title="Could not load this run" error={run.error} onRetry={() => void run.refetch()} />
        )}
      </div>
    );
  }
  return (
    <div className="page page-narrow run-page">
      {back}
      <RunView run={run.data} />
    </div>
  );
}

function RunView({ run: stored }: { run: RunDetail }) {
  const user = useCurrentUser();
  const cancel = useCancelRun(stored, user.email);
  const [confirming, setConfirming] = useState(false);
  // While a cancel is out the run shows as cancelled; if the server refuses, it shows as it is again.
  const r = cancel.isPending ? cancelledView(stored, user.email) : stored;
  // Waits and running times tick while the run may change; a finished run only ages.
  const now = useNow(isActive(r.status) ? 1_000 : 30_000);
  const status = displayStatus(r, now);
  const failure = firstFailure(r.steps);
  const groups = groupAttempts(r.attemptList, r.steps);
  const multiple = groups.length > 1;
  const scheduled = isScheduled(r);
  const due = dueTime(r);
  const late = lateness(r);
  const dueNote = describeDue(r, now);
  const by = describeScheduledBy(r);
  const pinned = pinnedTo(r);

  return (
    <>
      <div className="page-header run-header">
        <div className="run-heading">
          <h1 className="run-title">
            <span className="mono">{r.workflowName}</span>
            <StatusBadge status={status} />
            {r.recovered && <span className="marker marker-recovered">recovered</span>}
            {cancel.isPending && <span className="marker">cancelling…</span>}
          </h1>
          <p className="page-subtitle run-id">
            <span className="mono">Run {r.id}</span>
            <CopyButton text={r.id} what="run id" />
          </p>
        </div>
        <div className="toolbar">
          {canEdit(user) && isCancellable(r) && (
            <button
              type="button"
              className="btn btn-danger-outline"
              onClick={() => setConfirming(true)}
              title="Cancel this run before it starts: it will not start"
            >
              Cancel run…
            </button>
          )}
          <Link to={`/runs?workflow=${encodeURIComponent(r.workflowId)}`} className="btn">
            Runs of this workflow
          </Link>
          <Link to={`/workflows/${r.workflowId}`} className="btn">
            Open workflow
          </Link>
        </div>
      </div>

      <CancelError cancel={cancel} />
      {confirming && <CancelRunDialog run={r} now={now} cancel={cancel} onClose={() => setConfirming(false)} />}
      {status === 'pending' && (
        <div className="banner banner-pending" role="status">
          <strong>Pending until {formatAbsolute(r.runAt)}</strong> ({formatRelative(r.runAt, now)}). It is queued and starts when
          it is due.
        </div>
      )}
      {r.recovered && (
        <div className="banner banner-recovered">
          <strong>Recovered after a crash.</strong> A runner stopped while this run was in flight; another attempt resumed it from
          its last recorded step (a step in flight at the crash ran again).
        </div>
      )}

      <section className="card run-summary" aria-label="Run summary">
        <dl className="facts">
          <Fact term="Environment" id="environment">
            <EnvBadge environment={r.environment} />
            {scheduled && pinned ? (
              <span className="fact-note" title={`When it starts it runs ${pinned}, whatever was deployed or saved after it was scheduled`}>
                Pinned to {pinned}
              </span>
            ) : (
              <span className="fact-note">
                {r.environment === 'live'
                  ? r.releaseNumber
                    ? `Release #${r.releaseNumber}`
                    : 'Live release'
                  : r.draftRevision
                    ? `Draft revision ${r.draftRevision}`
                    : 'Saved draft'}
              </span>
            )}
          </Fact>
          <Fact term="Trigger">
            <span title={TRIGGER_DESCRIPTIONS[r.trigger]}>{TRIGGER_LABELS[r.trigger]}</span>
            <span className="fact-note">
              {scheduled ? TRIGGER_DESCRIPTIONS[r.trigger] : r.mode === 'async' ? 'Async: answered 202 at once' : 'Sync: the caller waited'}
            </span>
          </Fact>
          {by ? (
            <Fact term="Scheduled by" id="scheduled-by">
              <ScheduledByValue by={by} run={r} />
            </Fact>
          ) : (
            r.parentRunId && (
              <Fact term="Started by" id="scheduled-by">
                <Link to={`/runs/${r.parentRunId}`} className="nowrap" title={`Run ${r.parentRunId}`}>
                  run <span className="mono">{shortId(r.parentRunId)}</span>
                </Link>
              </Fact>
            )
          )}
          {r.chainDepth > 0 && (
            <Fact term="Chain depth" id="chain-depth">
              <span className="mono">{r.chainDepth}</span>
              <span className="fact-note">Runs scheduled by runs; the environment’s limit stops runaway loops</span>
            </Fact>
          )}
          <Fact term="Created">
            <time dateTime={r.createdAt.toISOString()}>{formatAbsolute(r.createdAt)}</time>
            <span className="fact-note">{formatRelative(r.createdAt, now)}</span>
          </Fact>
          {due && (
            <Fact term={due.kind === 'retry' ? 'Next attempt due' : 'Due at'} id="due">
              <time dateTime={due.at.toISOString()}>{formatAbsolute(due.at)}</time>
              {dueNote && <span className="fact-note">{dueNote}</span>}
            </Fact>
          )}
          {scheduled ? (
            r.startedAt && (
              <Fact term="Started" id="started">
                <time dateTime={r.startedAt.toISOString()}>{formatAbsolute(r.startedAt)}</time>
                <span className="fact-note">{late !== null ? describeLateness(late) : formatRelative(r.startedAt, now)}</span>
              </Fact>
            )
          ) : (
            <Fact term="Wait (queued → started)">
              <Wait run={r} status={status} now={now} />
            </Fact>
          )}
          {/* A run that never started has no duration to show (its due time says why). */}
          {(r.startedAt || r.durationMs !== null) && (
            <Fact term="Duration">
              {r.durationMs !== null ? (
                <span className="mono">{formatDuration(r.durationMs)}</span>
              ) : r.status === 'running' ? (
                <span className="muted">running for {formatDuration(between(r.startedAt, new Date(now)))}…</span>
              ) : (
                <span className="muted">—</span>
              )}
              {r.finishedAt && <span className="fact-note">Finished {formatAbsolute(r.finishedAt)}</span>}
            </Fact>
          )}
          <Fact term="Attempts">
            <span>
              {r.attempts} of {r.maxAttempts}
            </span>
            {r.recovered && <span className="fact-note">Recovered after a crash</span>}
          </Fact>
          <Fact term="Retention">
            {r.deletesAt ? (
              <span title={formatAbsolute(r.deletesAt)}>Deleted on {formatDate(r.deletesAt)} (retention)</span>
            ) : (
              <span className="muted">Kept until it finishes, then for the retention period</span>
            )}
          </Fact>
        </dl>

        {r.error && <RunError run={r} failure={failure} />}

        <div className="io-grid">
          <div>
            <h2 className="section-title">Input</h2>
            <JsonText text={r.input} empty="No input" label="Run input" />
          </div>
          <div>
            <h2 className="section-title">Output</h2>
            <JsonText
              text={r.output}
              empty={isActive(r.status) ? 'Not finished yet' : r.status === 'succeeded' ? 'Nothing returned' : 'No output'}
              label="Run output"
            />
          </div>
        </div>
      </section>

      <div className="steps-heading">
        <h2>
          {multiple ? 'Attempts' : 'Steps'}
          <span className="muted heading-count">
            {multiple ? `${groups.length} attempts · ` : ''}
            {plural(r.steps.length, 'step')}
          </span>
        </h2>
        {failure && (
          <button type="button" className="btn btn-sm" onClick={() => jumpTo(failure)}>
            Jump to first failure
          </button>
        )}
      </div>

      {groups.length === 0 || (!multiple && r.steps.length === 0) ? (
        <EmptyState title={isActive(r.status) ? (status === 'pending' ? 'Not started yet' : 'Waiting for the first step…') : 'No steps ran'}>
          {isActive(r.status)
            ? 'This page refreshes by itself while the run is queued or running.'
            : r.status === 'skipped'
              ? 'The workflow’s “Only when” was false, so no action ran.'
              : r.status === 'cancelled' && !r.startedAt
                ? 'It was cancelled before it started.'
                : 'The run ended before any action ran.'}
        </EmptyState>
      ) : multiple ? (
        groups.map((group) => <AttemptSection key={group.number} group={group} maxAttempts={r.maxAttempts} />)
      ) : (
        <StepTimeline steps={groups[0]!.steps} />
      )}
    </>
  );
}

/** Scrolls to a step, focuses it for keyboard and screen reader users, and flashes it. */
function jumpTo(step: Step) {
  const element = document.getElementById(stepElementId(step));
  if (!element) return;
  element.scrollIntoView({ block: 'center', behavior: window.matchMedia('(prefers-reduced-motion: reduce)').matches ? 'auto' : 'smooth' });
  element.focus({ preventScroll: true });
  element.classList.remove('flash');
  void element.offsetWidth; // restart the animation
  element.classList.add('flash');
}

function Wait({ run, status, now }: { run: RunDetail; status: DisplayStatus; now: number }) {
  if (status === 'pending' && !run.startedAt) {
    return (
      <>
        <span>Not started: pending</span>
        <span className="fact-note" title={formatAbsolute(run.runAt)}>
          Due {formatRelative(run.runAt, now)}
        </span>
      </>
    );
  }
  if (!run.startedAt) {
    if (run.status === 'queued') {
      const since = run.runAt > run.createdAt ? run.runAt : run.createdAt;
      return <span className="muted">waiting for {formatDuration(between(since, new Date(now)))}…</span>;
    }
    return <span className="muted">Never started</span>;
  }
  const wait = between(run.createdAt, run.startedAt);
  return (
    <>
      <span className="mono">{formatDuration(wait)}</span>
      <span className="fact-note">Started {formatAbsolute(run.startedAt)}</span>
    </>
  );
}

function RunError({ run, failure }: { run: RunDetail; failure: Step | null }) {
  if (run.status === 'skipped' || run.status === 'cancelled') {
    return (
      <div className="run-note" role="note">
        <strong>{run.status === 'skipped' ? 'Skipped' : 'Cancelled'}</strong>
        <span>{run.error}</span>
      </div>
    );
  }
  return (
    <div className="run-error" role="alert">
      <strong>Error</strong>
      <span className="run-error-text">{run.error}</span>
      {failure && (
        <button type="button" className="btn btn-xs btn-danger-outline run-error-jump" onClick={() => jumpTo(failure)}>
          Show the failed step
        </button>
      )}
    </div>
  );
}

const REASONS: Record<Attempt['reason'], string> = {
  first: 'First attempt',
  retry: 'Retry',
  recovered: 'Recovered after a crash',
};

function AttemptSection({ group, maxAttempts }: { group: AttemptGroup<Attempt, Step>; maxAttempts: number }) {
  const { attempt, previous, steps, number } = group;
  const headingId = `attempt-${number}`;
  const resumedAt = steps[0]?.position ?? 0;
  const stepsCarryError = steps.some((s) => s.status === 'failed' && s.error);
  return (
    <section className={`attempt attempt-${attempt?.status ?? 'unknown'}`} aria-labelledby={headingId}>
      <header className="attempt-header">
        <h3 id={headingId}>
          Attempt {number} <span className="muted">of {maxAttempts}</span>
        </h3>
        {attempt && <span className={`marker marker-${attempt.reason}`}>{REASONS[attempt.reason]}</span>}
        {attempt && <StatusBadge status={attempt.status} />}
        {attempt && (
          <span className="attempt-meta mono" title={`Started ${formatAbsolute(attempt.startedAt)}`}>
            {attempt.finishedAt ? formatDuration(between(attempt.startedAt, attempt.finishedAt)) : formatAbsolute(attempt.startedAt)}
          </span>
        )}
      </header>
      {attempt?.reason === 'retry' && (
        <p className="attempt-cause">
          Retried because attempt {number - 1} failed{previous?.error ? ':' : '.'}
          {previous?.error && <span className="attempt-cause-error"> {previous.error}</span>}
        </p>
      )}
      {attempt?.reason === 'recovered' && (
        <p className="attempt-cause attempt-cause-recovered">
          The runner of attempt {number - 1} stopped mid-run (its lease expired); this attempt resumed from its last recorded
          step.
        </p>
      )}
      {resumedAt > 0 && (
        <p className="muted small attempt-resumed">
          Resumed at step {resumedAt + 1}: steps 1–{resumedAt} finished in earlier attempts and did not run again.
        </p>
      )}
      {attempt?.error && !stepsCarryError && (
        <div className="step-error" role="note">
          {attempt.error}
        </div>
      )}
      {steps.length > 0 ? (
        <StepTimeline steps={steps} />
      ) : (
        <p className="muted small attempt-empty">{attempt?.status === 'running' ? 'No step has finished yet.' : 'No step ran in this attempt.'}</p>
      )}
    </section>
  );
}

function Fact({ term, id, children }: { term: string; id?: string; children: ReactNode }) {
  return (
    <div className="fact" data-testid={id ? `fact-${id}` : undefined}>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}
