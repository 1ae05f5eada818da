/**
 * KMS faults of the key itself rather than of the call: the key disabled (`DisabledException`),
 * deleted or its alias gone (`NotFoundException`), or the function's grant to it removed
 * (`AccessDeniedException`). No retry by the SDK helps, but no request is wrong either: the service
 * answers 503 UNAVAILABLE, and the failure counts towards the KMS alarm (cdk/constructs/monitoring.ts).
 */
const keyFaultNames = new Set(['DisabledException', 'NotFoundException', 'AccessDeniedException']);

/** A KMS key the service cannot use; lib/platform/aws-errors.ts reads it as "try again later". */
export class KeyUnavailableError extends Error {
  constructor(cause: Error) {
    super(`the KMS key cannot be used (${cause.name})`, { cause });
    this.name = 'KeyUnavailableError';
  }
}

/** `work`, with a fault of the key itself raised as a KeyUnavailableError. */
export async function keyFaultsUnavailable<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof Error && keyFaultNames.has(error.name)) throw new KeyUnavailableError(error);
    throw error;
  }
}
