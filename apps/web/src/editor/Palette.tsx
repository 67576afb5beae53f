import { ACTIONS, ACTION_TYPES, type ActionType } from '@switchyard/workflow';
import { useReactFlow } from '@xyflow/react';
import { revealNode } from './viewport.ts';
import { ACTION_DRAG_TYPE } from './Canvas.tsx';
import { useEditor } from './context.ts';
import { ActionIcon, type FlowNode } from './nodes.tsx';

export function Palette() {
  const editor = useEditor();
  const flow = useReactFlow<FlowNode>();

  const add = (type: ActionType) => {
    const id = editor.addAction(type);
    if (id) requestAnimationFrame(() => revealNode(flow, id));
  };

  return (
    <aside className="palette" aria-label="Actions palette">
      <h2 className="panel-title">Actions</h2>
      <p className="palette-hint">Click to add at the end of the chain, or drag onto the canvas.</p>
      <ul className="palette-list">
        {ACTION_TYPES.map((type) => {
          const info = ACTIONS[type];
          return (
            <li key={type}>
              <button
                type="button"
                className="palette-item"
                aria-describedby={`palette-description-${type}`}
                draggable
                onDragStart={(event) => {
                  event.dataTransfer.setData(ACTION_DRAG_TYPE, type);
                  event.dataTransfer.effectAllowed = 'copy';
                }}
                onClick={() => add(type)}
              >
                <span className={`palette-icon action-${type}`}>
                  <ActionIcon type={type} />
                </span>
                <span className="palette-text">
                  {/* The name is "Add <label>" from the text, not aria-label, so getByLabel('Value') stays unambiguous. */}
                  <span className="palette-label">
                    <span className="visually-hidden">Add </span>
                    {info.label}
                  </span>
                  <span className="palette-description" id={`palette-description-${type}`} aria-hidden="true">
                    {info.description}
                  </span>
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </aside>
  );
}
