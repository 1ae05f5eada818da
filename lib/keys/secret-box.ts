/**
 * Names what a sealed value belongs to (for example the caller and the idempotency key). The same
 * context must be given to open it, so a sealed value copied to another record does not open.
 */
export type SecretContext = Readonly<Record<string, string>>;

/** Encrypts a secret that must be kept for a while but never stored in clear (license keys for replays). */
export interface SecretBox {
  /** The plaintext encrypted and authenticated together with the context, as a string to store. */
  seal(plaintext: string, context: SecretContext): Promise<string>;
  /** The plaintext back; a `SecretBoxError` when the value was tampered with or sealed under another context or key. */
  open(sealed: string, context: SecretContext): Promise<string>;
}

/** A sealed value that does not open: tampered with, sealed under another context or key, or not sealed at all. */
export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';
}
