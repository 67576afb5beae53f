import { type ReactNode, useEffect, useRef, useState } from 'react';
import { errorMessage } from '../api/trpc.ts';
import { copyText } from '../lib/clipboard.ts';
import { formatAbsolute, formatJson, formatRelative } from '../lib/format.ts';
import { useNow } from '../lib/useNow.ts';

export function Spinner({ label = 'Loading…' }: { label?: string }) {
  return (
    <span className="spinner-wrap" role="status">
      <span className="spinner" aria-hidden="true" />
      <span className="spinner-label">{label}</span>
    </span>
  );
}

export function FullPageSpinner() {
  return (
    <div className="centered-page">
      <Spinner />
    </div>
  );
}

export function LoadingBlock({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="state-block">
      <Spinner label={label} />
    </div>
  );
}

export function ErrorState({ title, error, onRetry }: { title: string; error: unknown; onRetry?: () => void }) {
  return (
    <div className="state-block state-error" role="alert">
      <div className="state-icon" aria-hidden="true">!</div>
      <h2>{title}</h2>
      <p>{errorMessage(error)}</p>
      {onRetry && (
        <button type="button" className="btn" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="state-block state-empty">
      <h2>{title}</h2>
      {children && <p>{children}</p>}
      {action}
    </div>
  );
}

export function Alert({ children }: { children: ReactNode }) {
  return (
    <div className="alert" role="alert">
      {children}
    </div>
  );
}

type BadgeTone = 'neutral' | 'accent' | 'success' | 'danger' | 'warning' | 'info';
export function Badge({ tone = 'neutral', children, title }: { tone?: BadgeTone; children: ReactNode; title?: string }) {
  return (
    <span className={`badge badge-${tone}`} title={title}>
      {children}
    </span>
  );
}

const STATUS_TONES: Record<string, BadgeTone> = {
  success: 'success',
  failed: 'danger',
  running: 'info',
  interrupted: 'warning',
  skipped: 'neutral',
};
const STATUS_LABELS: Record<string, string> = {
  success: 'Success',
  failed: 'Failed',
  running: 'Running',
  interrupted: 'Interrupted',
  skipped: 'Skipped',
};
export function StatusBadge({ status }: { status: string }) {
  return (
    <Badge tone={STATUS_TONES[status] ?? 'neutral'}>
      <span className={`dot dot-${status}`} aria-hidden="true" />
      {STATUS_LABELS[status] ?? status}
    </Badge>
  );
}

/** The environment by its name ("draft", "live"), as the endpoints and the spec call it. */
export function EnvBadge({ environment, releaseNumber }: { environment: 'draft' | 'live'; releaseNumber?: number | null }) {
  return environment === 'live' ? (
    <Badge tone="accent" title={releaseNumber ? `Live release #${releaseNumber}` : 'Live release'}>
      live{releaseNumber ? ` · #${releaseNumber}` : ''}
    </Badge>
  ) : (
    <Badge tone="neutral" title="The editor's saved draft">
      draft
    </Badge>
  );
}

export function RelativeTime({ date }: { date: Date }) {
  const now = useNow();
  return (
    <time dateTime={date.toISOString()} title={formatAbsolute(date)}>
      {formatRelative(date, now)}
    </time>
  );
}

/** A "Copy" button; `what` completes its accessible name ("Copy test endpoint URL"). */
export function CopyButton({ text, what }: { text: string; what?: string }) {
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), 1500);
    return () => clearTimeout(timer);
  }, [copied]);
  return (
    <button
      type="button"
      className="btn btn-ghost btn-xs"
      onClick={() => void copyText(text).then(setCopied)}
      title={text}
    >
      {copied ? 'Copied' : 'Copy'}
      {what && <span className="visually-hidden"> {what}</span>}
    </button>
  );
}

export function JsonBlock({ value }: { value: unknown }) {
  return (
    <pre className="json">
      {formatJson(value)}
    </pre>
  );
}

/** A modal built on <dialog>: focus stays inside, Escape and the backdrop close it. */
export function Dialog({
  title,
  onClose,
  children,
  footer,
  onSubmit,
  busy = false,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  footer: ReactNode;
  onSubmit?: () => void;
  busy?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby="dialog-title"
      onCancel={(event) => {
        event.preventDefault();
        if (!busy) onClose();
      }}
      onMouseDown={(event) => {
        if (event.target === ref.current && !busy) onClose();
      }}
    >
      <form
        method="dialog"
        className="dialog-body"
        onSubmit={(event) => {
          event.preventDefault();
          onSubmit?.();
        }}
      >
        <h2 id="dialog-title" className="dialog-title">
          {title}
        </h2>
        <div className="dialog-content">{children}</div>
        <div className="dialog-footer">{footer}</div>
      </form>
    </dialog>
  );
}

/** A label, its control and the control's messages, stacked. */
export function Field({
  label,
  htmlFor,
  error,
  hint,
  children,
  className,
}: {
  label: ReactNode;
  htmlFor: string;
  error?: string | null | undefined;
  hint?: ReactNode;
  children: ReactNode;
  className?: string;
}) {
  return (
    <div className={`field ${className ?? ''}`}>
      <label htmlFor={htmlFor} className="field-label">
        {label}
      </label>
      {children}
      {hint && !error && <div className="field-hint">{hint}</div>}
      {error && (
        <div className="field-error" role="alert" id={`${htmlFor}-error`}>
          {error}
        </div>
      )}
    </div>
  );
}
