import { effectiveLicenseStatus } from '@license-activation/contract/license-state';
import type { License, LicenseStatus } from '@license-activation/contract/schemas';
import type { LicenseRecord } from '../data/licenses.js';

export function toLicense(record: LicenseRecord, now: Date): License {
  const status: LicenseStatus = effectiveLicenseStatus(record, now);
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
