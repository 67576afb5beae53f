import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useId, useState } from 'react';
import { Navigate, useLocation } from 'react-router';
import { errorCode, errorMessage, useTRPC } from '../api/trpc.ts';
import { AuthStatusPending, type CurrentUser, useAuthStatus } from '../auth.tsx';
import { Logo } from '../components/Layout.tsx';
import { Alert, Field } from '../components/ui.tsx';
import { useDocumentTitle } from '../lib/useDocumentTitle.ts';

const MIN_PASSWORD = 12;

function AuthCard({ title, subtitle, children }: { title: string; subtitle: ReactNode; children: ReactNode }) {
  useDocumentTitle(title);
  return (
    <div className="auth-page">
      <div className="auth-card">
        <Logo />
        <h1 className="auth-title">{title}</h1>
        <p className="auth-subtitle">{subtitle}</p>
        {children}
      </div>
    </div>
  );
}

/** Where to go once signed in: back where the person was sent away from, else the workflows. */
function useReturnPath(): string {
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from;
  return from && !from.startsWith('/login') && !from.startsWith('/setup') ? from : '/workflows';
}

/** Stores the new session's user; the page then re-renders and redirects (see the pages). */
function useSignedIn() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return (user: CurrentUser) => {
    queryClient.setQueryData(trpc.auth.status.queryKey(), { needsSetup: false, user });
  };
}

function useCredentials() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const emailId = useId();
  const passwordId = useId();
  return { email, setEmail, password, setPassword, emailId, passwordId };
}

export function SetupPage() {
  const status = useAuthStatus();
  const trpc = useTRPC();
  const signedIn = useSignedIn();
  const returnPath = useReturnPath();
  const form = useCredentials();
  const [submitted, setSubmitted] = useState(false);
  const setup = useMutation(trpc.auth.setup.mutationOptions({ onSuccess: signedIn }));

  if (!status.isSuccess) return <AuthStatusPending status={status} />;
  if (!status.data.needsSetup) return <Navigate to={status.data.user ? returnPath : '/login'} replace />;

  const passwordError =
    submitted && form.password.length < MIN_PASSWORD ? `Use at least ${MIN_PASSWORD} characters` : null;
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (form.password.length < MIN_PASSWORD) return;
    setup.mutate({ email: form.email.trim(), password: form.password });
  };
  return (
    <AuthCard title="Set up Switchyard" subtitle="Create the first administrator account. You can invite others later.">
      <form className="stack" onSubmit={onSubmit} noValidate>
        <Field label="Email" htmlFor={form.emailId}>
          <input
            id={form.emailId}
            type="email"
            autoComplete="email"
            required
            autoFocus
            value={form.email}
            onChange={(e) => form.setEmail(e.target.value)}
          />
        </Field>
        <Field
          label="Password"
          htmlFor={form.passwordId}
          hint={`At least ${MIN_PASSWORD} characters.`}
          error={passwordError}
        >
          <input
            id={form.passwordId}
            type="password"
            autoComplete="new-password"
            required
            minLength={MIN_PASSWORD}
            value={form.password}
            onChange={(e) => form.setPassword(e.target.value)}
          />
        </Field>
        {setup.isError && (
          <Alert>
            {errorCode(setup.error) === 'CONFLICT'
              ? 'An administrator already exists. Sign in instead.'
              : errorMessage(setup.error)}
          </Alert>
        )}
        <button type="submit" className="btn btn-primary btn-block" disabled={setup.isPending}>
          {setup.isPending ? 'Creating account…' : 'Create admin account'}
        </button>
      </form>
    </AuthCard>
  );
}

export function LoginPage() {
  const status = useAuthStatus();
  const trpc = useTRPC();
  const signedIn = useSignedIn();
  const returnPath = useReturnPath();
  const form = useCredentials();
  const login = useMutation(trpc.auth.login.mutationOptions({ onSuccess: signedIn }));

  if (!status.isSuccess) return <AuthStatusPending status={status} />;
  if (status.data.needsSetup) return <Navigate to="/setup" replace />;
  if (status.data.user) return <Navigate to={returnPath} replace />;

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    login.mutate({ email: form.email.trim(), password: form.password });
  };
  return (
    <AuthCard title="Sign in" subtitle="Welcome back. Sign in to build and watch your workflows.">
      <form className="stack" onSubmit={onSubmit}>
        <Field label="Email" htmlFor={form.emailId}>
          <input
            id={form.emailId}
            type="email"
            autoComplete="username"
            required
            autoFocus
            value={form.email}
            onChange={(e) => form.setEmail(e.target.value)}
          />
        </Field>
        <Field label="Password" htmlFor={form.passwordId}>
          <input
            id={form.passwordId}
            type="password"
            autoComplete="current-password"
            required
            value={form.password}
            onChange={(e) => form.setPassword(e.target.value)}
          />
        </Field>
        {login.isError && <Alert>{errorMessage(login.error)}</Alert>}
        <button type="submit" className="btn btn-primary btn-block" disabled={login.isPending}>
          {login.isPending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </AuthCard>
  );
}
