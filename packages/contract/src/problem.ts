import * as z from 'zod';

/**
 * Every error code a client can receive, with its HTTP status.
 * One shared list: the server, the OpenAPI document and the on-prem client all read it.
 */
export const errorStatus = {
  VALIDATION_FAILED: 400,
  KEY_MALFORMED: 400,
  MALFORMED_JSON: 400,
  AUTHORIZATION_PENDING: 400,
  SLOW_DOWN: 400,
  UNAUTHENTICATED: 401,
  INVALID_PROOF: 401,
  PROOF_EXPIRED: 401,
  PROOF_REPLAYED: 401,
  FORBIDDEN: 403,
  VIRTUAL_MACHINE_NOT_ALLOWED: 403,
  LICENSE_SUSPENDED: 403,
  LICENSE_REVOKED: 403,
  LICENSE_EXPIRED: 403,
  PRODUCT_MISMATCH: 403,
  AUTHORIZATION_DENIED: 403,
  NOT_FOUND: 404,
  LICENSE_NOT_FOUND: 404,
  TOO_MANY_ACTIVATIONS: 409,
  TRIAL_ALREADY_USED: 409,
  BUDGET_EXCEEDED: 409,
  CONFLICT: 409,
  AUTHORIZATION_EXPIRED: 410,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  IDEMPOTENCY_KEY_REUSED: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

const titles: Record<ErrorCode, string> = {
  VALIDATION_FAILED: 'The request is not valid',
  KEY_MALFORMED: 'The license key is malformed',
  MALFORMED_JSON: 'The body is not valid JSON',
  AUTHORIZATION_PENDING: 'The sign-in activation is not approved yet',
  SLOW_DOWN: 'Polled too often',
  UNAUTHENTICATED: 'Authentication is required',
  INVALID_PROOF: 'The proof of possession is invalid',
  PROOF_EXPIRED: 'The proof of possession has expired',
  PROOF_REPLAYED: 'The proof of possession was already used',
  FORBIDDEN: 'Not allowed',
  VIRTUAL_MACHINE_NOT_ALLOWED: 'Virtual machines are not allowed',
  LICENSE_SUSPENDED: 'The license is suspended',
  LICENSE_REVOKED: 'The license is revoked',
  LICENSE_EXPIRED: 'The license has expired',
  PRODUCT_MISMATCH: 'The license is for another product',
  AUTHORIZATION_DENIED: 'The sign-in activation was denied',
  NOT_FOUND: 'Not found',
  LICENSE_NOT_FOUND: 'License not found',
  TOO_MANY_ACTIVATIONS: 'The license has no activation left',
  TRIAL_ALREADY_USED: 'A trial was already used on this machine',
  BUDGET_EXCEEDED: "The reseller's budget is used up",
  CONFLICT: 'The current state does not allow this change',
  AUTHORIZATION_EXPIRED: 'The sign-in activation has expired',
  PAYLOAD_TOO_LARGE: 'The body is too large',
  UNSUPPORTED_MEDIA_TYPE: 'The body is not sent as application/json',
  IDEMPOTENCY_KEY_REUSED: 'The idempotency key was used with another request',
  RATE_LIMITED: 'Too many requests',
  INTERNAL: 'Internal error',
  UNAVAILABLE: 'Temporarily unavailable',
};

/** The RFC 9457 `type` URI of a code: stable, so clients may switch on it as well as on `code`. */
export const problemType = (code: ErrorCode): string =>
  `urn:license-activation:problem:${code.toLowerCase().replaceAll('_', '-')}`;

/** One offending field of a request. */
export type FieldError = z.infer<typeof FieldError>;

/** An RFC 9457 problem document as this API sends it. */
export type Problem = z.infer<typeof Problem>;

/**
 * An error thrown on purpose: it reaches the client as a problem document with its code.
 * 4xx problems say what went wrong; a 5xx says nothing beyond the request id.
 */
export class ProblemError extends Error {
  override readonly name = 'ProblemError';
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly extra: { errors?: FieldError[]; retryAfterSeconds?: number; cause?: unknown } = {},
  ) {
    super(detail, { cause: extra.cause });
    this.status = errorStatus[code];
  }

  toProblem(requestId?: string): Problem {
    return {
      type: problemType(this.code),
      title: titles[this.code],
      status: this.status,
      detail: this.detail,
      code: this.code,
      ...(this.extra.errors ? { errors: this.extra.errors } : {}),
      ...(requestId ? { requestId } : {}),
    };
  }
}

export const problem = (code: ErrorCode, detail: string, extra?: ProblemError['extra']): ProblemError =>
  new ProblemError(code, detail, extra);

// ---------------------------------------------------------------- schemas for documentation

/*
 * The problem document as zod schemas (its types above derive from them): the OpenAPI document and
 * the client read them, the server only builds problems. Each is made by a call marked pure, so that
 * a function's bundle leaves out what it never reads, and zod too when nothing else there needs it.
 */

export const ErrorCode = /* @__PURE__ */ (() => z.enum(Object.keys(errorStatus) as [ErrorCode, ...ErrorCode[]]))();

export const FieldError = /* @__PURE__ */ (() => z.object({ path: z.string(), message: z.string() }))();

export const Problem = /* @__PURE__ */ (() =>
  z.object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: ErrorCode,
    errors: z.array(FieldError).optional(),
    requestId: z.string().optional(),
  }))();
