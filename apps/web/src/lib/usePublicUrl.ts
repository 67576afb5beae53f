import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '../api/trpc.ts';

/**
 * The instance's base URL for URLs shown to copy (endpoints, curl commands): PUBLIC_URL when the
 * server has one, else the address this page was loaded from.
 */
export function usePublicUrl(): string {
  const trpc = useTRPC();
  const info = useQuery({ ...trpc.instance.info.queryOptions(), staleTime: Infinity });
  return info.data?.publicUrl ?? window.location.origin;
}
