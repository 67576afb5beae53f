import { Link } from 'react-router';
import { useEditor, useEditorState } from './context.ts';
import { RUN_STATUS_LABELS } from './testRun.ts';

/**
 * Over the canvas while a test run's results are shown on the nodes: the run's status, a link to
 * it, and a button to clear the results (they also go when the workflow is edited).
 */
export function TestRunBanner() {
  const editor = useEditor();
  const run = useEditorState((s) => s.testRun);
  if (!run) return null;
  const status = run.status ? RUN_STATUS_LABELS[run.status] : 'Loading…';
  const counts = [...run.byNode.values()].reduce<Record<string, number>>((acc, step) => {
    acc[step.status] = (acc[step.status] ?? 0) + 1;
    return acc;
  }, {});
  const parts = Object.entries(counts).map(([status, count]) => `${count} ${status}`);
  return (
    <div className={`test-run-banner banner-${run.status ?? 'loading'}`} role="status" aria-label="Test run results">
      <span className="test-run-banner-dot" aria-hidden="true" />
      <span>
        Test run <strong>{status.toLowerCase()}</strong>
        {!run.final && run.status !== null && '…'}
        {parts.length > 0 && <span className="muted"> · {parts.join(', ')}</span>}
      </span>
      <Link to={`/runs/${run.runId}`} className="test-run-banner-link">
        View run
      </Link>
      <button type="button" className="btn btn-ghost btn-xs" onClick={() => editor.setTestRun(null)}>
        Clear results
      </button>
    </div>
  );
}
