import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTRPCClient } from '../../api/trpc.ts';
import type { RunSummary } from '../../api/types.ts';
import { type LiveList, keepUnchanged, liveRows, mergeFirstPage, mergePage, olderCursor } from '../../lib/liveList.ts';
import { type RunFilters, runFiltersToSearch, runListInput } from '../../lib/runFilters.ts';

export const PAGE_SIZE = 50;
export const POLL_MS = 2_500;

/**
 * The runs matching `filters`, newest first: the first page is polled every POLL_MS while `live`
 * (TanStack Query also pauses it while the tab is hidden), older pages come with `loadOlder`
 * (keyset paging), and pages already loaded stay when new runs arrive (lib/liveList.ts). The list
 * lives in the query cache under its filters, so leaving for a run and coming back keeps it.
 */
export function useLiveRuns(filters: RunFilters, live: boolean) {
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const search = runFiltersToSearch(filters);
  const queryKey = ['runs-console', search] as const;

  const query = useQuery({
    queryKey,
    queryFn: async ({ signal }): Promise<LiveList<RunSummary>> => {
      const page = await client.run.list.query({ ...runListInput(filters, Date.now()), limit: PAGE_SIZE }, { signal });
      // Read the list after the answer: a "Load more" that finished meanwhile is kept.
      const previous = queryClient.getQueryData<LiveList<RunSummary>>(queryKey);
      return keepUnchanged(previous, mergeFirstPage(previous, page));
    },
    refetchInterval: live ? POLL_MS : false,
    refetchIntervalInBackground: false,
    // Rows are reused by keepUnchanged (Dates defeat the default structural sharing).
    structuralSharing: false,
    staleTime: 0,
    // While other filters load, the previous list stays on screen (dimmed by the page).
    placeholderData: (previous) => previous,
  });

  const older = useMutation({
    mutationFn: async (vars: { cursor: string; search: string; filters: RunFilters }) =>
      client.run.list.query({ ...runListInput(vars.filters, Date.now()), limit: PAGE_SIZE, cursor: vars.cursor }),
    onSuccess: (page, vars) => {
      queryClient.setQueryData<LiveList<RunSummary>>(['runs-console', vars.search], (list) =>
        list ? keepUnchanged(list, mergePage(list, page, vars.cursor)) : list,
      );
    },
  });

  const list = query.data;
  const loading = older.isPending && older.variables.search === search ? older.variables.cursor : null;
  const failed = older.isError && older.variables.search === search ? older.variables.cursor : null;
  return {
    query,
    /** The list shown belongs to the previous filters: the new one is loading. */
    stale: query.isPlaceholderData,
    rows: list ? liveRows(list) : [],
    count: list?.items.length ?? 0,
    olderCursor: list ? olderCursor(list) : null,
    /** The cursor being loaded ("Load more" or a gap), or null. */
    loading,
    /** The cursor whose loading failed, with the error. */
    failed,
    loadError: older.error,
    load: (cursor: string) => older.mutate({ cursor, search, filters }),
  };
}
