import { useState } from 'react';

/** A secret the API answers once (a license key, an API key): shown, with a copy button, never again. */
export function ShownOnce({ label, value }: { label: string; value: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="secret" role="status">
      <p>
        <strong>{label}</strong> — copy it now: it is not shown again.
      </p>
      <p>
        <code data-testid="secret">{value}</code>{' '}
        <button
          type="button"
          onClick={() =>
            void navigator.clipboard.writeText(value).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      </p>
    </div>
  );
}
