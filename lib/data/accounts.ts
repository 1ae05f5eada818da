import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Table } from '../platform/dynamodb.js';
import type { Account, AuditEvent } from '@license-activation/contract/schemas';
import { accountIsKind, toAccount } from './account-items.js';
import { apiKeyItem } from './api-keys.js';
import { associationItem } from './associations.js';
import { eventPuts } from './events.js';
import { isStorableId, keys } from './keys.js';
import { memberPuts } from './members.js';
import type { MembershipRecord } from './members.js';
import { queryPage } from './pagination.js';
import type { Page } from './pagination.js';
import type { SourceCountLabel } from './source-counts.js';
import { failedCondition, isContention, transactWrite } from './transactions.js';
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
export type PutAccountOutcome = 'created' | 'reseller-missing' | 'contention' | { readonly full: ReadonlySet<SourceCountLabel> };

/**
 * Creates an account, its first owner's membership, its API key's lookup item (accounts a person
 * registers on the site have none) and its events in one transaction; with `resellerId`, also the
 * association of the new customer with that reseller, provided the reseller still exists, and
 * `sourceCounts`, the counters of a brake on anonymous creation (lib/data/source-counts.ts).
 * `contention`: other transactions were in the way, nothing was written.
 */
export async function putAccount(
  table: Table,
  args: { account: Account; owner: MembershipRecord; apiKeyHash?: string; events: AuditEvent[]; resellerId?: string; sourceCounts?: readonly LabelledItem<SourceCountLabel>[] },
): Promise<PutAccountOutcome> {
  const { account, apiKeyHash, events, resellerId, sourceCounts = [] } = args;
  const outcome = await transactWrite(table, [
    ...(resellerId
      ? [
          accountIsKind(table, resellerId, 'reseller'),
          { Put: { TableName: table.name, Item: associationItem(resellerId, account, account.createdAt) } },
        ]
      : []),
    { Put: { TableName: table.name, Item: accountItem(account), ConditionExpression: 'attribute_not_exists(pk)' } },
    ...(apiKeyHash
      ? [{ Put: { TableName: table.name, Item: apiKeyItem(apiKeyHash, account.id, account.kind), ConditionExpression: 'attribute_not_exists(pk)' } }]
      : []),
    ...memberPuts(table, args.owner),
    ...events.flatMap((event) => eventPuts(table, event, [keys.eventFeed.account(account.id)])),
    ...sourceCounts.map(([, item]) => item),
  ]);
  if (outcome.ok) return 'created';
  if (resellerId && failedCondition(outcome, 0)) return 'reseller-missing';
  const countsFrom = outcome.reasons.length - sourceCounts.length;
  const full = new Set(sourceCounts.filter((_, index) => failedCondition(outcome, countsFrom + index)).map(([label]) => label));
  if (full.size > 0) return { full };
  if (isContention(outcome)) return 'contention';
  throw new Error(`account creation cancelled: ${outcome.reasons.join(', ')}`);
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
