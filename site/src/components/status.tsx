import type { License } from '../api/client';

const statusWords: Record<License['status'], string> = {
  active: 'Active',
  suspended: 'Suspended',
  revoked: 'Revoked',
  expired: 'Expired',
};

export function StatusBadge({ status }: { status: License['status'] }) {
  return <span className={`badge badge-${status}`}>{statusWords[status]}</span>;
}

/** What the license grants, as a person reads it: "vault professional" or "authserver users ×25". */
export function describeLicense(license: Pick<License, 'productId' | 'type' | 'edition' | 'quantity'>): string {
  if (license.type === 'edition') return `${license.productId} ${license.edition ?? ''}`.trim();
  return `${license.productId} ${license.type} ×${license.quantity}`;
}

export const licenseStatuses = Object.keys(statusWords) as License['status'][];
