import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Account, AuditEvent, Member, Membership } from '@license-activation/contract/schemas';
import { table } from '#lib/platform/dynamodb.js';
import { maxPendingInvitations, pendingInvitationsOf } from '#lib/data/members.js';
import { call } from '../support/api.js';
import { checkLedger } from '../support/ledger.js';
import { request, startLocalService } from '../support/http-client.js';
import type { Credential } from '../support/http-client.js';
import { signedInPerson, uniqueEmail, unverifiedPerson, withChangedEmail } from '../support/people.js';
import type { TestPerson } from '../support/people.js';

// API.md §7, consent: an account's email is invited, never bound. The review's finding: anyone could
// register an account naming a stranger's email, and the stranger became its owner on sign-up, with a
// key they could neither see nor revoke. Real people of the run's cognito-local, the local service.

let baseUrl: string;
let close: () => Promise<void>;
beforeAll(async () => ({ baseUrl, close } = await startLocalService()));
afterAll(() => close());

const ops: Credential = { apiKey: process.env.OPS_API_KEY ?? '' };
const as = (person: TestPerson, accountId?: string): Credential => ({ apiKey: person.accessToken, ...(accountId ? { accountId } : {}) });

async function ok<T>(method: string, path: string, credential: Credential, body?: unknown, status = 200): Promise<T> {
  const answer = await request<T>(baseUrl, method, path, { credential, body });
  expect(answer.status, `${method} ${path}: ${JSON.stringify(answer.body)}`).toBe(status);
  return answer.body;
}

const statusOf = async (method: string, path: string, credential: Credential, body?: unknown) => (await request(baseUrl, method, path, { credential, body })).status;
const me = (person: TestPerson) => ok<{ memberships: Membership[] }>('GET', '/v1/me', as(person));
const register = (email: string) => ok<{ account: Account; apiKey: string }>('POST', '/v1/accounts/register', undefined, { name: 'Victim Corp', email }, 201);
const eventsOf = async (accountId: string) => (await ok<{ items: AuditEvent[] }>('GET', `/v1/customers/${accountId}/events`, ops)).items;

describe('consent (API.md §7)', () => {
  it('invites the person an anonymous registration names: no rights until they accept; they decline one and accept the next', async () => {
    const victim = await signedInPerson(uniqueEmail('victim'));
    // Emails match without regard to case.
    const first = await register(victim.email.toUpperCase());

    expect((await me(victim)).memberships).toEqual([{ account: first.account, role: 'owner', status: 'invited' }]);
    // An invitation gives nothing: not acting through it, with or without Account-Id, nor managing it.
    expect(await statusOf('GET', '/v1/licenses', as(victim))).toBe(403);
    expect(await statusOf('GET', '/v1/licenses', as(victim, first.account.id))).toBe(403);
    expect(await statusOf('GET', `/v1/accounts/${first.account.id}/members`, as(victim))).toBe(404);

    await ok('POST', `/v1/me/invitations/${first.account.id}/decline`, as(victim), undefined, 204);
    expect((await me(victim)).memberships).toEqual([]);
    expect(await statusOf('POST', `/v1/me/invitations/${first.account.id}/accept`, as(victim))).toBe(404);
    expect((await eventsOf(first.account.id)).map((event) => event.type)).toEqual(['member.removed', 'account.created']);

    const second = await register(victim.email);
    const accepted = await ok<{ membership: Membership }>('POST', `/v1/me/invitations/${second.account.id}/accept`, as(victim));
    expect(accepted.membership).toEqual({ account: second.account, role: 'owner', status: 'active' });
    expect((await me(victim)).memberships).toEqual([accepted.membership]);
    // One active membership: no Account-Id needed.
    expect(await statusOf('GET', '/v1/licenses', as(victim))).toBe(200);
    const members = await ok<{ items: Member[] }>('GET', `/v1/accounts/${second.account.id}/members`, as(victim));
    expect(members.items).toEqual([expect.objectContaining({ email: victim.email, role: 'owner', status: 'active', personId: victim.id })]);
    expect((await eventsOf(second.account.id)).map((event) => [event.type, event.actor])).toEqual([
      ['member.accepted', expect.objectContaining({ kind: 'person', id: victim.id })],
      ['account.created', expect.objectContaining({ kind: 'customer', id: second.account.id })],
    ]);
    expect(await statusOf('POST', `/v1/me/invitations/${second.account.id}/accept`, as(victim))).toBe(404);
    expect(await checkLedger(table())).toEqual([]);
  });

  it('binds nothing to an email the directory has not verified', async () => {
    const person = await unverifiedPerson();
    const registered = await register(person.email);

    expect((await me(person)).memberships).toEqual([]);
    expect(await statusOf('POST', `/v1/me/invitations/${registered.account.id}/accept`, as(person))).toBe(403);
    expect(await statusOf('POST', `/v1/me/invitations/${registered.account.id}/decline`, as(person))).toBe(403);
  });

  it("keeps an accepted membership the person's, whatever their email becomes", async () => {
    const person = await signedInPerson(uniqueEmail('mover'));
    const registered = await register(person.email);
    await ok('POST', `/v1/me/invitations/${registered.account.id}/accept`, as(person));

    const moved = await withChangedEmail(person, uniqueEmail('moved'));
    expect((await me(moved)).memberships).toEqual([{ account: registered.account, role: 'owner', status: 'active' }]);
    expect(await statusOf('GET', '/v1/licenses', as(moved))).toBe(200);
    // The old email's new invitations are its next holder's business, not this person's.
    await register(person.email);
    expect((await me(moved)).memberships).toHaveLength(1);
  });

  it('lets 300 anonymous registrations naming one email cost its person nothing', async () => {
    const victim = await signedInPerson(uniqueEmail('flooded'));
    const own = await ok<{ account: Account }>('POST', '/v1/me/accounts', as(victim), { name: 'Own' }, 201);
    // Each from an address of its own, as a registration brake would see a spread-out flood.
    for (let batch = 0; batch < 300; batch += 25) {
      const answers = await Promise.all(
        Array.from({ length: 25 }, (_, index) =>
          call('registerAccount', { body: { name: 'Flood', email: victim.email }, sourceIp: `10.${Math.floor((batch + index) / 200)}.${(batch + index) % 200}.7` }),
        ),
      );
      expect(answers.map((answer) => answer.status)).toEqual(Array.from({ length: 25 }, () => 201));
    }

    expect(await pendingInvitationsOf(table(), victim.email)).toBe(maxPendingInvitations);
    const { memberships } = await me(victim);
    expect(memberships.filter((membership) => membership.status === 'invited')).toHaveLength(maxPendingInvitations);
    expect(memberships.filter((membership) => membership.status === 'active')).toEqual([{ account: own.account, role: 'owner', status: 'active' }]);
    // Header-less requests act through the one active membership, whatever the invitations.
    expect(await statusOf('GET', '/v1/licenses', as(victim))).toBe(200);
    expect(await statusOf('GET', `/v1/accounts/${own.account.id}/members`, as(victim))).toBe(200);
    // Declining one makes room for one more, no more.
    const invitation = memberships.find((membership) => membership.status === 'invited');
    await ok('POST', `/v1/me/invitations/${invitation?.account.id}/decline`, as(victim), undefined, 204);
    await register(victim.email);
    await register(victim.email);
    expect((await me(victim)).memberships.filter((membership) => membership.status === 'invited')).toHaveLength(maxPendingInvitations);
    expect(await checkLedger(table())).toEqual([]);
  });

  it("refuses an owner's invitation past the email's 20 pending ones", async () => {
    const owner = await signedInPerson(uniqueEmail('owner'));
    const own = await ok<{ account: Account }>('POST', '/v1/me/accounts', as(owner), { name: 'Own' }, 201);
    const invitee = uniqueEmail('popular');
    for (let count = 0; count < maxPendingInvitations; count += 1) await register(invitee);
    const refused = await request<{ code: string }>(baseUrl, 'POST', `/v1/accounts/${own.account.id}/members`, { credential: as(owner), body: { email: invitee, role: 'member' } });
    expect([refused.status, refused.body.code]).toEqual([409, 'CONFLICT']);
  });
});

describe('roles (API.md §7)', () => {
  /** An account a person registered on the site (its active owner), with the given others invited and accepted. */
  async function accountWith(others: readonly { person: TestPerson; role: 'owner' | 'member' }[]) {
    const founder = await signedInPerson(uniqueEmail('founder'));
    const { account } = await ok<{ account: Account }>('POST', '/v1/me/accounts', as(founder), { name: 'Roles' }, 201);
    const memberIds = new Map<TestPerson, string>();
    for (const { person, role } of others) {
      const { member } = await ok<{ member: Member }>('POST', `/v1/accounts/${account.id}/members`, as(founder), { email: person.email, role }, 201);
      await ok('POST', `/v1/me/invitations/${account.id}/accept`, as(person));
      memberIds.set(person, member.id);
    }
    const members = await ok<{ items: Member[] }>('GET', `/v1/accounts/${account.id}/members`, as(founder));
    memberIds.set(founder, members.items.find((member) => member.personId === founder.id)?.id ?? '');
    return { account, founder, memberIds };
  }
  const memberPath = (accountId: string, memberId: string | undefined) => `/v1/accounts/${accountId}/members/${memberId ?? ''}`;

  it('changes a role in place, with its event, and the new owner manages the account at once', async () => {
    const colleague = await signedInPerson(uniqueEmail('colleague'));
    const { account, founder, memberIds } = await accountWith([{ person: colleague, role: 'member' }]);
    const path = memberPath(account.id, memberIds.get(colleague));
    expect(await statusOf('GET', `/v1/accounts/${account.id}/members`, as(colleague))).toBe(403);

    const promoted = await ok<{ member: Member }>('PATCH', path, as(founder), { role: 'owner' });
    expect(promoted.member).toMatchObject({ id: memberIds.get(colleague), role: 'owner', status: 'active', personId: colleague.id });
    expect(await statusOf('GET', `/v1/accounts/${account.id}/members`, as(colleague))).toBe(200);
    // The same role again changes nothing, and records nothing.
    await ok('PATCH', path, as(founder), { role: 'owner' });
    const changes = (await eventsOf(account.id)).filter((event) => event.type === 'member.role_changed');
    expect(changes).toEqual([expect.objectContaining({ actor: expect.objectContaining({ kind: 'person', id: founder.id }), data: expect.objectContaining({ from: 'member', to: 'owner' }) })]);
    // Demoting oneself while another owner stays is fine.
    await ok('PATCH', memberPath(account.id, memberIds.get(founder)), as(founder), { role: 'member' });
    expect(await statusOf('GET', `/v1/accounts/${account.id}/members`, as(founder))).toBe(403);
    expect(await checkLedger(table())).toEqual([]);
  });

  it('neither demotes nor removes the last active owner, however the requests race', async () => {
    const [second, third] = await Promise.all([signedInPerson(uniqueEmail('second')), signedInPerson(uniqueEmail('third'))]);
    const { account, founder, memberIds } = await accountWith([
      { person: second, role: 'owner' },
      { person: third, role: 'owner' },
    ]);
    const owners = [founder, second, third];
    // Each owner demotes another and removes a third at the same time: exactly two of the six changes can happen.
    const answers = await Promise.all(
      owners.flatMap((person, index) => [
        statusOf('PATCH', memberPath(account.id, memberIds.get(owners[(index + 1) % 3] as TestPerson)), ops, { role: 'member' }),
        statusOf('DELETE', memberPath(account.id, memberIds.get(owners[(index + 2) % 3] as TestPerson)), ops),
      ]),
    );
    // Changed, gone meanwhile (404), or refused as the last active owner; contention past the retries would be 503.
    expect(answers.every((status) => [200, 204, 404, 409, 503].includes(status)), String(answers)).toBe(true);
    expect(answers.filter((status) => status === 409).length).toBeGreaterThanOrEqual(1);
    const members = await ok<{ items: Member[] }>('GET', `/v1/accounts/${account.id}/members`, ops);
    expect(members.items.filter((member) => member.role === 'owner' && member.status === 'active')).toHaveLength(1);
    const [last] = members.items.filter((member) => member.role === 'owner');
    expect(await statusOf('PATCH', memberPath(account.id, last?.id), ops, { role: 'member' })).toBe(409);
    expect(await statusOf('DELETE', memberPath(account.id, last?.id), ops)).toBe(409);
    expect(await checkLedger(table())).toEqual([]);
  });

  it('counts only active owners: an invited owner does not make the founder removable', async () => {
    const { account, founder, memberIds } = await accountWith([]);
    const invited = await ok<{ member: Member }>('POST', `/v1/accounts/${account.id}/members`, as(founder), { email: uniqueEmail('later'), role: 'owner' }, 201);
    expect(invited.member).toMatchObject({ role: 'owner', status: 'invited' });
    expect(await statusOf('PATCH', memberPath(account.id, memberIds.get(founder)), as(founder), { role: 'member' })).toBe(409);
    expect(await statusOf('DELETE', memberPath(account.id, memberIds.get(founder)), as(founder))).toBe(409);
    // An invitation's role changes, and it is withdrawn, without touching the count.
    await ok('PATCH', memberPath(account.id, invited.member.id), as(founder), { role: 'member' });
    await ok('DELETE', memberPath(account.id, invited.member.id), as(founder), undefined, 204);
    expect(await statusOf('PATCH', memberPath(account.id, invited.member.id), as(founder), { role: 'owner' })).toBe(404);
    expect(await checkLedger(table())).toEqual([]);
  });
});
