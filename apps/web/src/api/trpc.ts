import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { TRPCClientError, createTRPCClient, httpBatchLink, httpLink } from '@trpc/client';
import { createTRPCContext } from '@trpc/tanstack-react-query';
import superjson from 'superjson';
import type { AppRouter } from './router-type.ts';

export type { AppRouter };

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

export function createApiClient() {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: '/trpc',
        transformer: superjson,
        // Same origin: the session cookie flows with every call.
        fetch: (url, init) => fetch(url, { ...(init as RequestInit), credentials: 'include' }),
      }),
    ],
  });
}

/**
 * A client whose requests outlive the page (fetch `keepalive`), for the last save when the tab is
 * closed or reloaded. Browsers cap such bodies at 64 KB; a bigger graph is refused, not truncated.
 */
export function createKeepaliveClient() {
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: '/trpc',
        transformer: superjson,
        fetch: (url, init) => fetch(url, { ...(init as RequestInit), credentials: 'include', keepalive: true }),
      }),
    ],
  });
}

/** The tRPC error code of a failed call (UNAUTHORIZED, FORBIDDEN, CONFLICT...), if it is one. */
export function errorCode(error: unknown): string | undefined {
  if (error instanceof TRPCClientError) {
    const data = error.data as { code?: unknown } | undefined;
    return typeof data?.code === 'string' ? data.code : undefined;
  }
  return undefined;
}

/** A sentence to show a person for any failed call. */
export function errorMessage(error: unknown): string {
  if (error instanceof TRPCClientError) {
    const code = errorCode(error);
    if (code === 'FORBIDDEN') return error.message || 'Your role does not allow this.';
    if (!code && /fetch|network/i.test(error.message)) return 'Cannot reach the server';
    return error.message || 'Something went wrong.';
  }
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}

/** A failure that may go away by itself: no answer from the server, or a 5xx. */
export function isTransientError(error: unknown): boolean {
  if (!(error instanceof TRPCClientError)) return false;
  const status = (error.data as { httpStatus?: number } | undefined)?.httpStatus;
  return status === undefined || status >= 500;
}

export function createQueryClient(onUnauthorized: () => void) {
  const handle = (error: unknown) => {
    if (errorCode(error) === 'UNAUTHORIZED') onUnauthorized();
  };
  return new QueryClient({
    queryCache: new QueryCache({ onError: handle }),
    mutationCache: new MutationCache({ onError: handle }),
    defaultOptions: {
      queries: {
        staleTime: 5_000,
        refetchOnWindowFocus: true,
        // Client errors (4xx) will not fix themselves; network hiccups might.
        retry: (count, error) => {
          const status = error instanceof TRPCClientError ? (error.data as { httpStatus?: number } | undefined)?.httpStatus : undefined;
          if (status !== undefined && status >= 400 && status < 500) return false;
          return count < 2;
        },
      },
    },
  });
}
