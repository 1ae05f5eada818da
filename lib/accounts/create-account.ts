import type { Table } from '../platform/dynamodb.js';
import { generateApiKey, hashApiKey } from '../auth/api-keys.js';
import type { Actor } from '../auth/principal.js';
import { problem } from '@license-activation/contract/problem';
import type { Account, AccountInput, AuditEvent } from '@license-activation/contract/schemas';
import { putAccount } from '../data/accounts.js';
import type { MembershipRecord } from '../data/members.js';
import { retry, retryOnContention } from '../data/contention.js';
import { newId } from '../ids.js';
import { registrationBrake, sourceBrakeItems, sourceBrakeRefusal } from '../net/source-brakes.js';

export interface AccountDeps {
  readonly table: Table;
}

export interface AccountCreated {
  readonly account: Account;
  readonly apiKey: string;
}

/**
 * Creates an account and its API key (returned once, stored only as a hash), with its audit events.
 * Its email is its first owner (API.md §7): held by the person whose verified email it is, or
 * with `ownerId`, by that person already. With `resellerId` the new customer is associated with
 * that reseller in the same transaction. `withApiKey: false` (site registrations) makes no key.
 * `anonymousFrom`: nobody authenticated asks, from this address; the registration brake counts it.
 */
async function createAccount(
  deps: AccountDeps,
  args: { kind: Account['kind']; input: AccountInput; actor?: Actor; resellerId?: string; ownerId?: string; withApiKey?: false; anonymousFrom?: { sourceIp: string | undefined }; now: Date },
): Promise<AccountCreated> {
  const { kind, input, resellerId, now } = args;
  const createdAt = now.toISOString();
  const account: Account = { id: newId('acc', now), kind, name: input.name, email: input.email, createdAt };
  const owner: MembershipRecord = {
    id: newId('mem', now),
    accountId: account.id,
    accountKind: kind,
    email: input.email.toLowerCase(),
    role: 'owner',
    ...(args.ownerId ? { personId: args.ownerId } : {}),
    createdAt,
  };
  const actor = args.actor ?? { kind, id: account.id };
  const customerId = kind === 'customer' ? account.id : undefined;
  const events: AuditEvent[] = [
    { id: newId('evt', now), type: 'account.created', createdAt, actor, customerId, data: { accountId: account.id, kind } },
  ];
  if (resellerId) {
    events.push({ id: newId('evt', now), type: 'association.added', createdAt, actor, customerId, data: { resellerId } });
  }
  const apiKey = args.withApiKey === false ? '' : generateApiKey();
  const apiKeyHash = apiKey ? hashApiKey(apiKey) : undefined;
  const sourceCounts = args.anonymousFrom ? sourceBrakeItems(deps.table, registrationBrake, args.anonymousFrom.sourceIp, now) : [];
  const outcome = await retryOnContention(async () => {
    const attempt = await putAccount(deps.table, { account, owner, apiKeyHash, events, resellerId, sourceCounts });
    return attempt === 'contention' ? retry : attempt;
  });
  if (outcome === 'reseller-missing') throw problem('NOT_FOUND', `no reseller ${resellerId}`);
  if (typeof outcome === 'object') throw sourceBrakeRefusal(registrationBrake, outcome.full, now) ?? new TypeError('a full counter named no brake');
  return { account, apiKey };
}

/**
 * `POST /v1/accounts/register`: anyone registers a customer account for themselves, at most 10 a
 * day from one address and 30 from one network (API.md §7, lib/net/source-brakes.ts).
 */
export function registerCustomer(deps: AccountDeps, input: AccountInput, request: { sourceIp: string | undefined; now: Date }): Promise<AccountCreated> {
  return createAccount(deps, { kind: 'customer', input, anonymousFrom: { sourceIp: request.sourceIp }, now: request.now });
}

/** `POST /v1/admin/resellers`: ops create a reseller. */
export function createReseller(deps: AccountDeps, input: AccountInput, now: Date): Promise<AccountCreated> {
  return createAccount(deps, { kind: 'reseller', input, actor: { kind: 'ops', id: 'ops' }, now });
}

/** `POST /v1/customers`: a reseller creates a customer it then manages. */
export function createCustomerOfReseller(deps: AccountDeps, resellerId: string, input: AccountInput, now: Date): Promise<AccountCreated> {
  return createAccount(deps, { kind: 'customer', input, actor: { kind: 'reseller', id: resellerId }, resellerId, now });
}

/** `POST /v1/me/accounts`: a person with a verified email registers a customer account and owns it. */
export async function registerCustomerOfPerson(
  deps: AccountDeps,
  person: { id: string; email: string },
  input: { name: string },
  now: Date,
): Promise<Account> {
  const actor: Actor = { kind: 'person', id: person.id };
  const { account } = await createAccount(deps, { kind: 'customer', input: { name: input.name, email: person.email }, actor, ownerId: person.id, withApiKey: false, now });
  return account;
}
