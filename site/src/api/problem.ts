import type { Problem, Schemas } from './client';

type ErrorCode = Schemas['ErrorCode'];

/** Each contract error in words a person acts on; the problem's own `detail` follows it. */
const explanations: Record<ErrorCode, string> = {
  VALIDATION_FAILED: 'Some of what was entered is not valid.',
  KEY_MALFORMED: 'That license key is mistyped: check every group of characters.',
  MALFORMED_JSON: 'The request could not be read.',
  AUTHORIZATION_PENDING: 'The server is still waiting for someone to approve its code.',
  SLOW_DOWN: 'The server asked too often; it will try again shortly.',
  UNAUTHENTICATED: 'Your session has ended. Sign in again.',
  INVALID_PROOF: 'The file is not a valid request from an installation (its signature does not match).',
  PROOF_EXPIRED: 'The request file is older than 7 days. Create a new one on the server.',
  PROOF_REPLAYED: 'That request was already used.',
  FORBIDDEN: 'This account may not do that.',
  VIRTUAL_MACHINE_NOT_ALLOWED: 'This product may not run on a virtual machine.',
  LICENSE_SUSPENDED: 'The license is suspended.',
  LICENSE_REVOKED: 'The license is revoked.',
  LICENSE_EXPIRED: 'The license has expired.',
  PRODUCT_MISMATCH: 'The license is for another product than the installation.',
  AUTHORIZATION_DENIED: 'This code was denied.',
  NOT_FOUND: 'Nothing was found there.',
  LICENSE_NOT_FOUND: 'No such license.',
  TOO_MANY_ACTIVATIONS: 'The license has no free activation slot: release an installation first.',
  TRIAL_ALREADY_USED: 'This machine has already had a trial.',
  CONFLICT: 'That cannot be done in the current state.',
  AUTHORIZATION_EXPIRED: 'This code has expired: ask the server for a new one.',
  PAYLOAD_TOO_LARGE: 'The file is too large.',
  UNSUPPORTED_MEDIA_TYPE: 'The request could not be read.',
  IDEMPOTENCY_KEY_REUSED: 'This form was already sent with other values. Reload the page and try again.',
  BUDGET_EXCEEDED: 'This would issue more than your budget for this product and license type allows.',
  RATE_LIMITED: 'Too many requests. Wait a moment and try again.',
  INTERNAL: 'Something went wrong on our side.',
  UNAVAILABLE: 'The service is briefly unavailable. Try again in a moment.',
};

/** A way out of an error: a link to the page that fixes it ("Confirm your email"). */
export interface ErrorAction {
  readonly label: string;
  readonly to: string;
}

/** An error a page shows: a contract problem, or a failure before any answer (network, directory). */
export class ShownError extends Error {
  constructor(
    readonly summary: string,
    readonly detail?: string,
    readonly fieldErrors: readonly { path: string; message: string }[] = [],
    readonly code?: string,
    readonly action?: ErrorAction,
  ) {
    super(detail ? `${summary} ${detail}` : summary);
    this.name = 'ShownError';
  }
}

function isProblem(value: unknown): value is Problem {
  return typeof value === 'object' && value !== null && typeof (value as { code?: unknown }).code === 'string';
}

export function toShownError(error: unknown): ShownError {
  if (error instanceof ShownError) return error;
  if (isProblem(error)) {
    const summary = explanations[error.code] ?? error.title;
    return new ShownError(summary, error.detail, error.errors ?? [], error.code);
  }
  if (error instanceof Error) return new ShownError('The request did not go through.', error.message);
  return new ShownError('The request did not go through.');
}

/** The same error, with a link to the page that helps. */
export function withAction(error: ShownError, action: ErrorAction): ShownError {
  return new ShownError(error.summary, error.detail, error.fieldErrors, error.code, action);
}

/** The data of an openapi-fetch answer, or the answer's problem thrown as a ShownError. */
export function unwrap<T>(answer: { data?: T; error?: unknown; response: Response }): T {
  if (answer.error !== undefined || !answer.response.ok) throw toShownError(answer.error ?? new Error(`HTTP ${answer.response.status}`));
  return answer.data as T;
}
