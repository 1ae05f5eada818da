/**
 * Every event type of the contract (../shared/API.md sections 4, 7, 9 and 10): what the feeds list and what
 * webhook endpoints subscribe to by name. A plain list, so that request validation (zod/mini) and the
 * answers' schemas (zod) build their enums from the same names.
 */
export const eventTypes = [
  'account.created',
  'association.added',
  'association.removed',
  'license.issued',
  'license.suspended',
  'license.reinstated',
  'license.revoked',
  'trial.started',
  'activation.created',
  'activation.released',
  /** A lapsed lease reclaimed by another activation (actor `system`). */
  'activation.expired',
  'budget.set',
  'member.added',
  'member.removed',
  'member.accepted',
  'member.role_changed',
  'authorization.approved',
  'authorization.denied',
  'api_key.created',
  'api_key.revoked',
  /** A token of the installation was issued with another mode, or other limited reasons, than its previous one. */
  'installation.mode_changed',
  /** A license entered the 30-day, then the 7-day window before its `expiresAt` (a scheduled job, within the hour). */
  'license.expiring',
  /** A license's `expiresAt` has passed (the same job). */
  'license.expired',
  /** A presentation of an older or unknown chain, or an owner's restore, replaced the installation's head (API.md §10). */
  'installation.forked',
  /** A head that a fork replaced came back: a second copy of the installation runs. */
  'installation.clone_detected',
  /** Ops or an issuing reseller forgot the detection, the fork count and the replaced heads. */
  'installation.clone_cleared',
  /** Sent only to the webhook endpoint that asked for it; stored in no feed. */
  'webhook.test',
] as const;

export type EventTypeName = (typeof eventTypes)[number];
