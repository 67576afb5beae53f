import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { errorMessage, useTRPC } from '../../api/trpc.ts';
import { Badge } from '../../components/ui.tsx';
import { toast } from '../../components/toast.tsx';
import { formatAbsolute, formatRelative } from '../../lib/format.ts';
import type { Environment } from '../../lib/runs.ts';
import { formatCount } from '../../lib/scheduler.ts';
import { useNow } from '../../lib/useNow.ts';
import { CancelAllDialog } from './CancelAllDialog.tsx';
import type { EnvironmentState, QueueDepth } from './types.ts';

const ADMINS_ONLY = 'Only admins can pause or resume the scheduler';
const LIMIT_MIN = 1;
const LIMIT_MAX = 10_000;

/**
 * The environment's scheduler at a glance: how many runs are pending and due, whether it runs or
 * is paused (and who changed it last), the chain depth limit, and the admin's controls: Pause /
 * Resume, the limit, "Cancel all…". Builders and viewers see the same facts; the controls are
 * disabled (with a reason) or absent.
 */
export function SchedulerStrip({
  environment,
  label,
  state,
  depth,
  isAdmin,
}: {
  environment: Environment;
  /** How the page names the environment ("draft", "live"). */
  label: string;
  state: EnvironmentState | undefined;
  depth: QueueDepth | undefined;
  isAdmin: boolean;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const now = useNow(15_000);
  const [cancelAllOpen, setCancelAllOpen] = useState(false);
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.scheduler.pathKey() });
  };

  const setPaused = useMutation(
    trpc.scheduler.setPaused.mutationOptions({
      onSuccess: (_r, { paused }) => toast.success(paused ? `Paused the ${label} scheduler` : `Resumed the ${label} scheduler`),
      onError: (error) => toast.error(`Could not change the scheduler: ${errorMessage(error)}`),
      onSettled: refresh,
    }),
  );

  const paused = state?.paused ?? false;
  const due = depth?.due ?? 0;
  // Between the click and the refetch, the badge already shows what was asked for.
  const shownPaused = setPaused.isPending ? setPaused.variables.paused : paused;

  return (
    <>
      <section className={`card scheduler-strip${shownPaused ? ' scheduler-strip-paused' : ''}`} aria-label="Scheduler status">
        <div className="strip-item">
          <span className="strip-label">Pending</span>
          <span className="strip-value" data-testid="pending-count" title="Runs waiting for their due time, and due runs not started yet">
            {depth ? formatCount(depth.pending) : '–'}
          </span>
        </div>
        <div className="strip-item">
          <span className="strip-label">Due now</span>
          <span
            className={`strip-value${due > 0 && shownPaused ? ' strip-value-warning' : ''}`}
            data-testid="due-count"
            title="Due already and not started: waiting for a runner, or for the scheduler to be resumed"
          >
            {depth ? formatCount(due) : '–'}
          </span>
        </div>
        <div className="strip-item strip-state">
          <span className="strip-label">Scheduler</span>
          <span className="strip-state-line">
            <span data-testid="scheduler-state">
              {shownPaused ? (
                <Badge tone="warning" title="Runs scheduled for later do not start, even when due">
                  Paused
                </Badge>
              ) : (
                <Badge tone="success" title="Runs start when they are due">
                  Running
                </Badge>
              )}
            </span>
            {state?.changedAt && (
              <span className="muted small strip-changed" title={`Last change to this scheduler (paused, resumed or its limit): ${formatAbsolute(state.changedAt)}`}>
                {state.changedBy ? `by ${state.changedBy}, ` : ''}
                <time dateTime={state.changedAt.toISOString()}>{formatRelative(state.changedAt, now)}</time>
              </span>
            )}
          </span>
        </div>
        <ChainDepthLimit key={`${environment}:${state?.chainDepthLimit ?? ''}`} environment={environment} limit={state?.chainDepthLimit} isAdmin={isAdmin} />
        <div className="strip-actions">
          <span title={isAdmin ? undefined : ADMINS_ONLY} className="strip-action-wrap">
            <button
              type="button"
              className="btn"
              disabled={!isAdmin || !state || setPaused.isPending}
              title={isAdmin ? (shownPaused ? `Start due runs in ${label} again` : `Hold every run scheduled for later in ${label}`) : ADMINS_ONLY}
              onClick={() => setPaused.mutate({ environment, paused: !paused })}
            >
              {shownPaused ? 'Resume' : 'Pause'}
            </button>
          </span>
          {isAdmin && (
            <button type="button" className="btn btn-danger-outline" onClick={() => setCancelAllOpen(true)} disabled={!depth}>
              Cancel all…
            </button>
          )}
        </div>
      </section>

      {shownPaused && (
        <p className="scheduler-paused-note" role="status">
          The {label} scheduler is paused: runs scheduled for later do not start, even when due
          {due > 0 ? ` (${formatCount(due)} ${due === 1 ? 'is' : 'are'} due now)` : ''}. Calls that wait for their result still run.
          {isAdmin ? ' Resume to start what is due, in due order.' : ' An admin can resume it.'}
        </p>
      )}

      {cancelAllOpen && (
        <CancelAllDialog environment={environment} label={label} pending={depth?.pending ?? 0} onClose={() => setCancelAllOpen(false)} />
      )}
    </>
  );
}

/** The chain depth limit: a number an admin edits and saves; others read it. */
export function ChainDepthLimit({ environment, limit, isAdmin }: { environment: Environment; limit: number | undefined; isAdmin: boolean }) {
  const id = useId();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  // The field starts at the server's value; the strip gives it a new key when that value changes.
  const [text, setText] = useState(limit === undefined ? '' : String(limit));
  const save = useMutation(
    trpc.scheduler.setChainDepthLimit.mutationOptions({
      onSuccess: (_r, vars) => toast.success(`Chain depth limit set to ${formatCount(vars.limit)}`),
      onError: (error) => toast.error(`Could not set the chain depth limit: ${errorMessage(error)}`),
      onSettled: () => void queryClient.invalidateQueries({ queryKey: trpc.scheduler.state.queryKey() }),
    }),
  );
  const help =
    'How many runs deep a chain of runs scheduling runs may go (a workflow that schedules itself): past it, scheduling fails instead of looping forever';
  const value = Number(text);
  const valid = /^\d+$/.test(text.trim()) && value >= LIMIT_MIN && value <= LIMIT_MAX;
  const changed = limit !== undefined && valid && value !== limit;

  if (!isAdmin) {
    return (
      <div className="strip-item">
        <span className="strip-label">Chain depth limit</span>
        <span className="strip-value strip-value-small" title={help} data-testid="chain-depth-limit">
          {limit === undefined ? '–' : formatCount(limit)}
        </span>
      </div>
    );
  }
  return (
    <form
      className="strip-item strip-limit"
      onSubmit={(event) => {
        event.preventDefault();
        if (changed) save.mutate({ environment, limit: value });
      }}
    >
      <label htmlFor={id} className="strip-label" title={help}>
        Chain depth limit
      </label>
      <span className="strip-limit-row">
        <input
          id={id}
          type="number"
          inputMode="numeric"
          min={LIMIT_MIN}
          max={LIMIT_MAX}
          step={1}
          value={text}
          disabled={limit === undefined || save.isPending}
          aria-invalid={text !== '' && !valid}
          aria-describedby={text !== '' && !valid ? `${id}-error` : undefined}
          title={help}
          onChange={(event) => setText(event.target.value)}
        />
        <button type="submit" className="btn btn-sm" disabled={!changed || save.isPending}>
          {save.isPending ? 'Saving…' : 'Save'}
        </button>
      </span>
      {text !== '' && !valid && (
        <span id={`${id}-error`} className="strip-hint strip-hint-error" role="alert">
          A whole number from {LIMIT_MIN} to {formatCount(LIMIT_MAX)}
        </span>
      )}
    </form>
  );
}
