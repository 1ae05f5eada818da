import type { Product } from '@license-activation/contract/catalog-schema';
import type { ErrorCode } from '@license-activation/contract/problem';
import type { LicenseRecord } from '../data/licenses.js';
import { licenseUnusableReason } from '@license-activation/contract/license-state';
import type { LicenseUnusableReason } from '@license-activation/contract/license-state';

export interface ActivationRefusal {
  readonly code: Extract<ErrorCode, 'PRODUCT_MISMATCH' | 'LICENSE_REVOKED' | 'LICENSE_SUSPENDED' | 'LICENSE_EXPIRED' | 'VIRTUAL_MACHINE_NOT_ALLOWED'>;
  readonly detail: string;
}

/**
 * The license checks of an activation, in the contract's order (../shared/API.md §4); the first that
 * fails answers. Key format and existence come before, the activation limit after (it is counted
 * only for a new activation, atomically).
 */
export function activationRefusal(
  license: LicenseRecord,
  product: Product,
  machine: { readonly productId: string; readonly virtual: boolean },
  now: Date,
): ActivationRefusal | undefined {
  if (license.productId !== machine.productId) {
    return { code: 'PRODUCT_MISMATCH', detail: `the license is for ${license.productId}, not ${machine.productId}` };
  }
  const unusable = licenseUnusableReason(license, now);
  if (unusable) return { code: unusable, detail: unusableDetail(unusable, license) };
  if (machine.virtual && product.virtualMachines === 'denied') {
    return { code: 'VIRTUAL_MACHINE_NOT_ALLOWED', detail: `${product.name} licenses do not run on virtual machines` };
  }
  return undefined;
}

function unusableDetail(reason: LicenseUnusableReason, license: Pick<LicenseRecord, 'expiresAt'>): string {
  if (reason === 'LICENSE_EXPIRED') return `the license expired at ${license.expiresAt}`;
  return reason === 'LICENSE_REVOKED' ? 'the license is revoked' : 'the license is suspended';
}

/** Which refusal a failed slot update means, from the license as it was when the transaction ran. */
export function slotRefusal(current: { readonly status?: unknown; readonly maxActivations?: unknown } | undefined): { code: 'LICENSE_REVOKED' | 'LICENSE_SUSPENDED' | 'TOO_MANY_ACTIVATIONS'; detail: string } {
  if (current?.status === 'revoked' || current?.status === 'suspended') {
    const reason = current.status === 'revoked' ? 'LICENSE_REVOKED' : 'LICENSE_SUSPENDED';
    return { code: reason, detail: unusableDetail(reason, {}) };
  }
  return { code: 'TOO_MANY_ACTIVATIONS', detail: `the license is activated on ${installationCount(current?.maxActivations)} already` };
}

/** "1 installation", "5 installations"; "all its installations" when the limit is not a number. */
function installationCount(limit: unknown): string {
  if (typeof limit !== 'number') return 'all its installations';
  return `${limit} installation${limit === 1 ? '' : 's'}`;
}
