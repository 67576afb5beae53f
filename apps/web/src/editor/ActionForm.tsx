import { type ActionNode, actionModule } from '@switchyard/workflow';
import { useId } from 'react';
import { useEditor, useEditorState } from './context.ts';
import { ActionConfigForm, ExpressionField, FieldDiagnostics, Section, useNodeDiagnostics } from './fields.tsx';
import { ActionIcon } from './nodes.tsx';
import { TestResultSection } from './TestResultSection.tsx';

/** An action's side panel: title and condition (every action has them), then its module's own form. */
export function ActionForm({ node, readOnly }: { node: ActionNode; readOnly: boolean }) {
  const editor = useEditor();
  const diagnostics = useNodeDiagnostics(node.id);
  const module = actionModule(node.data.action.type);
  const stepName = useEditorState((s) => editor.names(s).stepName.get(node.id));
  const titleId = useId();
  const label = module?.label ?? node.data.action.type;

  return (
    <>
      <div className="inspector-header">
        <div className="inspector-kind">
          <ActionIcon icon={module?.icon} /> Action
        </div>
        <h2>{label}</h2>
        <p className="muted small">{module?.description ?? 'This action type is not known to this version of Switchyard.'}</p>
      </div>
      <FieldDiagnostics diagnostics={diagnostics} field={null} />
      <TestResultSection nodeId={node.id} />
      <Section title="General">
        <div className="field">
          <label className="field-label" htmlFor={titleId}>
            Title
          </label>
          <input
            id={titleId}
            value={node.data.title ?? ''}
            placeholder={label}
            disabled={readOnly}
            autoComplete="off"
            onChange={(e) => editor.setTitle(node.id, e.target.value)}
          />
          <div className="field-hint">
            Shown on the canvas and in run details.
            {stepName && (
              <>
                {' '}
                Later steps use its result as <code>steps.{stepName}</code>.
              </>
            )}
          </div>
        </div>
        <ExpressionField
          id={`only-when-${node.id}`}
          nodeId={node.id}
          label="Only when"
          kind="expression"
          stored={node.data.onlyWhen ?? ''}
          onChange={(stored) => editor.setOnlyWhen(node.id, stored)}
          field="onlyWhen"
          diagnostics={diagnostics}
          placeholder="e.g. amount > 100"
          hint="The step is skipped when this is false. Empty: always."
          readOnly={readOnly}
        />
      </Section>
      <ActionConfigForm node={node} diagnostics={diagnostics} readOnly={readOnly} />
      {!readOnly && (
        <div className="inspector-footer">
          <button type="button" className="btn btn-danger-outline btn-sm" onClick={() => editor.deleteElements([node.id])}>
            Delete action
          </button>
        </div>
      )}
    </>
  );
}
