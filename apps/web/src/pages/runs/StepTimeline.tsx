import { memo, useId, useState } from 'react';
import type { RunDetail } from '../../api/types.ts';
import { JsonText, StatusBadge } from '../../components/ui.tsx';
import { formatAbsolute, formatDuration, plural } from '../../lib/format.ts';
import { collapseSteps, stepKey } from '../../lib/runSteps.ts';

export type Step = RunDetail['steps'][number];

/** The element id of a step's card, for "Jump to first failure" and links. */
export const stepElementId = (step: Pick<Step, 'attempt' | 'path'>) => `step-${stepKey(step)}`;

/**
 * The steps of one attempt in order. Long attempts (more than 20 steps) fold their middle into a
 * "Show N more steps" row; failed steps and their neighbours always stay in view.
 */
export function StepTimeline({ steps }: { steps: Step[] }) {
  const [opened, setOpened] = useState<ReadonlySet<number>>(() => new Set());
  const [all, setAll] = useState(false);
  const failed = steps.flatMap((step, index) => (step.status === 'failed' ? [index] : []));
  const segments = all ? [{ kind: 'shown' as const, start: 0, end: steps.length }] : collapseSteps(steps.length, { keep: failed });
  const folded = segments.some((s) => s.kind === 'hidden' && !opened.has(s.start));

  return (
    <>
      <ol className="timeline">
        {segments.map((segment) =>
          segment.kind === 'hidden' && !opened.has(segment.start) ? (
            <li key={`fold-${segment.start}`} className="timeline-fold">
              <span className="timeline-marker timeline-marker-fold" aria-hidden="true" />
              <button
                type="button"
                className="btn btn-sm fold-button"
                onClick={() => setOpened(new Set(opened).add(segment.start))}
              >
                Show {plural(segment.end - segment.start, 'more step')} ({segment.start + 1}–{segment.end})
              </button>
            </li>
          ) : (
            steps.slice(segment.start, segment.end).map((step) => <StepItem key={stepKey(step)} step={step} />)
          ),
        )}
      </ol>
      {(folded || all) && steps.length > 20 && (
        <div className="timeline-footer">
          <button
            type="button"
            className="btn btn-ghost btn-sm"
            onClick={() => {
              setAll(!all);
              setOpened(new Set());
            }}
          >
            {all ? 'Fold the middle again' : `Show all ${steps.length} steps`}
          </button>
        </div>
      )}
    </>
  );
}

const StepItem = memo(function StepItem({ step }: { step: Step }) {
  return (
    <li id={stepElementId(step)} tabIndex={-1} className={`timeline-item step-${step.status}`} aria-label={`Step ${step.position + 1}: ${step.label}, ${step.status}`}>
      <span className="timeline-marker" aria-hidden="true" />
      <div className="card step-card">
        <div className="step-header">
          <span className="step-position" title={`Path ${step.path}`}>
            {step.position + 1}
          </span>
          <h4 className="step-label">{step.label}</h4>
          <span className="step-type mono">{step.type}</span>
          <StatusBadge status={step.status} title={step.status === 'skipped' ? 'Its “Only when” was false' : undefined} />
          <span className="step-meta mono" title={`Started ${formatAbsolute(step.startedAt)}`}>
            {formatDuration(step.durationMs)}
          </span>
        </div>
        {step.error && (
          <div className="step-error" role="note">
            {step.error}
          </div>
        )}
        {step.logs.length > 0 && (
          <div className="step-logs">
            <div className="section-title">Logs</div>
            <pre className="logs">{step.logs.join('\n')}</pre>
          </div>
        )}
        {step.status !== 'skipped' && <StepData step={step} />}
      </div>
    </li>
  );
});

/**
 * The step's input and output, folded: two toggles on one line, each opening its value below.
 * Values are parsed and drawn only once opened (long runs have many).
 */
function StepData({ step }: { step: Step }) {
  const id = useId();
  const [open, setOpen] = useState({ input: false, output: false });
  const parts = [
    { key: 'input', label: 'Input', text: step.input, empty: 'No input recorded' },
    { key: 'output', label: 'Output', text: step.output, empty: 'No output' },
  ] as const;
  return (
    <div className="step-io">
      <div className="step-io-toggles">
        {parts.map((part) => (
          <button
            key={part.key}
            type="button"
            className="io-toggle"
            aria-expanded={open[part.key]}
            aria-controls={`${id}-${part.key}`}
            onClick={() => setOpen({ ...open, [part.key]: !open[part.key] })}
          >
            <span className="io-caret" aria-hidden="true" />
            {part.label}
            {part.text === null && <span className="io-none"> · none</span>}
          </button>
        ))}
      </div>
      {parts.map(
        (part) =>
          open[part.key] && (
            <div key={part.key} id={`${id}-${part.key}`} className="step-io-panel">
              <div className="section-title">{part.label}</div>
              <JsonText text={part.text} empty={part.empty} label={`${part.label} of step ${step.position + 1}`} />
            </div>
          ),
      )}
    </div>
  );
}
