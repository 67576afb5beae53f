import { type MouseEvent, memo } from 'react';
import { Link, useNavigate } from 'react-router';
import type { RunSummary } from '../../api/types.ts';
import { EnvBadge, StatusBadge } from '../../components/ui.tsx';
import { between, formatAbsolute, formatDuration, formatRelative, formatShortDateTime, plural } from '../../lib/format.ts';
import type { LiveRow } from '../../lib/liveList.ts';
import { TRIGGER_DESCRIPTIONS, TRIGGER_LABELS, displayStatus, isActive } from '../../lib/runs.ts';
import { useNow } from '../../lib/useNow.ts';

/** A queued run waited this long or more before it started: the list says so under its duration. */
const NOTABLE_WAIT_MS = 1_000;

/**
 * The runs as a table: each row is a link to the run (keyboard: Tab to the workflow name, Enter),
 * the whole row clickable with the mouse. Below 800 px wide the rows stack (styles.css).
 */
export function RunsTable({
  rows,
  loadingCursor,
  onLoadGap,
}: {
  rows: LiveRow<RunSummary>[];
  loadingCursor: string | null;
  onLoadGap: (cursor: string) => void;
}) {
  // Only rows that may still change get the ticking clock, so finished rows are not redrawn.
  const now = useNow(1_000);
  const today = new Date(now).setHours(0, 0, 0, 0);
  return (
    <div className="card table-card">
      <table className="table runs-table">
        <thead>
          <tr>
            <th scope="col">Workflow</th>
            <th scope="col">Status</th>
            <th scope="col">Environment</th>
            <th scope="col">Trigger</th>
            <th scope="col">Created</th>
            <th scope="col" className="num">
              Duration
            </th>
            <th scope="col">Error</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) =>
            row.kind === 'gap' ? (
              <tr key={`gap-${row.cursor}`} className="gap-row">
                <td colSpan={7}>
                  <span className="muted">More runs arrived here than one refresh brings.</span>
                  <button
                    type="button"
                    className="btn btn-sm"
                    onClick={() => onLoadGap(row.cursor)}
                    disabled={loadingCursor === row.cursor}
                  >
                    {loadingCursor === row.cursor ? 'Loading…' : 'Load the runs in between'}
                  </button>
                </td>
              </tr>
            ) : (
              <RunRow key={row.run.id} run={row.run} now={isActive(row.run.status) ? now : 0} today={today} />
            ),
          )}
        </tbody>
      </table>
    </div>
  );
}

const RunRow = memo(function RunRow({ run, now, today }: { run: RunSummary; now: number; today: number }) {
  const navigate = useNavigate();
  const href = `/runs/${run.id}`;
  const status = displayStatus(run, now);
  const onClick = (event: MouseEvent<HTMLTableRowElement>) => {
    const target = event.target as HTMLElement;
    if (target.closest('a,button') || window.getSelection()?.toString()) return;
    if (event.metaKey || event.ctrlKey) window.open(href, '_blank', 'noopener');
    else void navigate(href);
  };
  return (
    <tr className={`row-link run-row run-${status}`} onClick={onClick}>
      <td className="cell-workflow">
        <Link to={href} className="mono strong-link run-link">
          {run.workflowName}
          <span className="visually-hidden">
            , {status} run, created {formatAbsolute(run.createdAt)}
          </span>
        </Link>
      </td>
      <td className="cell-status">
        <span className="status-cell">
          <StatusBadge status={status} title={status === 'pending' ? `Pending until ${formatAbsolute(run.runAt)}` : undefined} />
          {run.recovered && (
            <span className="marker marker-recovered" title="Recovered after a crash: a runner stopped during this run, and another attempt resumed it">
              recovered
            </span>
          )}
          {run.attempts > 1 && (
            <span className="marker" title={`Ran ${plural(run.attempts, 'attempt')}`}>
              {plural(run.attempts, 'attempt')}
            </span>
          )}
        </span>
      </td>
      <td className="cell-env">
        <EnvBadge environment={run.environment} releaseNumber={run.releaseNumber} />
      </td>
      <td className="cell-trigger" title={TRIGGER_DESCRIPTIONS[run.trigger]}>
        {TRIGGER_LABELS[run.trigger]}
      </td>
      <td className="cell-created">
        <CreatedTime date={run.createdAt} today={today} />
      </td>
      <td className="num cell-duration">
        <Timing run={run} status={status} now={now} />
      </td>
      <td className={`error-cell cell-error${run.status === 'skipped' ? ' error-cell-quiet' : ''}`} title={run.error ?? undefined}>
        {run.error ?? ''}
      </td>
    </tr>
  );
});

function CreatedTime({ date, today }: { date: Date; today: number }) {
  // `today` (midnight) changes once a day: it decides between "14:02:11" and "3 May, 14:02".
  return (
    <time dateTime={date.toISOString()} title={formatAbsolute(date)} className="mono nowrap">
      {formatShortDateTime(date, today)}
    </time>
  );
}

/** The run's duration; for a run still going, how long it has waited or run so far. */
function Timing({ run, status, now }: { run: RunSummary; status: string; now: number }) {
  const wait = between(run.createdAt, run.startedAt);
  const title = [
    wait !== null ? `Waited ${formatDuration(wait)} from queued to started` : null,
    run.durationMs !== null ? `Ran ${formatDuration(run.durationMs)}` : null,
  ]
    .filter(Boolean)
    .join('; ');
  if (status === 'pending') {
    return (
      <span className="muted" title={`Due ${formatAbsolute(run.runAt)}`}>
        due {formatRelative(run.runAt, now)}
      </span>
    );
  }
  if (status === 'queued') {
    return <span className="muted">waiting {formatDuration(between(run.runAt > run.createdAt ? run.runAt : run.createdAt, new Date(now)))}</span>;
  }
  if (status === 'running') {
    return (
      <span className="muted" title={title}>
        running {formatDuration(between(run.startedAt ?? run.createdAt, new Date(now)))}
      </span>
    );
  }
  return (
    <span title={title || undefined}>
      <span className="mono">{formatDuration(run.durationMs)}</span>
      {wait !== null && wait >= NOTABLE_WAIT_MS && <span className="timing-wait">waited {formatDuration(wait)}</span>}
    </span>
  );
}
