import { keepPreviousData, useMutation, useMutationState, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage, useTRPC } from '../../api/trpc.ts';
import { toast } from '../../components/toast.tsx';
import { formatAbsolute } from '../../lib/format.ts';
import { type PendingCursor, type SchedulerView, pendingListInput, schedulerViewToSearch } from '../../lib/scheduler.ts';
import { POLL_MS } from '../runs/useLiveRuns.ts';
import type { PendingPage, PendingRun } from './types.ts';

export const PAGE_SIZE = 50;
export { POLL_MS };

/**
 * One page of an environment's pending runs in due order, re-read every POLL_MS while `live` (runs
 * that start or are cancelled leave it, new ones join in their place). Paging is keyset: "Next page"
 * pushes the last row's (due time, id) on a stack of cursors, "Previous page" pops it, so page
 * 20,000 of a million costs what page 1 does. Another view (environment or filters) starts at its
 * first page. Cancelling a run hides it at once and takes it out of every loaded page when the
 * server confirms; if the server refuses (the run started meanwhile) it comes back with a toast.
 */
export function usePendingRuns(view: SchedulerView, live: boolean) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const viewKey = schedulerViewToSearch(view);
  const [paging, setPaging] = useState<{ viewKey: string; stack: PendingCursor[] }>({ viewKey, stack: [] });
  const stack = paging.viewKey === viewKey ? paging.stack : [];
  const cursor = stack.at(-1) ?? null;

  const query = useQuery(
    trpc.scheduler.pending.queryOptions(pendingListInput(view, PAGE_SIZE, cursor), {
      refetchInterval: live ? POLL_MS : false,
      refetchIntervalInBackground: false,
      staleTime: 0,
      // While another page or view loads, the one before stays on screen (dimmed by the page).
      placeholderData: keepPreviousData,
    }),
  );

  const invalidate = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.scheduler.pending.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.scheduler.state.queryKey() });
  };

  const cancelKey = trpc.scheduler.cancel.mutationKey();
  const cancel = useMutation(
    trpc.scheduler.cancel.mutationOptions({
      onSuccess: (_result, { runId }) => {
        // Out of every loaded page now, before the refetch confirms it.
        queryClient.setQueriesData<PendingPage>({ queryKey: trpc.scheduler.pending.pathKey() }, (page) =>
          page && page.runs.some((r) => r.id === runId) ? { ...page, runs: page.runs.filter((r) => r.id !== runId) } : page,
        );
      },
      onSettled: invalidate,
    }),
  );
  // Every cancel in flight (several rows may be cancelled in a row), hidden until it settles.
  const cancelling = useMutationState({
    filters: { mutationKey: cancelKey, status: 'pending' },
    select: (mutation) => (mutation.state.variables as { runId: string } | undefined)?.runId,
  });
  const hidden = new Set(cancelling.filter((id): id is string => typeof id === 'string'));

  const page = query.data;
  const runs = page ? page.runs.filter((run) => !hidden.has(run.id)) : [];
  const nextCursor = page?.nextCursor ?? null;

  return {
    query,
    runs,
    /** The page shown belongs to another page or view: the new one is loading. */
    stale: query.isPlaceholderData,
    /** 0 for the first page. */
    pageIndex: stack.length,
    pageSize: PAGE_SIZE,
    hasNext: nextCursor !== null && !query.isPlaceholderData,
    hasPrevious: stack.length > 0,
    next: () => {
      if (nextCursor) setPaging({ viewKey, stack: [...stack, nextCursor] });
    },
    previous: () => setPaging({ viewKey, stack: stack.slice(0, -1) }),
    first: () => setPaging({ viewKey, stack: [] }),
    cancel: (run: PendingRun) =>
      cancel.mutate(
        { environment: view.environment, runId: run.id },
        {
          onSuccess: () => toast.success(`Cancelled the run of ${run.workflowName} due ${formatAbsolute(run.runAt)}`),
          onError: (error) => toast.error(`Could not cancel the run of ${run.workflowName}: ${errorMessage(error)}`),
        },
      ),
  };
}
