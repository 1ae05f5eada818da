import type { AuditEvent } from '../api/client';
import type { EventNames } from './event-names';
import { formatDate } from './ui';

/** Each event type in words; a type this site does not know yet reads as its own name. */
const typeWords: Readonly<Record<string, string>> = {
  'account.created': 'Account created',
  'association.added': 'Reseller now manages the customer',
  'association.removed': 'Reseller no longer manages the customer',
  'license.issued': 'License issued',
  'license.suspended': 'License suspended',
  'license.reinstated': 'License reinstated',
  'license.revoked': 'License revoked',
  'trial.started': 'Trial started',
  'activation.created': 'Activated',
  'activation.released': 'Activation released',
  'activation.expired': 'Activation expired (lease lapsed, slot reclaimed)',
  'budget.set': 'Budget set',
  'member.added': 'Member invited',
  'member.removed': 'Member removed',
  'member.accepted': 'Invitation accepted',
  'member.role_changed': 'Role changed',
  'authorization.approved': 'Sign-in activation approved',
  'authorization.denied': 'Sign-in activation denied',
  'api_key.created': 'API key created',
  'api_key.revoked': 'API key revoked',
  'license.expiring': 'License expiring soon',
  'license.expired': 'License expired',
  'installation.mode_changed': 'Installation mode changed',
  'installation.forked': 'Installation forked (a restored or copied server)',
  'installation.clone_detected': 'Second running copy detected',
  'installation.clone_cleared': 'Copy detection cleared',
};

export function eventTypeWords(type: string): string {
  return typeWords[type] ?? type.replaceAll('_', ' ').replace('.', ': ');
}

/** The event types a filter offers, in words, in the order above. */
export const eventTypeChoices = Object.entries(typeWords).map(([value, label]) => ({ value, label }));

const text = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value) : undefined);

/** What the event's data adds, in a few words: "from active to suspended: late payment", "it@acme.example as owner". */
export function eventDetails(event: AuditEvent, names: EventNames): string {
  const data = event.data ?? {};
  const parts: string[] = [];
  // As text: types added to the contract later (issue 25's member and key events) are worded before the site is rebuilt.
  const type: string = event.type;
  switch (type) {
    case 'license.suspended':
    case 'license.reinstated':
    case 'license.revoked':
      if (text(data.from) && text(data.to)) parts.push(`from ${text(data.from)} to ${text(data.to)}`);
      if (text(data.reason)) parts.push(`reason: ${text(data.reason)}`);
      break;
    case 'activation.created':
      parts.push(data.offline ? 'offline, by license file' : 'online');
      if (text(data.version)) parts.push(`version ${text(data.version)}`);
      break;
    case 'activation.released':
      if (text(data.freesAt)) parts.push(`slot frees ${formatDate(String(data.freesAt))}`);
      else parts.push('slot freed');
      break;
    case 'activation.expired':
      if (text(data.lastSeenAt)) parts.push(`last seen ${formatDate(String(data.lastSeenAt))}`);
      break;
    case 'trial.started':
      if (text(data.endsAt)) parts.push(`ends ${formatDate(String(data.endsAt))}`);
      break;
    case 'member.added':
    case 'member.removed':
      if (text(data.email)) parts.push(`${text(data.email)}${text(data.role) ? ` as ${text(data.role)}` : ''}`);
      break;
    case 'member.role_changed':
      if (text(data.from) && text(data.to)) parts.push(`from ${text(data.from)} to ${text(data.to)}`);
      break;
    case 'authorization.approved':
    case 'authorization.denied':
      if (text(data.userCode)) parts.push(`code ${text(data.userCode)}`);
      if (text(data.accountId)) parts.push(`for ${names.customer(String(data.accountId))}`);
      break;
    case 'budget.set':
      if (text(data.limit)) parts.push(`${text(data.productId) ?? ''} ${text(data.type) ?? ''} limit ${text(data.limit)}`.trim());
      break;
    case 'association.added':
    case 'association.removed':
      if (text(data.resellerId)) parts.push(names.customer(String(data.resellerId)));
      break;
    case 'api_key.created':
    case 'api_key.revoked':
      if (text(data.prefix)) parts.push(`key ${text(data.prefix)}…`);
      break;
  }
  return parts.join('; ');
}

/** What the event concerns, in words: the license and installation it names, or the customer. */
export function eventSubject(event: AuditEvent, names: EventNames): string {
  const parts = [event.licenseId ? names.license(event.licenseId) : undefined, event.installationId ? `on ${names.installation(event.installationId)}` : undefined].filter(Boolean);
  if (parts.length > 0) return parts.join(' ');
  return event.customerId ? names.customer(event.customerId) : '—';
}
