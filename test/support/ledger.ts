import type { Table } from '#lib/platform/dynamodb.js';
import { keys, partitions } from '#lib/data/keys.js';
import { maxRecentProofs } from '#lib/data/proofs.js';
import { maxPendingInvitations } from '#lib/data/members.js';
import { maxApiKeys } from '#lib/data/api-keys.js';
import { itemKey, scanTable } from './table-snapshot.js';
import type { Item } from './table-snapshot.js';

/**
 * The ledger invariants of the single table (docs/ARCHITECTURE.md, "Writes that must hold together"),
 * checked over a full scan. Each violation is one sentence naming the items involved; an empty list
 * means the table is consistent. Free of vitest, so `npm run soak` checks with the same code.
 *
 * - a license's `activations` equals the number of its `ACTIVATION#` items, within `maxActivations`;
 * - every activation item is in its installation's `licenses` map (same activation id), and vice versa;
 *   a released one still holding its slot is in its `released` map instead;
 * - a reseller budget's `used` is the quantity of the reseller's licenses its budget holds, and a
 *   budget with a limit keeps `headroom = limit - used`;
 * - an installation holds licenses of its own customer only, and a trial never outlives its first activation;
 * - an API key's lookup and its entry in its account's list agree, and an account counts its keys (at most 5);
 * - a membership's items agree (under its account, its email and, once accepted, its person); an
 *   account counts its active owners, and an email its pending invitations (at most 20);
 * - nothing is orphaned: API keys, associations, licenses, idempotency records, trial claims, spent proofs
 *   and events all name items that exist, and every event is in every feed it belongs to.
 *
 * Usage history and insights are left out: derived from the stream after the commit, they hold no ledger
 * of their own, and the rebuild test checks them against the items here (test/integration/insights/).
 */
export function ledgerViolations(items: readonly Item[]): string[] {
  const byKey = new Map(items.map((item) => [itemKey(item), item]));
  const find = (key: { pk: string; sk: string }) => byKey.get(`${key.pk}|${key.sk}`);
  const account = (id: unknown) => (typeof id === 'string' ? find(keys.account(id)) : undefined);
  const license = (id: unknown) => (typeof id === 'string' ? find(keys.license(id)) : undefined);
  const installation = (id: unknown) => (typeof id === 'string' ? find(keys.installation(id)) : undefined);
  // An installation may ask for a sign-in activation (spending a proof) before it exists.
  const violations: string[] = [];
  const activationCount = new Map<string, number>();
  const apiKeysOf = new Map<string, number>();
  const eventFeeds = new Map<string, Set<string>>();
  const heldBudget = new Map<string, number>();
  const activeOwners = new Map<string, number>();
  const pendingInvitations = new Map<string, number>();
  const endpointsOf = new Map<string, number>();
  const count = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  const budgetKey = (resellerId: unknown, productId: unknown, type: unknown) => `${String(resellerId)}|${String(productId)}|${String(type)}`;

  const feedSubjectExists = (feed: string): boolean => {
    const [prefix, ...rest] = feed.split('#');
    const id = rest.join('#');
    if (prefix === 'ACCOUNT') return account(id) !== undefined;
    if (prefix === 'LICENSE') return license(id) !== undefined;
    if (prefix === 'INSTALLATION') return installation(id) !== undefined;
    return false;
  };

  const derived = (item: Item) => [partitions.insights, partitions.usage].some((prefix) => String(item.pk).startsWith(prefix));
  for (const item of items) {
    if (derived(item)) continue;
    const where = itemKey(item);
    switch (item.entity) {
      case 'account':
        break;
      case 'apiKey': {
        const owner = account(item.accountId);
        if (owner?.kind !== item.kind) violations.push(`API key ${where} names no ${String(item.kind)} account ${String(item.accountId)}`);
        const listed = find(keys.accountApiKey(String(item.accountId), String(item.id)));
        if (!listed || listed.hash !== item.hash || listed.prefix !== item.prefix) violations.push(`API key ${where} is not listed as ${String(item.id)} of ${String(item.accountId)}`);
        count(apiKeysOf, String(item.accountId));
        break;
      }
      case 'accountApiKey':
        if (find(keys.apiKey(String(item.hash)))?.id !== item.id) violations.push(`listed API key ${where} has no lookup item`);
        break;
      case 'apiKeyCount':
        // Compared with the keys it counts, below.
        break;
      case 'association':
        if (account(item.resellerId)?.kind !== 'reseller') violations.push(`association ${where} names no reseller ${String(item.resellerId)}`);
        if (account(item.customerId)?.kind !== 'customer') violations.push(`association ${where} names no customer ${String(item.customerId)}`);
        break;
      case 'license': {
        if (account(item.customerId)?.kind !== 'customer') violations.push(`license ${String(item.id)} belongs to no customer ${String(item.customerId)}`);
        const { activations, maxActivations } = item;
        if (typeof activations !== 'number' || typeof maxActivations !== 'number' || activations < 0 || activations > maxActivations) {
          violations.push(`license ${String(item.id)} counts ${String(activations)} of ${String(maxActivations)} activations`);
        }
        if (item.budgetHeld === true) {
          const held = budgetKey(item.issuedBy, item.productId, item.type);
          heldBudget.set(held, (heldBudget.get(held) ?? 0) + Number(item.quantity));
        }
        break;
      }
      case 'activation': {
        const licenseId = String(item.licenseId);
        activationCount.set(licenseId, (activationCount.get(licenseId) ?? 0) + 1);
        if (!license(licenseId)) violations.push(`activation ${where} has no license`);
        const holder = installation(item.installationId);
        const map = item.releasedAt === undefined ? holder?.licenses : holder?.released;
        const held = (map as Record<string, Item> | undefined)?.[licenseId];
        if (!held) violations.push(`activation ${where} is missing from installation ${String(item.installationId)}`);
        else if (held.activationId !== item.activationId) violations.push(`activation ${where} is ${String(item.activationId)}, its installation says ${String(held.activationId)}`);
        break;
      }
      case 'installation': {
        const id = String(item.id);
        const held = Object.entries((item.licenses as Record<string, Item> | undefined) ?? {});
        for (const [licenseId] of held) {
          if (!find(keys.activation(licenseId, id))) violations.push(`installation ${id} holds ${licenseId} without its activation item`);
          const activated = license(licenseId);
          if (!activated) violations.push(`installation ${id} holds a missing license ${licenseId}`);
          else if (activated.customerId !== item.customerId) violations.push(`installation ${id} of ${String(item.customerId)} holds ${licenseId} of ${String(activated.customerId)}`);
        }
        if (item.customerId !== undefined && account(item.customerId)?.kind !== 'customer') violations.push(`installation ${id} belongs to no customer ${String(item.customerId)}`);
        if (item.trial !== undefined && (item.trialEndedAt !== undefined || held.length > 0)) violations.push(`installation ${id} is on trial after an activation`);
        break;
      }
      case 'proof': {
        // `OFFLINE#<id>#<jti>`: a spent request file, of an installation it activated.
        const installationId = String(item.pk).split('#')[1];
        if (!installation(installationId)) violations.push(`spent request file ${where} belongs to no installation`);
        break;
      }
      case 'proofLedger': {
        // `INSTALLATION#<id>` / `PROOFS`: proofs an installation spent before it had an item (sign-in starts,
        // refused requests), gone with its TTL once the last of them leaves the replay window.
        const proofTimes = Object.values((item.recentProofs ?? {}) as Record<string, unknown>);
        if (typeof item.recentProofs !== 'object' || proofTimes.length > maxRecentProofs) violations.push(`proof ledger ${where} holds ${JSON.stringify(item.recentProofs)}`);
        if (item.ttl !== Math.max(...proofTimes.map(Number))) violations.push(`proof ledger ${where} expires at ${String(item.ttl)}, not with its last proof`);
        break;
      }
      case 'trialFingerprint':
        if (installation(item.installationId)?.productId !== item.productId) violations.push(`trial claim ${where} names no ${String(item.productId)} installation ${String(item.installationId)}`);
        break;
      case 'idempotency':
        if (license(item.licenseId)?.issuedBy !== item.callerId) violations.push(`idempotency record ${where} names no license ${String(item.licenseId)} of ${String(item.callerId)}`);
        if (typeof item.sealedKey !== 'string' || item.sealedKey === '') violations.push(`idempotency record ${where} keeps no sealed key`);
        break;
      case 'budget':
        if (account(item.resellerId)?.kind !== 'reseller') violations.push(`budget ${where} names no reseller ${String(item.resellerId)}`);
        if (typeof item.limit === 'number' && item.headroom !== item.limit - Number(item.used)) violations.push(`budget ${where} has headroom ${String(item.headroom)} for ${String(item.used)} of ${item.limit}`);
        break;
      case 'keyFailures':
      case 'userCodeFailures':
        // Failed key attempts are counted for any installation, known or not, unknown user codes for any person: nothing to reference.
        break;
      case 'member': {
        if (account(item.accountId)?.kind !== item.accountKind) violations.push(`membership ${where} names no ${String(item.accountKind)} account ${String(item.accountId)}`);
        const accountId = String(item.accountId);
        const twins = [
          find(keys.member(accountId, String(item.id))),
          find(keys.membershipOfEmail(String(item.email), accountId)),
          ...(item.status === 'active' ? [find(keys.membershipOfPerson(String(item.personId), accountId))] : []),
        ];
        if (twins.some((twin) => !twin || twin.id !== item.id || twin.role !== item.role || twin.status !== item.status || twin.personId !== item.personId)) {
          violations.push(`membership ${where} disagrees with its twin items`);
        }
        if ((item.status === 'active') !== (typeof item.personId === 'string')) violations.push(`membership ${where} is ${String(item.status)} with person ${String(item.personId)}`);
        // Counted once, under its account.
        if (String(item.sk).startsWith(keys.memberPrefix)) {
          if (item.status === 'active' && item.role === 'owner') count(activeOwners, accountId);
          if (item.status === 'invited') count(pendingInvitations, String(item.email));
        }
        break;
      }
      case 'owners':
      case 'invitations':
        // Compared with the memberships they count, below.
        break;
      case 'deviceAuthorization':
        if (item.status === 'approved' && !installation(item.installationId)) violations.push(`approved authorization ${where} names no installation`);
        break;
      case 'deviceCode':
        if (!find(keys.deviceAuthorization(String(item.userCode)))) violations.push(`device code ${where} names no authorization`);
        break;
      case 'trialSource':
      case 'registrationSource':
        // Today's trials or registrations from an address or a network: a count, referencing nothing.
        if (!Number.isInteger(item.counted) || Number(item.counted) < 1) violations.push(`source counter ${where} counts ${String(item.counted)}`);
        break;
      case 'event': {
        const feed = String(item.pk);
        if (!feedSubjectExists(feed)) violations.push(`event ${where} is in the feed of nothing`);
        if (item.customerId !== undefined && account(item.customerId)?.kind !== 'customer') violations.push(`event ${where} names no customer ${String(item.customerId)}`);
        if (item.licenseId !== undefined && !license(item.licenseId)) violations.push(`event ${where} names no license ${String(item.licenseId)}`);
        if (item.installationId !== undefined && !installation(item.installationId)) violations.push(`event ${where} names no installation ${String(item.installationId)}`);
        eventFeeds.set(String(item.id), (eventFeeds.get(String(item.id)) ?? new Set()).add(feed));
        break;
      }
      case 'webhookEndpoint': {
        const owner = item.ownerKind === 'vendor' ? item.ownerKey === 'vendor' : account(item.accountId)?.kind === item.ownerKind && item.ownerKey === item.accountId;
        if (!owner) violations.push(`webhook endpoint ${where} names no ${String(item.ownerKind)} owner ${String(item.ownerKey)}`);
        const sealed = item.secrets as { sealed?: unknown }[] | undefined;
        if (!Array.isArray(sealed) || sealed.length < 1 || sealed.length > 2 || sealed.some((secret) => typeof secret.sealed !== 'string' || secret.sealed === '')) {
          violations.push(`webhook endpoint ${where} keeps no sealed secret, or more than two`);
        }
        endpointsOf.set(String(item.ownerKey), (endpointsOf.get(String(item.ownerKey)) ?? 0) + 1);
        break;
      }
      case 'webhookCount':
        if (typeof item.endpoints !== 'number' || item.endpoints < 0 || item.endpoints > 10) violations.push(`webhook count ${where} counts ${String(item.endpoints)}`);
        break;
      case 'webhookReseller':
        if (account(item.resellerId)?.kind !== 'reseller') violations.push(`webhook reseller ${where} names no reseller`);
        break;
      case 'webhookCalls':
        if (typeof item.calls !== 'number' || item.calls < 1 || item.calls > 10) violations.push(`webhook calls ${where} counts ${String(item.calls)}`);
        break;
      case 'webhookDelivery': {
        // Its endpoint may be gone (deleted): the log stays until its TTL, read by nobody.
        const pending = item.status === 'pending';
        if (!['pending', 'succeeded', 'failed'].includes(String(item.status))) violations.push(`delivery ${where} is ${String(item.status)}`);
        if (pending !== (item.gsi3pk === keys.dueDeliveries && typeof item.nextAttemptAt === 'string')) violations.push(`delivery ${where} is ${String(item.status)} but ${pending ? 'not ' : ''}due`);
        if (typeof item.ttl !== 'number') violations.push(`delivery ${where} is kept forever`);
        break;
      }
      case 'licenseExpiryNotices':
        if (license(item.licenseId)?.expiresAt !== item.expiresAt) violations.push(`expiry notices ${where} name no license expiring ${String(item.expiresAt)}`);
        break;
      default:
        violations.push(`unknown item ${where} (${String(item.entity)})`);
    }
  }

  for (const item of items) {
    if (item.entity === 'license') {
      const counted = activationCount.get(String(item.id)) ?? 0;
      if (item.activations !== counted) violations.push(`license ${String(item.id)} counts ${String(item.activations)} activations but has ${counted} activation items`);
    }
    if (item.entity === 'budget') {
      const held = heldBudget.get(budgetKey(item.resellerId, item.productId, item.type)) ?? 0;
      if (item.used !== held) violations.push(`budget ${itemKey(item)} counts ${String(item.used)} used, its reseller's licenses hold ${held}`);
    }
    if (item.entity === 'owners') {
      const accountId = String(item.pk).slice(keys.account('').pk.length);
      if (!account(accountId) || item.count !== (activeOwners.get(accountId) ?? 0)) violations.push(`owners ${itemKey(item)} count ${String(item.count)}, ${accountId} has ${activeOwners.get(accountId) ?? 0} active owners`);
    }
    if (item.entity === 'invitations') {
      const email = String(item.pk).slice(keys.membershipsOfEmail('').length);
      const pending = pendingInvitations.get(email) ?? 0;
      if (item.pending !== pending || pending > maxPendingInvitations) violations.push(`invitations ${itemKey(item)} count ${String(item.pending)}, ${email} holds ${pending}`);
    }
    if (item.entity === 'account') {
      // Accounts a person registers on the site start without one.
      const apiKeys = apiKeysOf.get(String(item.id)) ?? 0;
      const counted = find(keys.apiKeyCount(String(item.id)))?.count ?? 0;
      if (apiKeys > maxApiKeys || counted !== apiKeys) violations.push(`account ${String(item.id)} has ${apiKeys} API keys, counts ${String(counted)}`);
    }
    if (item.entity === 'webhookCount') {
      const owner = String(item.pk).slice(keys.webhookOwner('').length);
      if (item.endpoints !== (endpointsOf.get(owner) ?? 0)) violations.push(`webhook count of ${owner} says ${String(item.endpoints)}, it has ${endpointsOf.get(owner) ?? 0}`);
    }
    if (item.entity === 'event') {
      const feeds = eventFeeds.get(String(item.id)) ?? new Set();
      // The first copy is the outbox entry: it names every feed the event is in.
      if (Array.isArray(item.feeds) && [...feeds].toSorted().join() !== item.feeds.map(String).toSorted().join()) {
        violations.push(`event ${String(item.id)} names feeds ${item.feeds.join(', ')} but is in ${[...feeds].join(', ')}`);
      }
      // Listed by its customer and its license; an event of an installation alone, in that installation's feed.
      const listed = [
        item.customerId !== undefined && keys.eventFeed.account(String(item.customerId)),
        item.licenseId !== undefined && keys.eventFeed.license(String(item.licenseId)),
      ].filter((feed) => feed !== false);
      const expected = listed.length === 0 && item.installationId !== undefined ? [keys.eventFeed.installation(String(item.installationId))] : listed;
      for (const feed of expected) if (!feeds.has(feed)) violations.push(`event ${String(item.id)} is missing from feed ${feed}`);
      if (item.installationId !== undefined && listed.length > 0 && feeds.has(keys.eventFeed.installation(String(item.installationId)))) {
        violations.push(`event ${String(item.id)} is copied into its installation's feed, which nothing reads`);
      }
    }
  }
  for (const [accountId, owners] of activeOwners) if (find(keys.owners(accountId))?.count !== owners) violations.push(`${accountId} has ${owners} active owners, uncounted`);
  for (const [email, pending] of pendingInvitations) if (find(keys.invitationsOfEmail(email))?.pending !== pending) violations.push(`${email} holds ${pending} invitations, uncounted`);
  return [...new Set(violations)];
}

/** The violations of the table as it is now. */
export async function checkLedger(table: Table): Promise<string[]> {
  return ledgerViolations(await scanTable(table));
}
