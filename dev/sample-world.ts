import type { Account, AuditEvent } from '@license-activation/contract/schemas';
import { licenseIdOf } from '@license-activation/contract/license-keys';
import type { Table } from '#lib/platform/dynamodb.js';
import { getAccount, putAccount } from '#lib/data/accounts.js';
import { associationStillExists } from '#lib/data/associations.js';
import { putLicense } from '#lib/data/licenses.js';
import { addMember } from '#lib/data/members.js';
import type { MembershipRecord } from '#lib/data/members.js';
import { apiKeyPrefixOf } from '#lib/data/api-keys.js';
import type { ApiKeyRecord } from '#lib/data/api-keys.js';
import { generateApiKey, hashApiKey } from '#lib/auth/api-keys.js';
import { putNewDelivery } from '#lib/data/webhook-deliveries.js';
import { createEndpoint } from '#lib/data/webhook-endpoints.js';
import { secretBox } from '#lib/keys/process-secret-box.js';
import type { SecretBox } from '#lib/keys/secret-box.js';
import { generateWebhookSecret, sealWebhookSecret } from '#lib/webhooks/secrets.js';

/**
 * What the sample events in `events/` name, so that `npm run invoke` answers them on a fresh database as
 * it would on a live one: a reseller and its customer (the accounts of their API keys), the customer's
 * license of the sample key, a team account where the sample person, ada@customer.example, is an
 * owner (accepted) beside one invited member and with one API key, and two accounts that invite the
 * sample person (one to accept, one to decline), and the reseller's webhook endpoint with one failed
 * delivery (its secret sealed by the process's secret box, and never shown). Accounts' emails are only
 * invited, as registration makes them. Created once, with the ids the events carry; left alone afterwards.
 */
export const sampleWorld = {
  resellerId: 'acc_01KERRMXE01QY42R4RKY9BKQRV',
  customerId: 'acc_01KERRMYD8N949DM4HR2W4EM1P',
  licenseKey: 'C3VJA-NKQTP-6E2WB-SZN26-ZDC0R',
  teamId: 'acc_01JHZ3V8Q2X5K7M9N0P4R6S8T1',
  personEmail: 'ada@customer.example',
  /** The sample person's `sub`, as the person events' authorizer context names it. */
  personId: '5f0c2a8e-3b1d-4c6e-9a7f-2d4b8e1c0a93',
  memberId: 'mem_01JHZ3V8Q2X5K7M9N0P4R6S8T2',
  teamKeyId: 'key_01JHZ4A2B3C4D5E6F7G8H9J0K1',
  acceptedId: 'acc_01JHZ3V8Q2X5K7M9N0P4R6S8T3',
  declinedId: 'acc_01JHZ3V8Q2X5K7M9N0P4R6S8T4',
  endpointId: 'whe_01JHZ6K3M5N7P9Q1R3S5T7V9W1',
  /** The event of the endpoint's one delivery (`dlv_01JHZ7A2B4C6D8E0F2G4H6J8K0`). */
  deliveredEventId: 'evt_01JHZ7A2B4C6D8E0F2G4H6J8K0',
} as const;

const createdAt = '2026-01-12T09:00:00.000Z';

function account(id: string, kind: Account['kind'], name: string, email: string): Account {
  return { id, kind, name, email, createdAt };
}

/** The account's email invited to own it; with `personId`, already that person's. */
function owner(of: Account, personId?: string): MembershipRecord {
  const membership = { id: of.id.replace('acc_', 'mem_'), accountId: of.id, accountKind: of.kind, email: of.email, role: 'owner', createdAt } as const;
  return personId ? { ...membership, status: 'active', personId } : { ...membership, status: 'invited' };
}

function created(of: Account, actor: AuditEvent['actor']): AuditEvent {
  return { id: `evt_${of.id.slice(4)}`, type: 'account.created', createdAt, actor, customerId: of.id, data: { accountId: of.id, kind: of.kind } };
}

/** Creates the sample world unless it exists; answers whether it did. */
export async function ensureSampleWorld(table: Table, box: SecretBox = secretBox()): Promise<boolean> {
  if (await getAccount(table, sampleWorld.resellerId)) return false;
  const ops = { kind: 'ops', id: 'ops' } as const;
  const reseller = account(sampleWorld.resellerId, 'reseller', 'Sample Reseller', 'sales@reseller.example');
  const customer = account(sampleWorld.customerId, 'customer', 'Sample Customer', 'it@customer.example');
  const team = account(sampleWorld.teamId, 'customer', 'Sample Team', sampleWorld.personEmail);
  const teamKey = generateApiKey();
  const teamKeyRecord: ApiKeyRecord = { id: sampleWorld.teamKeyId, accountId: team.id, kind: team.kind, name: team.name, prefix: apiKeyPrefixOf(teamKey), hash: hashApiKey(teamKey), createdAt };
  await putAccount(table, { account: reseller, owner: owner(reseller), events: [] });
  await putAccount(table, { account: customer, owner: owner(customer), events: [created(customer, { kind: 'reseller', id: reseller.id, name: reseller.name })], resellerId: reseller.id });
  await putAccount(table, { account: team, owner: owner(team, sampleWorld.personId), apiKey: teamKeyRecord, events: [created(team, ops)] });
  await addMember(table, { id: sampleWorld.memberId, accountId: team.id, accountKind: team.kind, email: 'lin@customer.example', role: 'member', status: 'invited', createdAt }, []);
  for (const [id, name] of [
    [sampleWorld.acceptedId, 'Sample Club'],
    [sampleWorld.declinedId, 'Sample Society'],
  ] as const) {
    const inviting = account(id, 'customer', name, sampleWorld.personEmail);
    await putAccount(table, { account: inviting, owner: owner(inviting), events: [created(inviting, ops)] });
  }
  const key = sampleWorld.licenseKey.replaceAll('-', '');
  const licenseId = licenseIdOf(key);
  await putLicense(table, {
    record: {
      id: licenseId,
      customerId: customer.id,
      productId: 'authserver',
      type: 'users',
      quantity: 25,
      status: 'active',
      keyPrefix: key.slice(0, 5),
      issuedBy: reseller.id,
      createdAt,
      maxActivations: 3,
      activations: 0,
    },
    guard: associationStillExists(table, reseller.id, customer.id),
    event: {
      id: `evt_${licenseId.slice(4)}`,
      type: 'license.issued',
      createdAt,
      actor: { kind: 'reseller', id: reseller.id, name: reseller.name },
      customerId: customer.id,
      licenseId,
      data: { productId: 'authserver', type: 'users', quantity: 25, keyPrefix: key.slice(0, 5) },
    },
  });
  const sealed = await sealWebhookSecret(box, sampleWorld.endpointId, generateWebhookSecret(), new Date(createdAt));
  const endpoint = {
    id: sampleWorld.endpointId,
    ownerKey: reseller.id,
    ownerKind: 'reseller',
    accountId: reseller.id,
    url: 'https://hooks.reseller.example/license-events',
    enabled: true,
    createdAt,
    secrets: [sealed],
    createdBy: { kind: 'apiKey', id: 'key_sample' },
    rev: 1,
  } as const;
  await createEndpoint(table, endpoint);
  await putNewDelivery(
    table,
    {
      endpointId: endpoint.id,
      ownerKey: endpoint.ownerKey,
      eventId: sampleWorld.deliveredEventId,
      event: { id: sampleWorld.deliveredEventId, type: 'association.added', createdAt, actor: ops, customerId: customer.id, data: { resellerId: reseller.id } },
      status: 'failed',
      attempts: 9,
      failures: 9,
      createdAt,
      lastAttemptAt: createdAt,
      lastResponseStatus: 503,
      lastError: 'the receiver answered 503',
      viaFeed: `ACCOUNT#${customer.id}`,
    },
    new Date(),
  );
  return true;
}
