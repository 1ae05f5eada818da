import { useState } from 'react';
import type { ReactNode } from 'react';
import { ConfirmDialog } from './ui';

/**
 * A button for a change that cannot be taken back, or not easily: it asks first, in a modal dialog
 * that says what will happen (`children`), and runs `onConfirm` only once confirmed.
 */
export function ConfirmButton({
  label,
  accessibleLabel,
  title,
  confirmLabel,
  danger,
  disabled,
  onConfirm,
  children,
}: {
  label: string;
  /** The button's name for screen readers when `label` alone is ambiguous ("Remove it@example.com"). */
  accessibleLabel?: string;
  title: string;
  confirmLabel?: string;
  danger?: boolean;
  disabled?: boolean;
  onConfirm: () => void;
  children: ReactNode;
}) {
  const [asking, setAsking] = useState(false);
  return (
    <>
      <button type="button" className={danger ? 'danger' : undefined} disabled={disabled} aria-label={accessibleLabel} onClick={() => setAsking(true)}>
        {label}
      </button>
      <ConfirmDialog
        open={asking}
        title={title}
        confirmLabel={confirmLabel ?? label}
        danger={danger ?? false}
        onConfirm={() => {
          setAsking(false);
          onConfirm();
        }}
        onCancel={() => setAsking(false)}
      >
        {children}
      </ConfirmDialog>
    </>
  );
}
