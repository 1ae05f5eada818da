import type { AuditEvent } from '@license-activation/contract/schemas';
import { toInstallationRecord } from '../data/installations.js';
import type { InstallationRecord } from '../data/installations.js';
import { partitions } from '../data/keys.js';
import { toLicenseRecord } from '../data/licenses.js';
import type { LicenseRecord } from '../data/licenses.js';
import type { LicenseStatusChange } from '../data/usage.js';

/**
 * The items of the table that figures are derived from, recognized by their keys: what the stream
 * consumer applies and what the rebuild adds up. Events count from their copy in the license's feed,
 * once however many feeds keep them.
 */
export type SourceItem =
  | { readonly kind: 'installation'; readonly installation: InstallationRecord }
  | { readonly kind: 'license'; readonly license: LicenseRecord }
  | { readonly kind: 'activation'; readonly event: AuditEvent }
  | { readonly kind: 'status-change'; readonly eventId: string; readonly licenseId: string; readonly change: LicenseStatusChange }
  | { readonly kind: 'association'; readonly resellerId: string; readonly customerId: string };

/** The partitions whose items are sources: the stream consumer needs no other change. */
export const sourcePartitions = [partitions.installation, partitions.license, partitions.account] as const;

/** The license status each license event leaves. */
const statusAfter: Readonly<Record<string, LicenseStatusChange['status']>> = {
  'license.issued': 'active',
  'license.suspended': 'suspended',
  'license.reinstated': 'active',
  'license.revoked': 'revoked',
};

export function sourceItemOf(item: Record<string, unknown>): SourceItem | undefined {
  const pk = String(item.pk);
  const sk = String(item.sk);
  if (pk.startsWith(partitions.installation) && sk === 'INSTALLATION') return { kind: 'installation', installation: toInstallationRecord(item) };
  if (pk.startsWith(partitions.license) && sk === 'LICENSE') return { kind: 'license', license: toLicenseRecord(item) };
  if (pk.startsWith(partitions.license) && sk.startsWith('EVENT#')) {
    const event = item as unknown as AuditEvent;
    if (event.type === 'activation.created') return { kind: 'activation', event };
    const status = statusAfter[event.type];
    return status && event.licenseId ? { kind: 'status-change', eventId: event.id, licenseId: event.licenseId, change: { at: event.createdAt, status } } : undefined;
  }
  if (pk.startsWith(partitions.account) && sk.startsWith('CUSTOMER#')) return { kind: 'association', resellerId: String(item.resellerId), customerId: String(item.customerId) };
  return undefined;
}
