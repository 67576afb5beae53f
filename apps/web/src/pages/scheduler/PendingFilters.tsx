import { useId } from 'react';
import { fromDateTimeLocal, toDateTimeLocal } from '../../lib/runFilters.ts';
import { type SchedulerView, isNarrowed, withoutFilters } from '../../lib/scheduler.ts';

interface WorkflowOption {
  id: string;
  name: string;
}

/** The pending list's filters (workflow, due from, due to); every change goes to the URL (`onChange`). */
export function PendingFilters({
  view,
  workflows,
  onChange,
}: {
  view: SchedulerView;
  /** The workflows that exist now; undefined while loading. */
  workflows: WorkflowOption[] | undefined;
  onChange: (next: SchedulerView) => void;
}) {
  const id = useId();
  const set = (patch: Partial<SchedulerView>) => onChange({ ...view, ...patch });
  const knownWorkflow = !view.workflowId || !workflows || workflows.some((w) => w.id === view.workflowId);
  return (
    <search className="run-filters scheduler-filters" aria-label="Filter pending runs">
      <div className="run-filters-row">
        <div className="filter">
          <label htmlFor={`${id}-workflow`} className="field-label">
            Workflow
          </label>
          <select id={`${id}-workflow`} value={view.workflowId ?? ''} onChange={(e) => set({ workflowId: e.target.value || null })}>
            <option value="">All workflows</option>
            {!knownWorkflow && view.workflowId && <option value={view.workflowId}>A deleted workflow</option>}
            {workflows?.map((w) => (
              <option key={w.id} value={w.id}>
                {w.name}
              </option>
            ))}
          </select>
        </div>
        <div className="filter filter-date">
          <label htmlFor={`${id}-from`} className="field-label">
            Due from
          </label>
          <input
            id={`${id}-from`}
            type="datetime-local"
            value={view.from ? toDateTimeLocal(view.from) : ''}
            max={view.to ? toDateTimeLocal(view.to) : undefined}
            onChange={(e) => set({ from: fromDateTimeLocal(e.target.value) })}
          />
        </div>
        <div className="filter filter-date">
          <label htmlFor={`${id}-to`} className="field-label">
            Due before
          </label>
          <input
            id={`${id}-to`}
            type="datetime-local"
            value={view.to ? toDateTimeLocal(view.to) : ''}
            min={view.from ? toDateTimeLocal(view.from) : undefined}
            onChange={(e) => set({ to: fromDateTimeLocal(e.target.value) })}
          />
        </div>
        {isNarrowed(view) && (
          <button type="button" className="btn btn-ghost btn-sm filters-clear" onClick={() => onChange(withoutFilters(view))}>
            Clear filters
          </button>
        )}
      </div>
    </search>
  );
}
