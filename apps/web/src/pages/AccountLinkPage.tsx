import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { Link, Navigate, useParams } from 'react-router';
import { errorCode, errorMessage, useTRPC } from '../api/trpc.ts';
import { Logo } from '../components/Layout.tsx';
import { Alert, ErrorState, Field, FullPageSpinner } from '../components/ui.tsx';
import { useDocumentTitle } from '../lib/useDocumentTitle.ts';

const MIN_PASSWORD = 12;

/**
 * The page a one-time link opens (/invite/<token>, /reset-password/<token>): says whose account it
 * is, asks for a password twice, and signs the person in. Public: the link's token is the credential.
 */
export function AccountLinkPage() {
  const { token = '' } = useParams();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const info = useQuery(trpc.users.link.queryOptions({ token }, { retry: false, staleTime: Infinity }));
  const passwordId = useId();
  const repeatId = useId();
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const accept = useMutation(
    trpc.users.acceptLink.mutationOptions({
      onSuccess: (user) => queryClient.setQueryData(trpc.auth.status.queryKey(), { needsSetup: false, user }),
    }),
  );
  const invite = info.data?.purpose !== 'reset';
  useDocumentTitle(invite ? 'Accept invitation' : 'Reset password');

  if (accept.isSuccess) return <Navigate to="/workflows" replace />;
  if (info.isPending) return <FullPageSpinner />;

  const tooShort = password.length < MIN_PASSWORD;
  const mismatch = repeat !== password;
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (tooShort || mismatch) return;
    accept.mutate({ token, password });
  };

  return (
    <div className="auth-page">
      <div className="auth-card">
        <Logo />
        {info.isError ? (
          errorCode(info.error) === 'NOT_FOUND' || errorCode(info.error) === 'BAD_REQUEST' ? (
            <>
              <h1 className="auth-title">This link does not work</h1>
              <p className="auth-subtitle" role="alert">
                {errorCode(info.error) === 'NOT_FOUND'
                  ? 'It was used already, has expired, or a newer one replaced it. Ask an admin for a new one.'
                  : errorMessage(info.error)}
              </p>
              <Link to="/login" className="btn btn-block">
                Go to sign in
              </Link>
            </>
          ) : (
            <ErrorState title="Cannot check this link" error={info.error} onRetry={() => void info.refetch()} />
          )
        ) : (
          <>
            <h1 className="auth-title">{invite ? 'Welcome to Switchyard' : 'Choose a new password'}</h1>
            <p className="auth-subtitle">
              {invite ? 'Set a password for ' : 'Set a new password for '}
              <strong data-testid="link-email">{info.data.email}</strong>
              {invite ? ' to finish setting up your account.' : '.'}
            </p>
            <form className="stack" onSubmit={onSubmit} noValidate>
              <input type="email" autoComplete="username" value={info.data.email} readOnly hidden />
              <Field
                label="Password"
                htmlFor={passwordId}
                hint={`At least ${MIN_PASSWORD} characters.`}
                error={submitted && tooShort ? `Use at least ${MIN_PASSWORD} characters` : null}
              >
                <input id={passwordId} type="password" autoComplete="new-password" autoFocus value={password} onChange={(e) => setPassword(e.target.value)} />
              </Field>
              <Field label="Repeat password" htmlFor={repeatId} error={submitted && !tooShort && mismatch ? 'The two passwords differ' : null}>
                <input id={repeatId} type="password" autoComplete="new-password" value={repeat} onChange={(e) => setRepeat(e.target.value)} />
              </Field>
              {accept.isError && <Alert>{errorMessage(accept.error)}</Alert>}
              <button type="submit" className="btn btn-primary btn-block" disabled={accept.isPending}>
                {accept.isPending ? 'Saving…' : invite ? 'Set password and sign in' : 'Save password and sign in'}
              </button>
            </form>
          </>
        )}
      </div>
    </div>
  );
}
