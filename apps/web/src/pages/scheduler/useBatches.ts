import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '../../api/trpc.ts';
import type { Environment } from '../../lib/runs.ts';
import { POLL_MS } from '../runs/useLiveRuns.ts';

export const BATCH_PAGE_SIZE = 10;

/**
 * One page of an environment's batches, newest first, re-read every POLL_MS while `live` (progress
 * moves, new batches join at the top). Paging is keyset on the batch id: "Older" pushes the page's
 * `nextCursor` on a stack, "Newer" pops it; another environment starts at its first page.
 */
export function useBatches(environment: Environment, live: boolean) {
  const trpc = useTRPC();
  const [paging, setPaging] = useState<{ environment: Environment; stack: string[] }>({ environment, stack: [] });
  const stack = paging.environment === environment ? paging.stack : [];
  const cursor = stack.at(-1);

  const query = useQuery(
    trpc.scheduler.batches.queryOptions(cursor ? { environment, limit: BATCH_PAGE_SIZE, cursor } : { environment, limit: BATCH_PAGE_SIZE }, {
      refetchInterval: live ? POLL_MS : false,
      refetchIntervalInBackground: false,
      staleTime: 0,
      placeholderData: keepPreviousData,
    }),
  );
  const nextCursor = query.data?.nextCursor ?? null;

  return {
    query,
    batches: query.data?.batches ?? [],
    /** The page shown belongs to another page or environment: the new one is loading. */
    stale: query.isPlaceholderData,
    pageIndex: stack.length,
    hasOlder: nextCursor !== null && !query.isPlaceholderData,
    hasNewer: stack.length > 0,
    older: () => {
      if (nextCursor) setPaging({ environment, stack: [...stack, nextCursor] });
    },
    newer: () => setPaging({ environment, stack: stack.slice(0, -1) }),
    first: () => setPaging({ environment, stack: [] }),
  };
}
