import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '../../api/trpc.ts';
import { useCurrentUser } from '../../auth.tsx';
import { type RecurringList, withJobEnabled } from '../../lib/recurring.ts';
import type { Environment } from '../../lib/runs.ts';

/**
 * One switch of the Recurring jobs page, optimistic: the list in the cache changes at once (and
 * the switch shows what was asked for while the call is in flight, whatever a refresh brings);
 * if the server refuses, that job's environment goes back to what it was and the error stays
 * next to the switch until the next try.
 */
export function useRecurringSwitch(workflowId: string, environment: Environment) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const user = useCurrentUser();
  const listKey = trpc.recurring.list.queryKey();

  const mutation = useMutation(
    trpc.recurring.setEnabled.mutationOptions({
      onMutate: async ({ enabled }) => {
        await queryClient.cancelQueries({ queryKey: listKey });
        const before = queryClient
          .getQueryData<RecurringList>(listKey)
          ?.jobs.find((j) => j.workflowId === workflowId)
          ?.environments.find((e) => e.environment === environment);
        queryClient.setQueryData<RecurringList>(listKey, (list) =>
          list ? withJobEnabled(list, { workflowId, environment, enabled, by: user.email, at: new Date() }) : list,
        );
        return { before };
      },
      onError: (_error, { enabled }, context) => {
        const before = context?.before;
        if (!before) return;
        queryClient.setQueryData<RecurringList>(listKey, (list) =>
          list && before.enabled !== enabled
            ? withJobEnabled(list, { workflowId, environment, enabled: before.enabled, by: before.changedBy, at: before.changedAt })
            : list,
        );
      },
      onSettled: () => void queryClient.invalidateQueries({ queryKey: listKey }),
    }),
  );

  return {
    /** What the switch shows while a change is in flight. */
    pending: mutation.isPending ? mutation.variables.enabled : null,
    error: mutation.isError ? mutation.error : null,
    /** What was asked for when it failed. */
    failedTo: mutation.isError ? mutation.variables.enabled : null,
    set: (enabled: boolean) => mutation.mutate({ workflowId, environment, enabled }),
  };
}
