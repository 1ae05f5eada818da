import { isTransientAwsError } from '../platform/aws-errors.js';
import { problem, ProblemError } from '@license-activation/contract/problem';
import type { HttpResponse } from './http-event.js';

/**
 * Headers of every API answer, success or problem: never cached, and never read by a browser as
 * anything but its declared type (a JSON answer echoing a client's text is not a page).
 */
export const apiAnswerHeaders: Readonly<Record<string, string>> = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };

/** Seconds a client should wait after a 503 caused by AWS throttling or faults. */
export const unavailableRetryAfterSeconds = 2;

/**
 * Turns any error into a problem response. Thrown problems keep their code; AWS faults that
 * outlived the SDK's retries are 503 UNAVAILABLE; anything else is a bare 500 INTERNAL.
 */
export function toProblemError(error: unknown): ProblemError {
  if (error instanceof ProblemError) return error;
  if (isTransientAwsError(error)) {
    return problem('UNAVAILABLE', 'a dependency is unavailable, retry later', {
      retryAfterSeconds: unavailableRetryAfterSeconds,
      cause: error,
    });
  }
  return problem('INTERNAL', 'an unexpected error occurred; quote the request id when reporting it', { cause: error });
}

export function problemResponse(error: ProblemError, requestId: string): HttpResponse {
  const headers: Record<string, string> = { 'Content-Type': 'application/problem+json', ...apiAnswerHeaders };
  if (error.extra.retryAfterSeconds !== undefined) headers['Retry-After'] = String(error.extra.retryAfterSeconds);
  return { statusCode: error.status, headers, body: JSON.stringify(error.toProblem(requestId)) };
}
