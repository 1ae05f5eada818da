import type { Table } from '../platform/dynamodb.js';
import { customerAccessGuard } from '../auth/access-facts.js';
import type { AccountPrincipal, Actor } from '../auth/principal.js';
import { problem } from '@license-activation/contract/problem';
import type { EventType, License } from '@license-activation/contract/schemas';
import { retry, retryOnContention } from '../data/contention.js';
import { changeLicenseStatus, getLicense } from '../data/licenses.js';
import { budgetReturn } from '../data/budgets.js';
import type { LicenseRecord } from '../data/licenses.js';
import type { StoredLicenseStatus } from '@license-activation/contract/license-state';
import { newId } from '../ids.js';
import { hasExpired } from '@license-activation/contract/license-state';
import { toLicense } from './license-view.js';

export type LicenseAction = 'suspend' | 'reinstate' | 'revoke';

export type Transition = { readonly to: StoredLicenseStatus } | { readonly unchanged: true } | { readonly conflict: string };

/**
 * What an action does to a license, as a pure rule. Repeating an action changes nothing and is not
 * an error, so retries are safe; revoked is final; an expired license cannot be suspended.
 */
export function decideTransition(license: LicenseRecord, action: LicenseAction, now: Date): Transition {
  if (license.status === 'revoked') return action === 'revoke' ? { unchanged: true } : { conflict: 'the license is revoked, which is final' };
  switch (action) {
    case 'revoke':
      return { to: 'revoked' };
    case 'suspend':
      if (license.status === 'suspended') return { unchanged: true };
      return hasExpired(license, now) ? { conflict: 'the license has expired' } : { to: 'suspended' };
    case 'reinstate':
      return license.status === 'active' ? { unchanged: true } : { to: 'active' };
  }
}

const eventTypes: Record<LicenseAction, EventType> = {
  suspend: 'license.suspended',
  reinstate: 'license.reinstated',
  revoke: 'license.revoked',
};

/**
 * `POST /v1/licenses/{licenseId}/suspend|reinstate|revoke`, with its audit event in the same
 * transaction. `license` is the license as its route's access decision read it (the issuing reseller
 * or ops); a retry reads it again (its customer and issuer never change).
 */
export async function changeStatus(
  deps: { table: Table },
  request: { account: AccountPrincipal; actor: Actor; license: LicenseRecord; action: LicenseAction; reason?: string; now: Date },
): Promise<License> {
  const { account, action, now } = request;
  const licenseId = request.license.id;
  let read: LicenseRecord | undefined = request.license;
  return retryOnContention(async () => {
    const license = read ?? (await getLicense(deps.table, licenseId));
    read = undefined;
    if (!license) throw problem('NOT_FOUND', `no license ${licenseId}`);
    const transition = decideTransition(license, action, now);
    if ('conflict' in transition) throw problem('CONFLICT', `cannot ${action}: ${transition.conflict}`);
    if ('unchanged' in transition) return toLicense(license, now);
    const outcome = await changeLicenseStatus(deps.table, {
      licenseId,
      from: license.status,
      to: transition.to,
      guard: account.kind === 'reseller' ? customerAccessGuard(deps.table, account, license.customerId) : undefined,
      // Revocation gives the quantity back to the issuer's budget at once, in the same transaction.
      budgetReturn:
        transition.to === 'revoked' && license.budgetHeld
          ? budgetReturn(deps.table, { resellerId: license.issuedBy, productId: license.productId, type: license.type }, license.quantity)
          : undefined,
      event: {
        id: newId('evt', now),
        type: eventTypes[action],
        createdAt: now.toISOString(),
        actor: request.actor,
        customerId: license.customerId,
        licenseId,
        data: { from: license.status, to: transition.to, ...(request.reason ? { reason: request.reason } : {}) },
      },
    });
    switch (outcome) {
      case 'changed':
        return toLicense({ ...license, status: transition.to }, now);
      case 'guard-failed':
        throw problem('NOT_FOUND', `no license ${licenseId}`);
      case 'stale':
      case 'contention':
        return retry;
    }
  });
}
