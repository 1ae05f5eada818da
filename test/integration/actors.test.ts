import { describe, expect, it } from 'vitest';
import type { Account, AuditEvent, LicenseIssued } from '@license-activation/contract/schemas';
import { opsPrincipal } from '#lib/auth/principal.js';
import { call, eventFor, newInstallation, send } from '../support/api.js';
import { signedInPerson, uniqueEmail } from '../support/people.js';
import { createCustomerOf, createReseller, issueLicense, machine, registerCustomer } from '../support/scenario.js';

// API.md §4: an event names who acted, `{kind, id, name?}`, the name as it was then — an account's
// name, a person's email, an installation's hostname; none for the system and ops, whose id on AWS is
// the IAM principal that signed the request.

const eventsOfCustomer = async (customerId: string) =>
  (await call<{ items: AuditEvent[] }>('listCustomerEvents', { as: opsPrincipal, params: { customerId } })).body.items;
const actorsOf = async (customerId: string, type: AuditEvent['type']) => (await eventsOfCustomer(customerId)).filter((event) => event.type === type).map((event) => event.actor);

describe('actors', () => {
  it('names an account by its name, as it registered or created a customer', async () => {
    const registered = await registerCustomer('Acme Registered');
    expect(await actorsOf(registered.account.id, 'account.created')).toEqual([{ kind: 'customer', id: registered.account.id, name: 'Acme Registered' }]);

    const reseller = await createReseller('Channel Partner');
    const customer = await createCustomerOf(reseller);
    expect(await actorsOf(customer.account.id, 'account.created')).toEqual([{ kind: 'reseller', id: reseller.account.id, name: 'Channel Partner' }]);
    const { license } = await issueLicense(reseller.principal, { customerId: customer.account.id });
    expect(await actorsOf(customer.account.id, 'license.issued')).toEqual([{ kind: 'reseller', id: reseller.account.id, name: 'Channel Partner' }]);
    expect(license.issuedBy).toBe(reseller.account.id);
  });

  it('names an installation by its hostname, and leaves ops and the local ops key unnamed', async () => {
    const customer = await registerCustomer();
    const { key } = await issueLicense(opsPrincipal, { customerId: customer.account.id });
    const installation = await newInstallation();
    const activated = await call('activate', { installation, body: { key, productId: 'authserver', ...machine({ hostname: 'build-07.example' }) } });
    expect(activated.status).toBe(201);
    expect(await actorsOf(customer.account.id, 'license.issued')).toEqual([{ kind: 'ops', id: 'ops' }]);
    expect(await actorsOf(customer.account.id, 'activation.created')).toEqual([{ kind: 'installation', id: installation.id, name: 'build-07.example' }]);
  });

  it("names ops on AWS by the calling IAM principal's ARN, and the license is still the vendor's", async () => {
    const customer = await registerCustomer();
    // As API Gateway forwards an IAM-signed request to an admin route: no authorizer, the signer's ARN.
    const event = await eventFor('adminIssueLicense', { body: { customerId: customer.account.id, productId: 'authserver', type: 'users' } });
    const arn = 'arn:aws:sts::123456789012:assumed-role/LicenseOps/alice';
    const answer = await send<LicenseIssued>({ ...event, requestContext: { ...event.requestContext, identity: { ...event.requestContext.identity, userArn: arn } } });
    expect(answer.status).toBe(201);
    expect(answer.body.license.issuedBy).toBe('ops');
    expect(await actorsOf(customer.account.id, 'license.issued')).toEqual([{ kind: 'ops', id: arn }]);
  });

  it('names a person by their email, acting for themselves or through a membership', async () => {
    const person = await signedInPerson(uniqueEmail('actor'));
    const as = { kind: 'person', id: person.id, email: person.email, emailVerified: true } as const;
    const created = await call<{ account: Account }>('createMyAccount', { as, body: { name: 'Mine' } });
    expect(await actorsOf(created.body.account.id, 'account.created')).toEqual([{ kind: 'person', id: person.id, name: person.email }]);
    const member = uniqueEmail('invitee');
    expect((await call('addMember', { as, params: { accountId: created.body.account.id }, body: { email: member, role: 'member' } })).status).toBe(201);
    expect(await actorsOf(created.body.account.id, 'member.added')).toEqual([{ kind: 'person', id: person.id, name: person.email }]);
  });
});
