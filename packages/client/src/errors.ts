import type { ErrorCode } from '@license-activation/contract/problem';

/**
 * Why a client call failed: one of the service's problem codes (the shared `ErrorCode`), or one of
 * the client's own when no problem document came back:
 * - `NETWORK_ERROR`: no answer at all (DNS, connection, TLS, timeout); see {@link LicenseNetworkError}.
 * - `UNEXPECTED_RESPONSE`: an answer that is not what the contract promises (e.g. a proxy's HTML error page).
 * - `TOKEN_REJECTED`: a license token (from the service or a license file) that failed verification; nothing was stored.
 */
export type ClientErrorCode = ErrorCode | 'NETWORK_ERROR' | 'UNEXPECTED_RESPONSE' | 'TOKEN_REJECTED';

export interface LicenseClientErrorDetails {
  /** The HTTP status, when the service answered. */
  readonly status?: number;
  /** From `Retry-After` (429, 503): do not retry sooner. */
  readonly retryAfterSeconds?: number;
  /** The service's request id, to quote in a support request. */
  readonly requestId?: string;
  readonly cause?: unknown;
}

/**
 * A failed client call, typed by its `code`.
 *
 * @example
 * ```ts
 * try {
 *   await client.activate(key);
 * } catch (error) {
 *   if (error instanceof LicenseClientError && error.code === 'TOO_MANY_ACTIVATIONS') showReleaseHint(error.detail);
 *   else throw error;
 * }
 * ```
 */
export class LicenseClientError extends Error {
  override readonly name: string = 'LicenseClientError';
  readonly status: number | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly requestId: string | undefined;

  constructor(
    readonly code: ClientErrorCode,
    readonly detail: string,
    details: LicenseClientErrorDetails = {},
  ) {
    super(`${code}: ${detail}`, { cause: details.cause });
    this.status = details.status;
    this.retryAfterSeconds = details.retryAfterSeconds;
    this.requestId = details.requestId;
  }
}

/**
 * The service could not be reached (or did not answer in time): worth retrying later, and no reason
 * to leave the mode the stored token grants.
 *
 * @example
 * ```ts
 * if (error instanceof LicenseNetworkError) scheduleRetry();
 * ```
 */
export class LicenseNetworkError extends LicenseClientError {
  override readonly name: string = 'LicenseNetworkError';

  constructor(detail: string, cause: unknown) {
    super('NETWORK_ERROR', detail, { cause });
  }
}
