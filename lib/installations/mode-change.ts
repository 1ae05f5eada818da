import { isDeepStrictEqual } from 'node:util';
import type { LicenseTokenClaims } from '@license-activation/contract/license-token';
import type { AuditEvent } from '@license-activation/contract/schemas';
import type { Table } from '../platform/dynamodb.js';
import { installationEventPuts } from '../data/events.js';
import type { InstallationRecord, TokenMode } from '../data/installations.js';
import type { TransactItem } from '../data/transactions.js';
import { systemActor } from '../auth/principal.js';
import { newId } from '../ids.js';

/**
 * `installation.mode_changed` (API.md §9): a token of the installation was issued with another mode, or
 * other limited reasons, than its previous token. The installation item keeps the mode of its last issued
 * token, so the event is written once per change, in the very transaction that records the new token —
 * never once per heartbeat, and never for a token answered again without a new signature.
 */

/** The mode a token decides, reasons sorted so that their order is no change. */
export function tokenModeOf(claims: Pick<LicenseTokenClaims, 'mode' | 'limited'>): TokenMode {
  return { mode: claims.mode, reasons: [...(claims.limited?.reasons ?? [])].sort() };
}

/** The installation's mode after a new token, and the event if it changed (none for its first token). */
export function modeChange(previous: InstallationRecord | undefined, claims: LicenseTokenClaims, now: Date): { tokenMode: TokenMode; event?: AuditEvent } {
  const tokenMode = tokenModeOf(claims);
  const from = previous?.tokenMode;
  if (!from || isDeepStrictEqual(from, tokenMode)) return { tokenMode };
  return {
    tokenMode,
    event: {
      id: newId('evt', now),
      type: 'installation.mode_changed',
      createdAt: now.toISOString(),
      actor: systemActor,
      ...(claims.customerId ? { customerId: claims.customerId } : {}),
      installationId: claims.sub,
      data: { from: { mode: from.mode, reasons: [...from.reasons] }, to: { mode: tokenMode.mode, reasons: [...tokenMode.reasons] } },
    },
  };
}

/** The event's copies, as every `installation.*` event's: in the customer's feed and each of the installation's licenses' (a trial's, in the installation's). */
export function modeChangePuts(table: Table, installation: InstallationRecord, event: AuditEvent | undefined): TransactItem[] {
  return event ? installationEventPuts(table, event, Object.keys(installation.licenses)) : [];
}
