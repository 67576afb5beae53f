import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { NavLink, useNavigate } from 'react-router';
import { errorMessage, useTRPC } from '../api/trpc.ts';
import { useCurrentUser } from '../auth.tsx';
import { toast } from './toast.tsx';

const ROLE_LABELS = { admin: 'Admin', builder: 'Builder', viewer: 'Viewer' } as const;

export function Logo() {
  return (
    <span className="logo">
      <svg width="20" height="20" viewBox="0 0 32 32" aria-hidden="true">
        <rect width="32" height="32" rx="8" fill="var(--accent)" />
        <path d="M9 11h9a5 5 0 0 1 0 10h-4" stroke="white" strokeWidth="3" fill="none" strokeLinecap="round" />
        <circle cx="10" cy="21" r="2.5" fill="white" />
      </svg>
      <span className="logo-text">Switchyard</span>
    </span>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const user = useCurrentUser();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const logout = useMutation(
    trpc.auth.logout.mutationOptions({
      onSuccess: () => {
        queryClient.setQueryData(trpc.auth.status.queryKey(), { needsSetup: false, user: null });
        queryClient.removeQueries({ predicate: (q) => JSON.stringify(q.queryKey[0]) !== '["auth","status"]' });
        void navigate('/login', { replace: true });
      },
      onError: (error) => toast.error(`Sign out failed: ${errorMessage(error)}`),
    }),
  );
  return (
    <div className="app">
      <header className={user.role === 'admin' ? 'topbar topbar-admin' : 'topbar'}>
        <NavLink to="/workflows" className="topbar-brand" aria-label="Switchyard home">
          <Logo />
        </NavLink>
        <nav className="topbar-nav" aria-label="Main">
          <NavLink to="/workflows" className="nav-link">
            Workflows
          </NavLink>
          <NavLink to="/runs" className="nav-link">
            Runs
          </NavLink>
          <NavLink to="/scheduler" className="nav-link">
            Scheduler
          </NavLink>
          <NavLink to="/recurring" className="nav-link">
            Recurring
          </NavLink>
          <NavLink to="/releases" className="nav-link">
            Releases
          </NavLink>
          <NavLink to="/settings" className="nav-link">
            Settings
          </NavLink>
          {user.role === 'admin' && (
            <>
              <NavLink to="/users" className="nav-link">
                Users
              </NavLink>
              <NavLink to="/audit" className="nav-link">
                Audit log
              </NavLink>
            </>
          )}
        </nav>
        <div className="topbar-user">
          <span className="user-email" title={user.email}>
            {user.email}
          </span>
          <span className={`role role-${user.role}`}>{ROLE_LABELS[user.role]}</span>
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => logout.mutate()} disabled={logout.isPending}>
            {logout.isPending ? 'Signing out…' : 'Sign out'}
          </button>
        </div>
      </header>
      <main className="app-main">{children}</main>
    </div>
  );
}
