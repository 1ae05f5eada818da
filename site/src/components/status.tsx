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

export const licenseStatusChoices = Object.entries(statusWords).map(([value, label]) => ({ value, label }));
