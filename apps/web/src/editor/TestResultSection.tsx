import { JsonBlock } from '../components/ui.tsx';
import { formatDuration } from '../lib/format.ts';
import { useEditorState } from './context.ts';
import { RUN_STATUS_LABELS, STEP_STATUS_LABELS } from './testRun.ts';

/**
 * The last test run's result for one node, at the top of its side panel: the step's status, error,
 * output and log lines (for the event: the run's own status). Nothing when no test run is shown.
 */
export function TestResultSection({ nodeId }: { nodeId: string }) {
  const run = useEditorState((s) => s.testRun);
  const step = useEditorState((s) => s.testRun?.byNode.get(nodeId));
  // The event (either kind) shows the run's own status.
  const isEvent = useEditorState((s) => {
    const type = s.nodes.find((n) => n.id === nodeId)?.type;
    return type !== undefined && type !== 'action';
  });
  if (!run) return null;
  if (isEvent) {
    if (!run.status) return null;
    return (
      <section className="inspector-section test-result" aria-label="Last test run">
        <div className="test-result-line">
          <span className={`run-chip run-chip-${run.status}`}>{RUN_STATUS_LABELS[run.status]}</span>
          <span className="muted small">Last test run{run.attempts > 1 ? ` · ${run.attempts} attempts` : ''}</span>
        </div>
        {run.error && <p className="test-result-error">{run.error}</p>}
      </section>
    );
  }
  if (!step) {
    if (!run.final) return null;
    return (
      <section className="inspector-section test-result" aria-label="Last test run">
        <div className="test-result-line">
          <span className="run-chip run-chip-not-run">Not run</span>
          <span className="muted small">The last test run did not reach this step.</span>
        </div>
      </section>
    );
  }
  return (
    <section className="inspector-section test-result" aria-label="Last test run">
      <div className="test-result-line">
        <span className={`run-chip run-chip-${step.status}`}>{STEP_STATUS_LABELS[step.status]}</span>
        <span className="muted small">
          Last test run · {formatDuration(step.durationMs)}
          {step.attempt > 1 ? ` · attempt ${step.attempt}` : ''}
        </span>
      </div>
      {step.error && <p className="test-result-error">{step.error}</p>}
      {step.output !== undefined && (
        <div className="test-result-block">
          <div className="field-label">Output</div>
          <JsonBlock value={step.output} />
        </div>
      )}
      {step.logs.length > 0 && (
        <div className="test-result-block">
          <div className="field-label">Log</div>
          <pre className="json test-result-logs">{step.logs.join('\n')}</pre>
        </div>
      )}
    </section>
  );
}
