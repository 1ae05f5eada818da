import { table as processTable } from '../platform/dynamodb.js';
import type { Table } from '../platform/dynamodb.js';
import { accountIsKind } from '../data/account-items.js';
import { getAccount } from '../data/accounts.js';
import { associationStillExists, isAssociated } from '../data/associations.js';
import { getInstallation } from '../data/installations.js';
import { getLicense, getLicenses } from '../data/licenses.js';
import { membershipOfPerson } from '../data/members.js';
import type { TransactItem } from '../data/transactions.js';
import { getEndpoint } from '../data/webhook-endpoints.js';
import { decide, feedAccess, webhookOwnerKeyOf } from './access.js';
import type { Resource, ResourceLoader, ResourceRef } from './access.js';
import type { AccountPrincipal, Caller } from './principal.js';

/**
 * The reads behind access decisions (./access.ts): a resource a request names, with the facts its
 * rules read for this caller. Only the facts that can matter for the caller are read, so a request
 * costs what it cost before decisions had a module of their own: a customer's own id needs no read,
 * a reseller's needs its association, ops' the account.
 */

const managedBy = async (table: Table, caller: Caller, customerId: string | undefined): Promise<boolean | undefined> =>
  caller.account?.kind === 'reseller' && customerId !== undefined ? isAssociated(table, caller.account.id, customerId) : undefined;

export async function loadResource(table: Table, caller: Caller, ref: ResourceRef): Promise<Resource> {
  const { id } = ref;
  switch (ref.kind) {
    case 'customer': {
      if (caller.account?.kind === 'ops') return { kind: 'customer', id, isCustomer: (await getAccount(table, id))?.kind === 'customer' };
      return { kind: 'customer', id, managed: await managedBy(table, caller, id) };
    }
    case 'license': {
      const license = await getLicense(table, id);
      return { kind: 'license', id, license, managed: await managedBy(table, caller, license?.customerId) };
    }
    case 'installation': {
      const installation = await getInstallation(table, id);
      return { kind: 'installation', id, installation, managed: await managedBy(table, caller, installation?.customerId) };
    }
    case 'installationIssuers': {
      const installation = await getInstallation(table, id);
      const managed = await managedBy(table, caller, installation?.customerId);
      // Who issued its licenses matters only to a reseller that sees the installation.
      const issuers = installation && managed === true ? (await getLicenses(table, Object.keys(installation.licenses))).map((license) => license.issuedBy) : undefined;
      return { kind: 'installationIssuers', id, installation, managed, ...(issuers ? { issuers } : {}) };
    }
    case 'account': {
      const account = await getAccount(table, id);
      const held = account && caller.person ? await membershipOfPerson(table, caller.person.id, id) : undefined;
      return { kind: 'account', id, account, role: held?.role };
    }
    case 'reseller':
      return { kind: 'reseller', id, account: await getAccount(table, id) };
    case 'webhookEndpoint': {
      // Read where the caller's own endpoints are: another owner's is not there to find.
      const owner = webhookOwnerKeyOf(caller);
      return { kind: 'webhookEndpoint', id, ...(owner === undefined ? {} : { endpoint: await getEndpoint(table, owner, id) }) };
    }
  }
}

/**
 * The first of an event's feeds that `caller` reads through the event routes (API.md §4), decided as
 * those routes decide, on the facts they read; undefined when it reads none. Account feeds are asked
 * first: a customer's own needs no read.
 */
export async function feedReadBy(table: Table, caller: Caller, feeds: readonly string[]): Promise<string | undefined> {
  const ordered = [...feeds].sort((a, b) => Number(feedAccess(b)?.ref.kind === 'customer') - Number(feedAccess(a)?.ref.kind === 'customer'));
  for (const feed of ordered) {
    const access = feedAccess(feed);
    if (access && decide(caller, access.route, await loadResource(table, caller, access.ref)).outcome === 'allow') return feed;
  }
  return undefined;
}

/** Resources as the process's table holds them: for the functions whose routes name one. */
export const storedResources: ResourceLoader = (caller, ref) => loadResource(processTable(), caller, ref);

/**
 * The transaction item that keeps a write honest if access changes after it was decided: a reseller's
 * association must still exist; for ops and customers, the customer account must exist.
 */
export function customerAccessGuard(table: Table, account: AccountPrincipal, customerId: string): TransactItem {
  if (account.kind === 'reseller') return associationStillExists(table, account.id, customerId);
  return accountIsKind(table, customerId, 'customer');
}
