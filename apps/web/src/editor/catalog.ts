import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { errorMessage, useTRPC } from '../api/trpc.ts';
import { useEditor } from './context.ts';

/**
 * Keeps the editor's catalog of workflows (`workflow.catalog`: each workflow's id, name and
 * parameters) loaded: fetched each time the editor opens and again when the window regains focus
 * (another tab may have changed a target's parameters). The scheduling actions' forms, node
 * summaries and the live compile read it from the model. Mounted once per editor.
 */
export function CatalogSync() {
  const editor = useEditor();
  const trpc = useTRPC();
  const catalog = useQuery(trpc.workflow.catalog.queryOptions(undefined, { refetchOnMount: 'always' }));
  const { data, error } = catalog;
  useEffect(() => {
    if (data) editor.setCatalog(data);
  }, [editor, data]);
  useEffect(() => {
    // A failed refetch keeps the list already loaded: say nothing then.
    editor.setCatalogError(error && !data ? errorMessage(error) : null);
  }, [editor, error, data]);
  return null;
}
