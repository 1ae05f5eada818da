import type { Table } from '../platform/dynamodb.js';
import { generateApiKey, hashApiKey } from '../auth/api-keys.js';
import { apiKeyPrefixOf } from '../data/api-keys.js';
import type { ApiKeyRecord } from '../data/api-keys.js';
import type { Actor } from '../auth/principal.js';
import { problem } from '@license-activation/contract/problem';
import type { Account, AccountInput, AuditEvent } from '@license-activation/contract/schemas';
import { putAccount } from '../data/accounts.js';
import { maxPendingInvitations, pendingInvitationsOf } from '../data/members.js';
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
 * Its email is invited to be its first owner (API.md §7): nobody holds the account until the person
 * whose verified email it is accepts, so naming a stranger's email binds the stranger to nothing. An
 * email already holding all the invitations it may (`maxPendingInvitations`) is invited no more: the
 * account is created without it. With `ownerId` that person registers it and owns it at once. With
 * `resellerId` the new customer is associated with that reseller in the same transaction.
 * `withApiKey: false` (site registrations) makes no key.
 * `anonymousFrom`: nobody authenticated asks, from this address; the registration brake counts it.
 */
async function createAccount(
  deps: AccountDeps,
  args: { kind: Account['kind']; input: AccountInput; actor?: Actor; resellerId?: string; ownerId?: string; withApiKey?: false; anonymousFrom?: { sourceIp: string | undefined }; now: Date },
): Promise<AccountCreated> {
  const { kind, input, resellerId, now } = args;
  const createdAt = now.toISOString();
  const account: Account = { id: newId('acc', now), kind, name: input.name, email: input.email, createdAt };
  const firstOwner: MembershipRecord = {
    id: newId('mem', now),
    accountId: account.id,
    accountKind: kind,
    email: input.email.toLowerCase(),
    role: 'owner',
    ...(args.ownerId ? { status: 'active', personId: args.ownerId } : { status: 'invited' }),
    createdAt,
  };
  // Registered anonymously, the account itself is who acted.
  const actor: Actor = args.actor ?? { kind, id: account.id, name: account.name };
  const customerId = kind === 'customer' ? account.id : undefined;
  const eventsWith = (owner: MembershipRecord | undefined): AuditEvent[] => [
    {
      id: newId('evt', now),
      type: 'account.created',
      createdAt,
      actor,
      customerId,
      data: { accountId: account.id, kind, ...(owner ? { owner: { memberId: owner.id, email: owner.email, status: owner.status } } : {}) },
    },
    ...(resellerId ? [{ id: newId('evt', now), type: 'association.added' as const, createdAt, actor, customerId, data: { resellerId } }] : []),
  ];
  const apiKey = args.withApiKey === false ? '' : generateApiKey();
  const keyRecord: ApiKeyRecord | undefined = apiKey
    ? { id: newId('key', now), accountId: account.id, kind, name: account.name, prefix: apiKeyPrefixOf(apiKey), hash: hashApiKey(apiKey), createdAt }
    : undefined;
  const sourceCounts = args.anonymousFrom ? sourceBrakeItems(deps.table, registrationBrake, args.anonymousFrom.sourceIp, now) : [];
  const put = (owner: MembershipRecord | undefined) =>
    retryOnContention(async () => {
      const attempt = await putAccount(deps.table, { account, owner, apiKey: keyRecord, events: eventsWith(owner), resellerId, sourceCounts });
      return attempt === 'contention' ? retry : attempt;
    });
  // An email that holds all its invitations is not invited again, nor its count contended for.
  const invites = firstOwner.status === 'active' || (await pendingInvitationsOf(deps.table, firstOwner.email)) < maxPendingInvitations;
  let outcome = await put(invites ? firstOwner : undefined);
  if (outcome === 'invitations-full') outcome = await put(undefined);
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
export function createReseller(deps: AccountDeps, input: AccountInput, actor: Actor, now: Date): Promise<AccountCreated> {
  return createAccount(deps, { kind: 'reseller', input, actor, now });
}

/** `POST /v1/customers`: a reseller (or a person through its membership, `actor`) creates a customer it then manages. */
export function createCustomerOfReseller(deps: AccountDeps, resellerId: string, input: AccountInput, actor: Actor, now: Date): Promise<AccountCreated> {
  return createAccount(deps, { kind: 'customer', input, actor, resellerId, now });
}

/** `POST /v1/me/accounts`: a person with a verified email registers a customer account and owns it. */
export async function registerCustomerOfPerson(
  deps: AccountDeps,
  person: { id: string; email: string },
  input: { name: string },
  now: Date,
): Promise<Account> {
  const actor: Actor = { kind: 'person', id: person.id, name: person.email };
  const { account } = await createAccount(deps, { kind: 'customer', input: { name: input.name, email: person.email }, actor, ownerId: person.id, withApiKey: false, now });
  return account;
}
