import { useId } from 'react';
import { RELATIVE_RANGES, type RunFilters, type TimeRange, fromDateTimeLocal, isFiltered, NO_FILTERS, toDateTimeLocal } from '../../lib/runFilters.ts';
import {
  ENVIRONMENT_LABELS,
  ENVIRONMENTS,
  RUN_STATUSES,
  STATUS_DESCRIPTIONS,
  STATUS_LABELS,
  TRIGGER_DESCRIPTIONS,
  TRIGGER_LABELS,
  TRIGGERS,
  isEnvironment,
  isTrigger,
} from '../../lib/runs.ts';

interface WorkflowOption {
  id: string;
  name: string;
}

/** The runs list's filters; every change goes to the URL (the caller's `onChange`). */
export function RunFiltersBar({
  filters,
  workflows,
  onChange,
}: {
  filters: RunFilters;
  /** The workflows that exist now; undefined while loading. */
  workflows: WorkflowOption[] | undefined;
  onChange: (next: RunFilters) => void;
}) {
  const id = useId();
  const set = (patch: Partial<RunFilters>) => onChange({ ...filters, ...patch });
  const knownWorkflow = !filters.workflowId || !workflows || workflows.some((w) => w.id === filters.workflowId);

  const setRange = (range: TimeRange) => {
    if (range !== 'custom') return set({ range, since: null, until: null });
    // Start a custom range from the last 24 hours, which the person then adjusts.
    const until = new Date();
    set({ range, since: new Date(until.getTime() - RELATIVE_RANGES['24h'].ms), until: null });
  };

  return (
    <search className="run-filters" aria-label="Filter runs">
      <div className="run-filters-row">
        <div className="filter">
          <label htmlFor={`${id}-workflow`} className="field-label">
            Workflow
          </label>
          <select
            id={`${id}-workflow`}
            value={filters.workflowId ?? (filters.workflowName ? `name:${filters.workflowName}` : '')}
            onChange={(e) => {
              const value = e.target.value;
              if (value.startsWith('name:')) return;
              set({ workflowId: value || null, workflowName: null });
            }}
          >
            <option value="">All workflows</option>
            {!knownWorkflow && filters.workflowId && <option value={filters.workflowId}>A deleted workflow</option>}
            {filters.workflowName && !filters.workflowId && (
              <option value={`name:${filters.workflowName}`}>{filters.workflowName} (name at run time)</option>
            )}
            {workflows?.map((w) => (
              <option key={w.id} value={w.id}>
                {w.name}
              </option>
            ))}
          </select>
        </div>

        <div className="filter">
          <label htmlFor={`${id}-env`} className="field-label">
            Environment
          </label>
          <select
            id={`${id}-env`}
            value={filters.environment ?? ''}
            onChange={(e) => set({ environment: isEnvironment(e.target.value) ? e.target.value : null })}
          >
            <option value="">Draft and live</option>
            {ENVIRONMENTS.map((env) => (
              <option key={env} value={env}>
                {ENVIRONMENT_LABELS[env]}
              </option>
            ))}
          </select>
        </div>

        <div className="filter">
          <label htmlFor={`${id}-trigger`} className="field-label">
            Trigger
          </label>
          <select
            id={`${id}-trigger`}
            value={filters.trigger ?? ''}
            onChange={(e) => set({ trigger: isTrigger(e.target.value) ? e.target.value : null })}
          >
            <option value="">All triggers</option>
            {TRIGGERS.map((trigger) => (
              <option key={trigger} value={trigger} title={TRIGGER_DESCRIPTIONS[trigger]}>
                {TRIGGER_LABELS[trigger]}
              </option>
            ))}
          </select>
        </div>

        <div className="filter">
          <label htmlFor={`${id}-time`} className="field-label">
            Created
          </label>
          <select id={`${id}-time`} value={filters.range} onChange={(e) => setRange(e.target.value as TimeRange)}>
            <option value="all">Any time</option>
            {Object.entries(RELATIVE_RANGES).map(([key, range]) => (
              <option key={key} value={key}>
                {range.label}
              </option>
            ))}
            <option value="custom">Custom range…</option>
          </select>
        </div>

        {filters.range === 'custom' && (
          <>
            <div className="filter filter-date">
              <label htmlFor={`${id}-since`} className="field-label">
                From
              </label>
              <input
                id={`${id}-since`}
                type="datetime-local"
                value={filters.since ? toDateTimeLocal(filters.since) : ''}
                max={filters.until ? toDateTimeLocal(filters.until) : undefined}
                onChange={(e) => set({ since: fromDateTimeLocal(e.target.value) })}
              />
            </div>
            <div className="filter filter-date">
              <label htmlFor={`${id}-until`} className="field-label">
                To
              </label>
              <input
                id={`${id}-until`}
                type="datetime-local"
                value={filters.until ? toDateTimeLocal(filters.until) : ''}
                min={filters.since ? toDateTimeLocal(filters.since) : undefined}
                onChange={(e) => set({ until: fromDateTimeLocal(e.target.value) })}
              />
            </div>
          </>
        )}

      </div>

      <fieldset className="status-filter">
        <legend className="field-label">Status</legend>
        <div className="chips">
          {RUN_STATUSES.map((status) => {
            const checked = filters.statuses.includes(status);
            return (
              <label key={status} className={`chip chip-${status}${checked ? ' chip-on' : ''}`} title={status === 'queued' ? 'Waiting for a runner, including pending runs (due later)' : STATUS_DESCRIPTIONS[status]}>
                <input
                  type="checkbox"
                  checked={checked}
                  onChange={() =>
                    set({ statuses: checked ? filters.statuses.filter((s) => s !== status) : [...filters.statuses, status] })
                  }
                />
                <span className={`status-mark dot dot-${status}`} aria-hidden="true" />
                {STATUS_LABELS[status]}
              </label>
            );
          })}
          {isFiltered(filters) && (
            <button type="button" className="btn btn-ghost btn-sm filters-clear" onClick={() => onChange(NO_FILTERS)}>
              Clear filters
            </button>
          )}
        </div>
      </fieldset>
    </search>
  );
}
