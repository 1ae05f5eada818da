import { describe, expect, it } from 'vitest';
import { errorStatus } from '@license-activation/contract/problem';

/** API.md §6's table of codes, plus 500 INTERNAL from its text: a client checks every answer's code against it. */
const contractCodes = {
  400: ['VALIDATION_FAILED', 'KEY_MALFORMED', 'MALFORMED_JSON', 'AUTHORIZATION_PENDING', 'SLOW_DOWN'],
  401: ['UNAUTHENTICATED', 'INVALID_PROOF', 'PROOF_EXPIRED', 'PROOF_REPLAYED'],
  403: ['FORBIDDEN', 'VIRTUAL_MACHINE_NOT_ALLOWED', 'LICENSE_SUSPENDED', 'LICENSE_REVOKED', 'LICENSE_EXPIRED', 'PRODUCT_MISMATCH', 'AUTHORIZATION_DENIED'],
  404: ['NOT_FOUND', 'LICENSE_NOT_FOUND'],
  409: ['TOO_MANY_ACTIVATIONS', 'TRIAL_ALREADY_USED', 'BUDGET_EXCEEDED', 'CONFLICT'],
  410: ['AUTHORIZATION_EXPIRED'],
  413: ['PAYLOAD_TOO_LARGE'],
  415: ['UNSUPPORTED_MEDIA_TYPE'],
  422: ['IDEMPOTENCY_KEY_REUSED'],
  429: ['RATE_LIMITED'],
  500: ['INTERNAL'],
  503: ['UNAVAILABLE'],
};

describe('errorStatus', () => {
  it("holds exactly the contract's codes, each with its status, and no other (no 405: a method a path lacks is 404)", () => {
    const byStatus: Record<number, string[]> = {};
    for (const [code, status] of Object.entries(errorStatus)) (byStatus[status] ??= []).push(code);

    expect(byStatus).toEqual(contractCodes);
  });
});
