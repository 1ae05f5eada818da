import { useEffect, useId, useRef } from 'react';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import type { ShownError } from '../api/problem';

/**
 * An error in words: the summary, the problem's `detail`, a link to what helps, and which fields were wrong.
 * `fields` says, per field path the form sends, what a valid value is ("Enter a company name"); the
 * validator's own text is not for people.
 */
export function ErrorMessage({ error, fields = {} }: { error: ShownError | undefined; fields?: Readonly<Record<string, string>> }) {
  if (!error) return null;
  return (
    <div className="error" role="alert">
      <p>
        <strong>{error.summary}</strong>
        {error.detail ? ` ${error.detail}` : ''}
        {error.action && (
          <>
            {' '}
            <Link to={error.action.to}>{error.action.label}</Link>
          </>
        )}
      </p>
      {error.fieldErrors.length > 0 && (
        <ul>
          {[...new Set(error.fieldErrors.map((field) => (Object.hasOwn(fields, field.path) ? fields[field.path] : `${field.path || 'The form'} is not valid.`)))].map((words) => (
            <li key={words}>{words}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status">
      Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

/** The page's one heading; also names the browser tab. */
export function PageTitle({ children, title }: { children: ReactNode; title: string }) {
  useEffect(() => {
    document.title = `${title} · License site`;
  }, [title]);
  return <h1>{children}</h1>;
}

export function Field({ label, hint, children }: { label: string; hint?: string; children: (props: { id: string; 'aria-describedby'?: string }) => ReactNode }) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, ...(hint ? { 'aria-describedby': hintId } : {}) })}
      {hint && (
        <small id={hintId} className="muted">
          {hint}
        </small>
      )}
    </div>
  );
}

/** A confirmation in a modal dialog: focus moves into it, Escape cancels. */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  danger,
  onConfirm,
  onCancel,
}: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} aria-labelledby={titleId} onCancel={onCancel}>
      <h2 id={titleId}>{title}</h2>
      {children}
      <div className="actions">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className={danger ? 'danger' : 'primary'} onClick={onConfirm}>
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}

export function formatTime(value: string | undefined): string {
  if (!value) return '—';
  return new Date(value).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function formatDate(value: string | undefined): string {
  if (!value) return 'never';
  return new Date(value).toLocaleDateString(undefined, { dateStyle: 'medium' });
}

/** A time as a `<time>` element, which never wraps (styles.css): "6 Mar 2026, 14:05", or "—" for none. */
export function Time({ value, dateOnly }: { value: string | undefined; dateOnly?: boolean }) {
  if (!value) return <>{dateOnly ? 'never' : '—'}</>;
  return <time dateTime={value}>{dateOnly ? formatDate(value) : formatTime(value)}</time>;
}

