import type { Actor } from '../auth/principal.js';
import type { Table } from '../platform/dynamodb.js';
import { installationEventPuts } from '../data/events.js';
import type { InstallationRecord } from '../data/installations.js';
import type { TransactItem } from '../data/transactions.js';
import { newId } from '../ids.js';
import type { ChainEvent } from './clone-detection.js';

/**
 * The items that record what happened to an installation's chain (a fork, a detected or cleared
 * clone), written in the transaction that makes it happen: in its customer's feed and its licenses'.
 */
export function chainEventItems(table: Table, installation: InstallationRecord, event: ChainEvent, actor: Actor, now: Date): TransactItem[] {
  const licenseIds = Object.keys(installation.licenses).sort();
  const [onlyLicense] = licenseIds.length === 1 ? licenseIds : [];
  return installationEventPuts(
    table,
    {
      id: newId('evt', now),
      type: event.type,
      createdAt: now.toISOString(),
      actor,
      ...(installation.customerId === undefined ? {} : { customerId: installation.customerId }),
      ...(onlyLicense === undefined ? {} : { licenseId: onlyLicense }),
      installationId: installation.id,
      data: { ...event.data },
    },
    licenseIds,
  );
}
