import { useMutation } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { errorMessage, useTRPC } from '../../api/trpc.ts';
import { toast } from '../../components/toast.tsx';
import { Alert, CopyButton, Dialog, Field } from '../../components/ui.tsx';
import { type Role, ROLE_LABELS, type UserRow, linkUrl } from './people.ts';

const MIN_PASSWORD = 12;

/** A one-time link just made: shown once, in this dialog only. */
export interface ShownLink {
  email: string;
  purpose: 'invite' | 'reset';
  path: string;
  expiresAt: Date;
}

export function InviteDialog({ onClose, onInvited }: { onClose: () => void; onInvited: (link: ShownLink) => void }) {
  const trpc = useTRPC();
  const emailId = useId();
  const roleId = useId();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('builder');
  const invite = useMutation(
    trpc.users.invite.mutationOptions({
      onSuccess: (result) => onInvited({ email: result.email, purpose: 'invite', path: result.path, expiresAt: result.expiresAt }),
    }),
  );
  return (
    <Dialog
      title="Invite someone"
      onClose={onClose}
      onSubmit={() => invite.mutate({ email: email.trim(), role })}
      busy={invite.isPending}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose} disabled={invite.isPending}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={invite.isPending || email.trim() === ''}>
            {invite.isPending ? 'Inviting…' : 'Create invitation'}
          </button>
        </>
      }
    >
      <Field label="Email" htmlFor={emailId}>
        <input
          id={emailId}
          type="email"
          autoComplete="off"
          autoFocus
          required
          value={email}
          onChange={(e) => {
            setEmail(e.target.value);
            if (invite.isError) invite.reset();
          }}
        />
      </Field>
      <Field label="Role" htmlFor={roleId} hint={ROLE_HINTS[role]}>
        <select id={roleId} value={role} onChange={(e) => setRole(e.target.value as Role)}>
          {(Object.keys(ROLE_LABELS) as Role[]).map((r) => (
            <option key={r} value={r}>
              {ROLE_LABELS[r]}
            </option>
          ))}
        </select>
      </Field>
      <p className="note">You get a one-time link to pass on; it works for 7 days. Switchyard sends no email.</p>
      {invite.isError && <Alert>{errorMessage(invite.error)}</Alert>}
    </Dialog>
  );
}

const ROLE_HINTS: Record<Role, string> = {
  admin: 'Manages people, tokens, settings and scheduled work, and everything a builder does.',
  builder: 'Builds, tests and deploys workflows.',
  viewer: 'Reads workflows and runs; changes nothing.',
};

/** Shows a one-time link once, with a copy button. */
export function LinkDialog({ link, onClose }: { link: ShownLink; onClose: () => void }) {
  const url = linkUrl(link.path);
  const linkId = useId();
  return (
    <Dialog
      title={link.purpose === 'invite' ? 'Invitation link' : 'Password reset link'}
      onClose={onClose}
      onSubmit={onClose}
      footer={
        <button type="submit" className="btn btn-primary">
          Done
        </button>
      }
    >
      <p>
        Pass this link on to <strong>{link.email}</strong>.{' '}
        {link.purpose === 'invite' ? 'It sets their password and signs them in.' : 'It sets a new password; the current one works until then.'} It
        works once, until {link.expiresAt.toLocaleString()}.
      </p>
      <Field label="Link" htmlFor={linkId} hint="It is shown only now: copy it before closing. A new link replaces this one.">
        <div className="link-copy">
          <input id={linkId} className="mono" readOnly value={url} onFocus={(e) => e.currentTarget.select()} data-testid="one-time-link" />
          <CopyButton text={url} what="link" />
        </div>
      </Field>
    </Dialog>
  );
}

export function SetPasswordDialog({ user, onClose, onDone }: { user: UserRow; onClose: () => void; onDone: () => void }) {
  const trpc = useTRPC();
  const passwordId = useId();
  const [password, setPassword] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const set = useMutation(
    trpc.users.setPassword.mutationOptions({
      onSuccess: () => {
        toast.success(`Password of ${user.email} set; their other sessions ended`);
        onDone();
        onClose();
      },
    }),
  );
  const tooShort = password.length < MIN_PASSWORD;
  return (
    <Dialog
      title={`Set the password of ${user.email}`}
      onClose={onClose}
      onSubmit={() => {
        setSubmitted(true);
        if (!tooShort) set.mutate({ userId: user.id, password });
      }}
      busy={set.isPending}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose} disabled={set.isPending}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={set.isPending}>
            {set.isPending ? 'Saving…' : 'Set password'}
          </button>
        </>
      }
    >
      <Field
        label="New password"
        htmlFor={passwordId}
        hint={`At least ${MIN_PASSWORD} characters. Pass it on yourself; their sessions end now.`}
        error={submitted && tooShort ? `Use at least ${MIN_PASSWORD} characters` : null}
      >
        <input id={passwordId} type="password" autoComplete="new-password" autoFocus value={password} onChange={(e) => setPassword(e.target.value)} />
      </Field>
      {set.isError && <Alert>{errorMessage(set.error)}</Alert>}
    </Dialog>
  );
}

export function ConfirmDisableDialog({ user, onClose, onDone }: { user: UserRow; onClose: () => void; onDone: () => void }) {
  const trpc = useTRPC();
  const disable = useMutation(
    trpc.users.disable.mutationOptions({
      onSuccess: () => {
        toast.success(`${user.email} is disabled`);
        onDone();
        onClose();
      },
    }),
  );
  return (
    <Dialog
      title={`Disable ${user.email}?`}
      onClose={onClose}
      onSubmit={() => disable.mutate({ userId: user.id })}
      busy={disable.isPending}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose} disabled={disable.isPending}>
            Cancel
          </button>
          <button type="submit" className="btn btn-danger" disabled={disable.isPending}>
            {disable.isPending ? 'Disabling…' : 'Disable account'}
          </button>
        </>
      }
    >
      <p>
        They are signed out everywhere at once and cannot sign in{user.status === 'invited' ? ', and their invitation link stops working' : ''}. You
        can enable the account again later.
      </p>
      {disable.isError && <Alert>{errorMessage(disable.error)}</Alert>}
    </Dialog>
  );
}
