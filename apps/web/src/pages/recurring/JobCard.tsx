import { useId } from 'react';
import { Link } from 'react-router';
import { errorMessage } from '../../api/trpc.ts';
import { Switch } from '../../components/Switch.tsx';
import { StatusBadge } from '../../components/ui.tsx';
import { formatAbsolute, formatRelative } from '../../lib/format.ts';
import {
  type RecurringHistoryEntry,
  type RecurringJob,
  type RecurringJobEnvironment,
  UNAVAILABLE_HINTS,
  UNAVAILABLE_REASONS,
  formatFireTime,
  historyLabel,
  isHistoryKind,
  needsSeconds,
  recurringRunsHref,
  switchRule,
} from '../../lib/recurring.ts';
import { type Environment, displayStatus, isRunStatus } from '../../lib/runs.ts';
import { useRecurringSwitch } from './useRecurringSwitch.ts';

export const ENV_LABELS: Record<Environment, string> = { draft: 'Draft (test)', live: 'Live' };
/** History lines shown before "Earlier". */
const HISTORY_SHOWN = 3;

/** A recurring workflow: its name (to the editor), then its draft and live jobs side by side. */
export function JobCard({ job, isAdmin, now }: { job: RecurringJob; isAdmin: boolean; now: number }) {
  const titleId = useId();
  return (
    <li className="card recurring-job" data-workflow-id={job.workflowId} aria-labelledby={titleId}>
      <div className="recurring-job-head">
        <h2 id={titleId} className="recurring-job-title">
          <Link to={`/workflows/${job.workflowId}`} className="mono" title={`Open ${job.name} in the editor`}>
            {job.name}
          </Link>
        </h2>
        {job.label && <span className="muted recurring-job-label">{job.label}</span>}
      </div>
      <div className="recurring-envs">
        {job.environments.map((env) => (
          <EnvironmentPanel key={env.environment} workflowId={job.workflowId} name={job.name} env={env} isAdmin={isAdmin} now={now} />
        ))}
      </div>
    </li>
  );
}

function EnvironmentPanel({
  workflowId,
  name,
  env,
  isAdmin,
  now,
}: {
  workflowId: string;
  name: string;
  env: RecurringJobEnvironment;
  isAdmin: boolean;
  now: number;
}) {
  const id = useId();
  const toggle = useRecurringSwitch(workflowId, env.environment);
  const on = toggle.pending ?? env.enabled;
  const rule = switchRule(env, isAdmin);
  const label = ENV_LABELS[env.environment];
  const withSeconds = needsSeconds(env.nextFires);
  const unavailable = !env.available;
  // The reason a switch cannot be used is its title; the one about the job itself is also said in the panel.
  const reasonShown = rule.reason === UNAVAILABLE_REASONS[env.environment];

  return (
    <section className={`recurring-env${on ? ' recurring-env-on' : ''}${unavailable ? ' recurring-env-unavailable' : ''}`} aria-labelledby={`${id}-env`} data-environment={env.environment}>
      <div className="recurring-env-head">
        <h3 id={`${id}-env`}>{label}</h3>
        <Switch
          on={on}
          onChange={(next) => toggle.set(next)}
          label={`Run ${name} on its schedule in ${env.environment}`}
          describedBy={rule.reason ? `${id}-reason` : undefined}
          disabled={rule.disabled || toggle.pending !== null}
          title={rule.reason ?? (on ? `Switch off: ${name} stops firing in ${env.environment}` : `Switch on: ${name} fires on its schedule in ${env.environment}`)}
        />
      </div>

      {rule.reason && (
        <p id={`${id}-reason`} className={reasonShown ? 'recurring-reason' : 'visually-hidden'}>
          {rule.reason}
        </p>
      )}
      {toggle.error && (
        <p className="recurring-error" role="alert">
          Could not switch it {toggle.failedTo ? 'on' : 'off'}: {errorMessage(toggle.error)}
        </p>
      )}

      {unavailable ? (
        <>
          {!reasonShown && <p className="recurring-reason">{UNAVAILABLE_REASONS[env.environment]}</p>}
          <p className="muted small">
            {UNAVAILABLE_HINTS[env.environment]}
            {env.enabled && ' It is still switched on here: switch it off, or it fires again once it is recurring.'}
          </p>
        </>
      ) : (
        <>
          <p className="recurring-schedule" data-testid="schedule">
            {env.schedule}
          </p>
          <p className="muted small recurring-changed">
            {on ? 'On' : 'Off'}
            {env.changedAt ? (
              <>
                {' since '}
                <time dateTime={env.changedAt.toISOString()} title={formatAbsolute(env.changedAt)}>
                  {formatRelative(env.changedAt, now)}
                </time>
                {env.changedBy ? `, by ${env.changedBy}` : ''}
              </>
            ) : (
              ': never switched on'
            )}
          </p>
          <div className="recurring-next">
            <h4 id={`${id}-next`}>{on ? 'Next fire times' : 'Would fire at'}</h4>
            {env.nextFires.length === 0 ? (
              <p className="muted small">No fire time ahead.</p>
            ) : (
              <ol className="fire-times" aria-labelledby={`${id}-next`}>
                {env.nextFires.map((at) => (
                  <li key={at.getTime()}>
                    <time dateTime={at.toISOString()} title={formatAbsolute(at)}>
                      {formatFireTime(at, now, { seconds: withSeconds })}
                    </time>
                  </li>
                ))}
              </ol>
            )}
          </div>
        </>
      )}

      <div className="recurring-last" data-testid="last-run">
        <span className="recurring-last-label">Last run</span>
        {env.lastRun ? (
          <>
            <Link to={`/runs/${env.lastRun.id}`} className="recurring-last-link" title={`Open the run · due ${formatAbsolute(env.lastRun.runAt)}`}>
              <StatusBadge status={isRunStatus(env.lastRun.status) ? displayStatus({ status: env.lastRun.status, runAt: env.lastRun.runAt }, now) : env.lastRun.status} />
              <span className="visually-hidden"> run of {name}, </span>
            </Link>
            <time className="muted small" dateTime={env.lastRun.runAt.toISOString()} title={formatAbsolute(env.lastRun.runAt)}>
              {formatRelative(env.lastRun.runAt, now)}
            </time>
          </>
        ) : (
          <span className="muted small">None yet</span>
        )}
        <Link to={recurringRunsHref(workflowId, env.environment)} className="recurring-all-runs small">
          All its runs<span className="visually-hidden"> of {name} in {env.environment}</span>
        </Link>
      </div>

      {env.history.length > 0 && <History entries={env.history} now={now} />}
    </section>
  );
}

function History({ entries, now }: { entries: RecurringHistoryEntry[]; now: number }) {
  const shown = entries.slice(0, HISTORY_SHOWN);
  const earlier = entries.slice(HISTORY_SHOWN);
  return (
    <div className="recurring-history">
      <h4>History</h4>
      <ul className="history-lines">
        {shown.map((entry, i) => (
          <HistoryLine key={`${entry.at.getTime()}-${i}`} entry={entry} now={now} />
        ))}
      </ul>
      {earlier.length > 0 && (
        <details className="history-earlier">
          <summary>Earlier ({earlier.length})</summary>
          <ul className="history-lines">
            {earlier.map((entry, i) => (
              <HistoryLine key={`${entry.at.getTime()}-${i}`} entry={entry} now={now} />
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}

function HistoryLine({ entry, now }: { entry: RecurringHistoryEntry; now: number }) {
  const kind = isHistoryKind(entry.kind) ? entry.kind : 'other';
  return (
    <li className={`history-line history-${kind}`}>
      <span className="history-mark" aria-hidden="true" />
      <span className="history-text">
        <span className="visually-hidden">{historyLabel(entry.kind)}: </span>
        {entry.message}
        {entry.runId && (
          <>
            {' · '}
            <Link to={`/runs/${entry.runId}`}>the run</Link>
          </>
        )}
      </span>
      <time className="history-at" dateTime={entry.at.toISOString()} title={formatAbsolute(entry.at)}>
        {formatRelative(entry.at, now)}
      </time>
    </li>
  );
}
