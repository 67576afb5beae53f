import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { EditorModel, EditorState } from './model.ts';

export const EditorContext = createContext<EditorModel | null>(null);

export function useEditor(): EditorModel {
  const editor = useContext(EditorContext);
  if (!editor) throw new Error('useEditor outside <EditorContext>');
  return editor;
}

/** Subscribes to one slice of the editor's state; the component re-renders only when it changes. */
export function useEditorState<T>(selector: (state: EditorState) => T): T {
  return useStore(useEditor().store, selector);
}
