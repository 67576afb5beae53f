import { Badge } from '../../components/ui.tsx';
import { plural } from '../../lib/format.ts';
import { type PreviewWorkflow, type ReleasePreview, diffSections } from '../../lib/releases.ts';
import './releases.css';

const CHANGE_BADGES = {
  added: { tone: 'success', text: 'Goes live' },
  removed: { tone: 'danger', text: 'Taken off live' },
  changed: { tone: 'warning', text: 'Changed' },
  unchanged: { tone: 'neutral', text: 'Unchanged' },
} as const;

const MARKS = { added: '+', removed: '−', changed: '~' } as const;

/**
 * What a deploy or a restore would change, per workflow, and what it refuses: the kernel's diff
 * (steps and parameters by stable id, settings and endpoint in words), as the confirm dialogs show it.
 */
export function ReleasePreviewView({ preview, empty }: { preview: ReleasePreview; empty: string }) {
  return (
    <div className="release-preview">
      {preview.refused.length > 0 && (
        <section className="release-refused" aria-label="Not deployed">
          <h3>Not deployed</h3>
          <ul>
            {preview.refused.map((r) => (
              <li key={r.workflowId} data-workflow-id={r.workflowId}>
                <strong className="mono">{r.name}</strong>: {r.reason}
              </li>
            ))}
          </ul>
        </section>
      )}
      {preview.workflows.length === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        <ul className="release-diff-list" aria-label="Changes">
          {preview.workflows.map((w) => (
            <WorkflowDiffView key={w.workflowId} workflow={w} />
          ))}
        </ul>
      )}
      {preview.unchanged > 0 && <p className="muted small">{plural(preview.unchanged, 'other live workflow')} stay as they are.</p>}
    </div>
  );
}

function WorkflowDiffView({ workflow }: { workflow: PreviewWorkflow }) {
  const badge = CHANGE_BADGES[workflow.diff.change];
  const sections = diffSections(workflow.diff);
  return (
    <li className="release-diff" data-workflow-id={workflow.workflowId} aria-label={`Changes to ${workflow.name}`}>
      <div className="release-diff-head">
        <span className="mono">{workflow.name}</span>
        <Badge tone={badge.tone}>{badge.text}</Badge>
        {workflow.deleted && (
          <Badge tone="warning" title="This workflow was deleted; only its live version is left">
            Deleted
          </Badge>
        )}
      </div>
      {sections.map((section) => (
        <section key={section.title} aria-label={section.title}>
          <h3>{section.title}</h3>
          <ul className="diff-lines">
            {section.lines.map((line, index) => (
              <li key={index} className={`diff-line diff-${line.change}`}>
                <span className="diff-mark" aria-hidden="true">
                  {MARKS[line.change]}
                </span>
                <span>
                  <span className="visually-hidden">{line.change}: </span>
                  {line.text}
                </span>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </li>
  );
}
