import { ACTION_MODULES } from '@switchyard/workflow';
import { useReactFlow } from '@xyflow/react';
import { ACTION_DRAG_TYPE } from './Canvas.tsx';
import { useEditor } from './context.ts';
import { EventChooser } from './EventChooser.tsx';
import { ActionIcon, type FlowNode } from './nodes.tsx';
import { revealNode } from './viewport.ts';

/**
 * The event's kind (API workflow or Recurring: see EventChooser), then every registered action
 * module, as a button that adds it (click) or a source to drag from.
 */
export function Palette() {
  const editor = useEditor();
  const flow = useReactFlow<FlowNode>();

  const add = (type: string) => {
    const id = editor.addAction(type);
    if (id) requestAnimationFrame(() => revealNode(flow, id));
  };

  return (
    <aside className="palette" aria-label="Palette">
      <EventChooser />
      <h2 className="panel-title palette-actions-title">Actions</h2>
      <p className="palette-hint">Click to add at the end of the chain, or drag onto the canvas.</p>
      <ul className="palette-list">
        {ACTION_MODULES.map((module) => (
          <li key={module.type}>
            <button
              type="button"
              className="palette-item"
              aria-describedby={`palette-description-${module.type}`}
              draggable
              onDragStart={(event) => {
                event.dataTransfer.setData(ACTION_DRAG_TYPE, module.type);
                event.dataTransfer.effectAllowed = 'copy';
              }}
              onClick={() => add(module.type)}
            >
              <span className={`palette-icon icon-${module.icon}`}>
                <ActionIcon icon={module.icon} />
              </span>
              <span className="palette-text">
                {/* The name is "Add <label>" from the text, not aria-label, so getByLabel('Value') stays unambiguous. */}
                <span className="palette-label">
                  <span className="visually-hidden">Add </span>
                  {module.label}
                </span>
                <span className="palette-description" id={`palette-description-${module.type}`} aria-hidden="true">
                  {module.description}
                </span>
              </span>
            </button>
          </li>
        ))}
      </ul>
    </aside>
  );
}
