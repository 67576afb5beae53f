import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useTRPC } from '../api/trpc.ts';
import { useEditor, useEditorState } from './context.ts';

/**
 * Keeps the server's time zone (`TIME_ZONE`) in the editor model while the workflow has a
 * Recurring event: schedules without a zone of their own run in it, so the form previews their
 * fire times in it. The API has it in `recurring.list` (the Recurring jobs page's query, shared
 * with it through the query cache); read once per editor, only for recurring workflows. Until it
 * is known, or when it cannot be read, the editor previews in UTC and says so.
 */
export function InstanceZoneSync() {
  const editor = useEditor();
  const trpc = useTRPC();
  const recurring = useEditorState((s) => s.nodes.some((n) => n.type === 'recurringEvent'));
  const list = useQuery(
    trpc.recurring.list.queryOptions(undefined, { enabled: recurring, staleTime: 5 * 60_000, refetchOnWindowFocus: false, retry: 1 }),
  );
  const zone = list.data?.timeZone ?? null;
  useEffect(() => {
    if (zone) editor.setInstanceTimeZone(zone);
  }, [editor, zone]);
  return null;
}
