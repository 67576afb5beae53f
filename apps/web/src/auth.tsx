import { useQuery } from '@tanstack/react-query';
import { createContext, useContext } from 'react';
import { Navigate, Outlet, useLocation } from 'react-router';
import { useTRPC } from './api/trpc.ts';
import { ErrorState, FullPageSpinner } from './components/ui.tsx';
import { Layout } from './components/Layout.tsx';

export type Role = 'admin' | 'builder' | 'viewer';
export interface CurrentUser {
  id: string;
  email: string;
  role: Role;
}

const CurrentUserContext = createContext<CurrentUser | null>(null);

/** The signed-in person; only usable below <RequireAuth>. */
export function useCurrentUser(): CurrentUser {
  const user = useContext(CurrentUserContext);
  if (!user) throw new Error('useCurrentUser outside <RequireAuth>');
  return user;
}

/** Admins and builders change workflows; viewers only look. */
export function canEdit(user: CurrentUser): boolean {
  return user.role === 'admin' || user.role === 'builder';
}

export function useAuthStatus() {
  const trpc = useTRPC();
  return useQuery(trpc.auth.status.queryOptions(undefined, { staleTime: 30_000 }));
}

/** What the sign-in pages and the guard show until the auth status is known: a spinner, or a retry. */
export function AuthStatusPending({ status }: { status: ReturnType<typeof useAuthStatus> }) {
  if (!status.isError) return <FullPageSpinner />;
  return (
    <div className="centered-page">
      <ErrorState title="Cannot load Switchyard" error={status.error} onRetry={() => void status.refetch()} />
    </div>
  );
}

/** Guards the signed-in part of the app: first-run setup, then sign-in, then the layout. */
export function RequireAuth() {
  const status = useAuthStatus();
  const location = useLocation();
  if (!status.isSuccess) return <AuthStatusPending status={status} />;
  if (status.data.needsSetup) return <Navigate to="/setup" replace />;
  if (!status.data.user) {
    const from = location.pathname + location.search;
    return <Navigate to="/login" replace state={{ from }} />;
  }
  return (
    <CurrentUserContext.Provider value={status.data.user}>
      <Layout>
        <Outlet />
      </Layout>
    </CurrentUserContext.Provider>
  );
}
