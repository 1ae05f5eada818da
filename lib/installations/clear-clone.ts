import { customerAccessGuard } from '../auth/access-facts.js';
import { actorOf } from '../auth/principal.js';
import type { Caller } from '../auth/principal.js';
import { problem } from '@license-activation/contract/problem';
import type { Installation } from '@license-activation/contract/schemas';
import { retry, retryOnContention } from '../data/contention.js';
import { getInstallation, installationPut } from '../data/installations.js';
import type { InstallationRecord } from '../data/installations.js';
import { labelledTransaction } from '../data/transactions.js';
import type { LabelledItem } from '../data/transactions.js';
import type { Table } from '../platform/dynamodb.js';
import type { Catalog } from '@license-activation/contract/catalog-schema';
import { afterClearing } from './clone-detection.js';
import { chainEventItems } from './installation-events.js';
import { slotView, toInstallationView } from './installation-view.js';

/**
 * `POST /v1/installations/{id}/clear-clone`: forgets a detected clone, the fork count and the replaced
 * heads (API.md §10), with `installation.clone_cleared`, once the copies each have an installation of
 * their own. For ops and a reseller that issued one of the licenses the installation holds; its customer
 * may not clear its own detection. Clearing where nothing is detected changes nothing. The next token
 * is signed anew (the revision changed), without the warning; a copy still running with the old key
 * forks and is detected again. `installation` is the installation as its route's access decision read
 * it; a retry reads it again, and finds nothing if it has meanwhile changed customers.
 */
export async function clearClone(
  deps: { readonly table: Table; readonly catalog: Catalog },
  request: { caller: Caller; installation: InstallationRecord; now: Date },
): Promise<Installation> {
  const { table } = deps;
  const { caller, now } = request;
  const { id: installationId, customerId } = request.installation;
  const view = (installation: InstallationRecord) => toInstallationView(installation, slotView(deps.catalog, installation.productId, now));
  let read: InstallationRecord | undefined = request.installation;
  return retryOnContention(async () => {
    const installation = read ?? (await getInstallation(table, installationId));
    read = undefined;
    if (!installation || installation.customerId !== customerId) throw problem('NOT_FOUND', `no installation ${installationId}`);
    if (installation.chain?.cloneDetectedAt === undefined) return view(installation);
    const cleared = afterClearing(installation.chain);
    const next: InstallationRecord = { ...installation, chain: cleared.state, rev: installation.rev + 1 };
    const { account } = caller;
    const items: LabelledItem<'installation' | 'access' | 'event'>[] = [
      ['installation', installationPut(table, next, installation.rev)],
      // A reseller must still manage the customer when the detection is forgotten.
      ...(account?.kind === 'reseller' && installation.customerId !== undefined ? [['access', customerAccessGuard(table, account, installation.customerId)] as const] : []),
      ...chainEventItems(table, next, cleared.event, actorOf(caller), now).map((item) => ['event', item] as const),
    ];
    const outcome = await labelledTransaction(table, items);
    if (outcome.ok) return view(next);
    if (outcome.failed.has('access')) throw problem('NOT_FOUND', `no installation ${installationId}`);
    return retry;
  });
}
