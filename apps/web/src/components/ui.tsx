import { type ReactNode, useEffect, useMemo, useRef, useState } from 'react';
import { errorMessage } from '../api/trpc.ts';
import { copyText } from '../lib/clipboard.ts';
import { formatAbsolute, formatBytes, formatJson, formatRelative, prettyJsonText } from '../lib/format.ts';
import { type DisplayStatus, STATUS_DESCRIPTIONS, STATUS_LABELS } from '../lib/runs.ts';
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

/**
 * A run, attempt or step status as a badge: every status word of the engine (queued, running,
 * succeeded, failed, cancelled, interrupted, skipped) plus "pending" (queued, due later), each with
 * its own colour and mark, and always its word, so colour is never the only cue.
 */
export function StatusBadge({ status, title }: { status: string; title?: string }) {
  const known = Object.hasOwn(STATUS_LABELS, status)
    ? (status as DisplayStatus)
    : Object.hasOwn(LEGACY_STATUSES, status)
      ? LEGACY_STATUSES[status]
      : undefined;
  return (
    <span className={`badge status status-${known ?? 'unknown'}`} title={title ?? (known ? STATUS_DESCRIPTIONS[known] : undefined)}>
      <span className={`status-mark dot dot-${known ?? status}`} aria-hidden="true" />
      {known ? STATUS_LABELS[known] : status}
    </span>
  );
}
/** Words of the first run records, before the run engine ("success"). */
const LEGACY_STATUSES: Record<string, DisplayStatus | undefined> = { success: 'succeeded' };

/** The environment by its name ("draft", "live"), as the endpoints and the spec call it. */
export function EnvBadge({
  environment,
  releaseNumber,
  draftRevision,
}: {
  environment: 'draft' | 'live';
  releaseNumber?: number | null;
  /** The saved draft revision a draft run ran, when known. */
  draftRevision?: number | null;
}) {
  return environment === 'live' ? (
    <Badge tone="accent" title={releaseNumber ? `Live release #${releaseNumber}` : 'Live release'}>
      live{releaseNumber ? ` · #${releaseNumber}` : ''}
    </Badge>
  ) : (
    <Badge tone="neutral" title={draftRevision ? `The editor's saved draft, revision ${draftRevision}` : "The editor's saved draft"}>
      draft{draftRevision ? ` · rev ${draftRevision}` : ''}
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

/** Longer stored values are cut here until "Show all" is pressed (a huge <pre> stalls the page). */
const JSON_PREVIEW_CHARS = 20_000;

/**
 * A stored JSON value, sent by the server as text: pretty-printed when it parses, shown exactly as
 * stored when it does not (every record can be read, whatever it holds). `null` is `empty`.
 */
export function JsonText({ text, empty = 'Nothing', label }: { text: string | null; empty?: string; label?: string }) {
  const [whole, setWhole] = useState(false);
  const pretty = useMemo(() => prettyJsonText(text), [text]);
  if (!pretty) return <p className="json-empty">{empty}</p>;
  const long = pretty.text.length > JSON_PREVIEW_CHARS;
  const shown = long && !whole ? `${pretty.text.slice(0, JSON_PREVIEW_CHARS)}…` : pretty.text;
  return (
    <div className="json-text">
      <pre className="json" aria-label={label}>
        {shown}
      </pre>
      <div className="json-copy">
        <CopyButton text={pretty.valid ? pretty.text : (text ?? '')} what={label} />
      </div>
      {(!pretty.valid || long) && (
        <div className="json-actions">
          {!pretty.valid && <span className="muted small">Not valid JSON: shown as stored.</span>}
          {long && (
            <button type="button" className="btn btn-ghost btn-xs" onClick={() => setWhole(!whole)}>
              {whole ? 'Show less' : `Show all (${formatBytes(text?.length ?? 0)})`}
            </button>
          )}
        </div>
      )}
    </div>
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
  wide = false,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  footer: ReactNode;
  onSubmit?: () => void;
  busy?: boolean;
  /** Room for tables and diffs (720px), its content scrolling within the window. */
  wide?: boolean;
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
      className={wide ? 'dialog dialog-wide' : 'dialog'}
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
