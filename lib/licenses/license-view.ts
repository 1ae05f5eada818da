import type { License, LicenseStatus } from '../contract/schemas.js';
import type { LicenseRecord } from '../data/licenses.js';

/** Whether the license's end has passed at `now` (licenses without an end never expire). */
export function hasExpired(record: Pick<LicenseRecord, 'expiresAt'>, now: Date): boolean {
  return record.expiresAt !== undefined && Date.parse(record.expiresAt) <= now.getTime();
}

/** The status the contract shows: `expired` once the end has passed, unless revoked. */
export function effectiveStatus(record: Pick<LicenseRecord, 'status' | 'expiresAt'>, now: Date): LicenseStatus {
  return record.status !== 'revoked' && hasExpired(record, now) ? 'expired' : record.status;
}

export function toLicense(record: LicenseRecord, now: Date): License {
  const status = effectiveStatus(record, now);
  return {
    id: record.id,
    customerId: record.customerId,
    productId: record.productId,
    type: record.type,
    quantity: record.quantity,
    ...(record.edition !== undefined ? { edition: record.edition } : {}),
    status,
    keyPrefix: record.keyPrefix,
    issuedBy: record.issuedBy,
    createdAt: record.createdAt,
    ...(record.expiresAt !== undefined ? { expiresAt: record.expiresAt } : {}),
    maxActivations: record.maxActivations,
    activations: record.activations,
  };
}
