import type { Account, AuditEvent } from '@license-activation/contract/schemas';
import { licenseIdOf } from '@license-activation/contract/license-keys';
import type { Table } from '#lib/platform/dynamodb.js';
import { getAccount, putAccount } from '#lib/data/accounts.js';
import { associationStillExists } from '#lib/data/associations.js';
import { putLicense } from '#lib/data/licenses.js';
import { addMember } from '#lib/data/members.js';
import type { MembershipRecord } from '#lib/data/members.js';

/**
 * What the sample events in `events/` name, so that `npm run invoke` answers them on a fresh database as
 * it would on a live one: a reseller and its customer (the accounts of their API keys), the customer's
 * license of the sample key, and a team account where the sample person, ada@customer.example, is an
 * owner beside one other member. Created once, with the ids the events carry; left alone afterwards.
 */
export const sampleWorld = {
  resellerId: 'acc_01KERRMXE01QY42R4RKY9BKQRV',
  customerId: 'acc_01KERRMYD8N949DM4HR2W4EM1P',
  licenseKey: 'C3VJA-NKQTP-6E2WB-SZN26-ZDC0R',
  teamId: 'acc_01JHZ3V8Q2X5K7M9N0P4R6S8T1',
  personEmail: 'ada@customer.example',
  memberId: 'mem_01JHZ3V8Q2X5K7M9N0P4R6S8T2',
} as const;

const createdAt = '2026-01-12T09:00:00.000Z';

function account(id: string, kind: Account['kind'], name: string, email: string): Account {
  return { id, kind, name, email, createdAt };
}

function owner(of: Account, email = of.email, id = `${of.id.replace('acc_', 'mem_')}`): MembershipRecord {
  return { id, accountId: of.id, accountKind: of.kind, email, role: 'owner', createdAt };
}

function created(of: Account, actor: AuditEvent['actor']): AuditEvent {
  return { id: `evt_${of.id.slice(4)}`, type: 'account.created', createdAt, actor, customerId: of.id, data: { accountId: of.id, kind: of.kind } };
}

/** Creates the sample world unless it exists; answers whether it did. */
export async function ensureSampleWorld(table: Table): Promise<boolean> {
  if (await getAccount(table, sampleWorld.resellerId)) return false;
  const ops = { kind: 'ops', id: 'ops' } as const;
  const reseller = account(sampleWorld.resellerId, 'reseller', 'Sample Reseller', 'sales@reseller.example');
  const customer = account(sampleWorld.customerId, 'customer', 'Sample Customer', 'it@customer.example');
  const team = account(sampleWorld.teamId, 'customer', 'Sample Team', sampleWorld.personEmail);
  await putAccount(table, { account: reseller, owner: owner(reseller), events: [] });
  await putAccount(table, { account: customer, owner: owner(customer), events: [created(customer, { kind: 'reseller', id: reseller.id })], resellerId: reseller.id });
  await putAccount(table, { account: team, owner: owner(team), events: [created(team, ops)] });
  await addMember(table, { id: sampleWorld.memberId, accountId: team.id, accountKind: team.kind, email: 'lin@customer.example', role: 'member', createdAt }, []);
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
      actor: { kind: 'reseller', id: reseller.id },
      customerId: customer.id,
      licenseId,
      data: { productId: 'authserver', type: 'users', quantity: 25, keyPrefix: key.slice(0, 5) },
    },
  });
  return true;
}
