import { type MouseEvent, memo } from 'react';
import { Link, useNavigate } from 'react-router';
import { formatAbsolute, formatRelative } from '../../lib/format.ts';
import type { Environment } from '../../lib/runs.ts';
import { parseScheduledBy } from '../../lib/scheduler.ts';
import { useNow } from '../../lib/useNow.ts';
import type { PendingRun } from './types.ts';

/**
 * Pending runs in due order. Each row is a link to its run (keyboard: Tab to the due time, Enter;
 * the mouse: anywhere on the row); the workflow links to the editor, "scheduled by" a run to that
 * run. Below 860 px wide the rows become cards (styles.css, "Scheduler page").
 */
export function PendingTable({
  runs,
  environment,
  knownWorkflows,
  canCancel,
  onCancel,
}: {
  runs: PendingRun[];
  environment: Environment;
  /** Ids of the workflows that exist now (a deleted one gets no editor link); undefined while loading. */
  knownWorkflows: ReadonlySet<string> | undefined;
  canCancel: boolean;
  onCancel: (run: PendingRun) => void;
}) {
  const now = useNow(5_000);
  return (
    <div className="card table-card">
      <table className="table pending-table">
        <thead>
          <tr>
            <th scope="col">Due</th>
            <th scope="col">Workflow</th>
            <th scope="col">Parameters</th>
            <th scope="col">Scheduled by</th>
            <th scope="col">Pinned to</th>
            <th scope="col" className="num" title="How many runs deep in a chain of runs scheduling runs (0: not scheduled by a run)">
              Chain
            </th>
            {canCancel && (
              <th scope="col" className="col-actions">
                <span className="visually-hidden">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <PendingRow
              key={run.id}
              run={run}
              environment={environment}
              now={now}
              workflowExists={knownWorkflows ? knownWorkflows.has(run.workflowId) : true}
              canCancel={canCancel}
              onCancel={onCancel}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

const PendingRow = memo(function PendingRow({
  run,
  environment,
  now,
  workflowExists,
  canCancel,
  onCancel,
}: {
  run: PendingRun;
  environment: Environment;
  now: number;
  workflowExists: boolean;
  canCancel: boolean;
  onCancel: (run: PendingRun) => void;
}) {
  const navigate = useNavigate();
  const href = `/runs/${run.id}`;
  const due = run.runAt.getTime() <= now;
  const absolute = formatAbsolute(run.runAt);
  const onClick = (event: MouseEvent<HTMLTableRowElement>) => {
    const target = event.target as HTMLElement;
    if (target.closest('a,button') || window.getSelection()?.toString()) return;
    if (event.metaKey || event.ctrlKey) window.open(href, '_blank', 'noopener');
    else void navigate(href);
  };
  return (
    <tr className={`row-link pending-row${due ? ' pending-due' : ''}`} onClick={onClick} data-run-id={run.id}>
      <td className="cell-due">
        <Link to={href} className="strong-link run-link" title={`Open the run · due ${absolute}`}>
          {due ? `due ${formatRelative(run.runAt, now)}` : formatRelative(run.runAt, now)}
          <span className="visually-hidden">, run of {run.workflowName}</span>
        </Link>
        <time className="due-absolute" dateTime={run.runAt.toISOString()}>
          {absolute}
        </time>
        {run.retry && (
          <span className="marker marker-retry" title="Waiting to try again after an attempt that did not finish">
            retry
          </span>
        )}
      </td>
      <td className="cell-workflow">
        {workflowExists ? (
          <Link to={`/workflows/${run.workflowId}`} className="mono" title={`Open ${run.workflowName} in the editor`}>
            {run.workflowName}
          </Link>
        ) : (
          <span className="mono" title="This workflow was deleted">
            {run.workflowName} <span className="muted">(deleted)</span>
          </span>
        )}
      </td>
      <td className="cell-params">
        <Parameters text={run.parameters} />
      </td>
      <td className="cell-by">
        <ScheduledBy value={run.scheduledBy} />
      </td>
      <td className="cell-pinned">
        <Pinned environment={environment} releaseNumber={run.releaseNumber} draftRevision={run.draftRevision} />
      </td>
      <td className="num cell-chain" data-label="Chain">
        <span className={run.chainDepth === 0 ? 'muted' : undefined} title={run.chainDepth === 0 ? 'Not scheduled by a run' : `${run.chainDepth} runs deep in a chain of runs scheduling runs`}>
          {run.chainDepth}
        </span>
      </td>
      {canCancel && (
        <td className="col-actions cell-cancel">
          <button
            type="button"
            className="btn btn-sm btn-ghost btn-danger-text"
            onClick={() => onCancel(run)}
            disabled={run.retry}
            title={run.retry ? 'This run has started already: it waits to try again, and cannot be cancelled from here' : 'Cancel this run: it will not start'}
          >
            Cancel
            <span className="visually-hidden">
              {' '}
              run of {run.workflowName} due {absolute}
            </span>
          </button>
        </td>
      )}
    </tr>
  );
});

/** The parameters as the caller sent them (JSON text, the first 300 characters), on one line. */
function Parameters({ text }: { text: string }) {
  const empty = text === '{}' || text === '';
  if (empty) return <span className="muted">none</span>;
  const cut = text.endsWith('…');
  return (
    <code className="params-preview" title={cut ? `${text}\n(the start of the parameters: the run page shows them all)` : text}>
      {text}
    </code>
  );
}

export function ScheduledBy({ value }: { value: string | null }) {
  const by = parseScheduledBy(value);
  switch (by.kind) {
    case 'api':
      return <span title="A call of the workflow's schedule endpoint">API</span>;
    case 'user':
      return (
        <span className="by-user" title={`Scheduled from the console by ${by.email}`}>
          {by.email}
        </span>
      );
    case 'run':
      return (
        <Link to={`/runs/${by.runId}`} title={`A step of run ${by.runId} scheduled it`}>
          run <span className="mono">{by.runId.slice(-8)}</span>
        </Link>
      );
    case 'batch':
      return (
        <span title={`An item of batch ${by.batchId} (a list scheduled one run per item)`}>
          batch <span className="mono">{by.batchId.slice(-8)}</span>
        </span>
      );
    case 'recurring':
      return <span title="A recurring job">Recurring</span>;
    case 'other':
      return <span className="mono">{by.text}</span>;
    case 'none':
      return <span className="muted">—</span>;
  }
}

function Pinned({ environment, releaseNumber, draftRevision }: { environment: Environment; releaseNumber: number | null; draftRevision: number | null }) {
  if (releaseNumber !== null) {
    return <span title={`Runs release #${releaseNumber} when due, the release that was live when it was scheduled`}>release #{releaseNumber}</span>;
  }
  if (draftRevision !== null) {
    return <span title={`Runs the draft as saved at revision ${draftRevision}, when it was scheduled`}>draft rev {draftRevision}</span>;
  }
  return (
    <span className="muted" title={`No release or draft revision recorded for this ${environment} run`}>
      —
    </span>
  );
}
