import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { batchGet, mapKey } from './batch-get.js';
import type { Table } from '../platform/dynamodb.js';
import type { Account, AuditEvent } from '@license-activation/contract/schemas';
import { accountIsKind, toAccount } from './account-items.js';
import { apiKeyPuts } from './api-keys.js';
import type { ApiKeyRecord } from './api-keys.js';
import { associationItem } from './associations.js';
import { accountEventPuts } from './events.js';
import { isStorableId, keys } from './keys.js';
import { memberPuts } from './members.js';
import type { MembershipRecord } from './members.js';
import { queryPage } from './pagination.js';
import type { Page } from './pagination.js';
import type { SourceCountLabel } from './source-counts.js';
import { labelledTransaction } from './transactions.js';
import type { LabelledItem } from './transactions.js';

function accountItem(account: Account) {
  return {
    ...keys.account(account.id),
    entity: 'account',
    ...account,
    gsi1pk: keys.accountsByKind(account.kind),
    gsi1sk: `${account.createdAt}#${account.id}`,
  };
}

/** `full`: a counter of `sourceCounts` had reached its cap (the labels of those that had). */
export type PutAccountOutcome = 'created' | 'reseller-missing' | 'invitations-full' | 'contention' | { readonly full: ReadonlySet<SourceCountLabel> };

/**
 * Creates an account, its first owner's membership (an invitation, or the person who registers it;
 * none once the email holds all the invitations it may), its API key's lookup item (accounts a person
 * registers on the site have none) and its events in one transaction; with `resellerId`, also the
 * association of the new customer with that reseller, provided the reseller still exists, and
 * `sourceCounts`, the counters of a brake on anonymous creation (lib/data/source-counts.ts).
 * `contention`: other transactions were in the way, nothing was written.
 */
export async function putAccount(
  table: Table,
  args: { account: Account; owner?: MembershipRecord; apiKey?: ApiKeyRecord; events: AuditEvent[]; resellerId?: string; sourceCounts?: readonly LabelledItem<SourceCountLabel>[] },
): Promise<PutAccountOutcome> {
  const { account, apiKey, events, resellerId, sourceCounts = [] } = args;
  const put = (item: Record<string, unknown>) => ({ Put: { TableName: table.name, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } });
  const outcome = await labelledTransaction<string>(table, [
    ...(resellerId
      ? [
          ['reseller', accountIsKind(table, resellerId, 'reseller')] as const,
          ['association', { Put: { TableName: table.name, Item: associationItem(resellerId, account, account.createdAt) } }] as const,
        ]
      : []),
    ['account', put(accountItem(account))],
    ...(apiKey ? apiKeyPuts(table, apiKey) : []),
    ...(args.owner ? memberPuts(table, args.owner) : []),
    ...accountEventPuts(table, account.id, events),
    ...sourceCounts,
  ]);
  if (outcome.ok) return 'created';
  if (outcome.failed.has('reseller')) return 'reseller-missing';
  const full = new Set(sourceCounts.map(([label]) => label).filter((label) => outcome.failed.has(label)));
  if (full.size > 0) return { full };
  if (outcome.failed.has('invitations')) return 'invitations-full';
  if (outcome.contention) return 'contention';
  throw new Error(`account creation cancelled: ${[...outcome.failed.keys()].join(', ')}`);
}

/** Accounts by id, in one BatchGetItem (a person's memberships and invitations); missing ones are left out. */
export async function getAccounts(table: Table, accountIds: readonly string[]): Promise<Map<string, Account>> {
  const unique = [...new Set(accountIds)];
  if (unique.length === 0) return new Map();
  const found = await batchGet(table, unique.map((id) => keys.account(id)));
  return new Map(unique.flatMap((id) => {
    const item = found.get(mapKey(keys.account(id)));
    return item ? [[id, toAccount(item)] as const] : [];
  }));
}

export async function getAccount(table: Table, accountId: string): Promise<Account | undefined> {
  if (!isStorableId(accountId)) return undefined;
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.name, Key: keys.account(accountId), ConsistentRead: true }),
  );
  return Item ? toAccount(Item) : undefined;
}

/** Every account of a kind, oldest first (ops' view of all customers). */
export async function listAccountsOfKind(table: Table, kind: Account['kind'], page: { limit: number; cursor?: string }): Promise<Page<Account>> {
  const partition = keys.accountsByKind(kind);
  const result = await queryPage(
    table,
    {
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :kind',
      ExpressionAttributeValues: { ':kind': partition },
    },
    { partition: { name: 'gsi1pk', value: partition }, keyNames: ['pk', 'sk', 'gsi1pk', 'gsi1sk'] },
    page,
  );
  return { ...result, items: result.items.map(toAccount) };
}
