import type { Product } from '../catalog/catalog-schema.js';
import type { ErrorCode } from '../contract/problem.js';
import type { LicenseRecord } from '../data/licenses.js';
import { hasExpired } from '../licenses/license-view.js';

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
  if (license.status === 'revoked') return { code: 'LICENSE_REVOKED', detail: 'the license is revoked' };
  if (license.status === 'suspended') return { code: 'LICENSE_SUSPENDED', detail: 'the license is suspended' };
  if (hasExpired(license, now)) return { code: 'LICENSE_EXPIRED', detail: `the license expired at ${license.expiresAt}` };
  if (machine.virtual && product.virtualMachines === 'denied') {
    return { code: 'VIRTUAL_MACHINE_NOT_ALLOWED', detail: `${product.name} licenses do not run on virtual machines` };
  }
  return undefined;
}

/** Which refusal a failed slot update means, from the license as it was when the transaction ran. */
export function slotRefusal(current: { readonly status?: unknown; readonly maxActivations?: unknown } | undefined): { code: 'LICENSE_REVOKED' | 'LICENSE_SUSPENDED' | 'TOO_MANY_ACTIVATIONS'; detail: string } {
  if (current?.status === 'revoked') return { code: 'LICENSE_REVOKED', detail: 'the license is revoked' };
  if (current?.status === 'suspended') return { code: 'LICENSE_SUSPENDED', detail: 'the license is suspended' };
  return { code: 'TOO_MANY_ACTIVATIONS', detail: `the license is activated on ${String(current?.maxActivations ?? 'all its')} installations already` };
}
