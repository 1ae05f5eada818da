import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Account, ApiKey, ApiKeyCreated, AuditEvent, Member, Membership } from '@license-activation/contract/schemas';
import { table } from '#lib/platform/dynamodb.js';
import { authenticateApiKey } from '#lib/auth/authenticate-api-key.js';
import { authorizerCacheSeconds } from '#lib/auth/authorizer-policy.js';
import { maxApiKeys } from '#lib/data/api-keys.js';
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
// The local authorizer's cache runs on this clock: a test lets cached answers expire by moving it on.
let cacheClockOffsetMs = 0;
beforeAll(async () => ({ baseUrl, close } = await startLocalService({ now: () => Date.now() + cacheClockOffsetMs })));
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
    let registered = 0;
    for (let batch = 0; batch < 300; batch += 25) {
      const answers = await Promise.all(
        Array.from({ length: 25 }, (_, index) =>
          call('registerAccount', { body: { name: 'Flood', email: victim.email }, sourceIp: `10.${Math.floor((batch + index) / 200)}.${(batch + index) % 200}.7` }),
        ),
      );
      // Every one is registered, or answered 503 when the email's invitation count stays contended past the retries (the contract's answer to contention).
      expect(answers.map((answer) => answer.status).filter((status) => status !== 201 && status !== 503)).toEqual([]);
      registered += answers.filter((answer) => answer.status === 201).length;
    }
    expect(registered).toBeGreaterThan(maxPendingInvitations);

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
    // 300 registrations: about 3 s alone, ten times that beside a loaded suite.
  }, 120_000);

  it("refuses an owner's invitation past the email's 20 pending ones", async () => {
    const owner = await signedInPerson(uniqueEmail('owner'));
    const own = await ok<{ account: Account }>('POST', '/v1/me/accounts', as(owner), { name: 'Own' }, 201);
    const invitee = uniqueEmail('popular');
    for (let count = 0; count < maxPendingInvitations; count += 1) await register(invitee);
    const refused = await request<{ code: string }>(baseUrl, 'POST', `/v1/accounts/${own.account.id}/members`, { credential: as(owner), body: { email: invitee, role: 'member' } });
    expect([refused.status, refused.body.code]).toEqual([409, 'CONFLICT']);
  });
});

describe('the pre-binding story (the review finding, end to end)', () => {
  it("invites the victim instead of binding them, and lets them revoke the registrant's key: refused within 60 seconds, the authorizer's cache included", async () => {
    // Anyone registers an account naming the victim's email, and keeps its key.
    const email = uniqueEmail('victim');
    const registrant = await register(email);
    const registrantKey: Credential = { apiKey: registrant.apiKey };
    expect(await statusOf('GET', '/v1/licenses', registrantKey)).toBe(200);

    // The victim signs up: an invitation, not a membership. They decline; a second registration, they accept.
    const victim = await signedInPerson(email);
    expect((await me(victim)).memberships).toEqual([{ account: registrant.account, role: 'owner', status: 'invited' }]);
    await ok('POST', `/v1/me/invitations/${registrant.account.id}/decline`, as(victim), undefined, 204);
    const again = await register(email);
    const againKey: Credential = { apiKey: again.apiKey };
    expect(await statusOf('GET', '/v1/licenses', againKey)).toBe(200);
    await ok('POST', `/v1/me/invitations/${again.account.id}/accept`, as(victim));

    // The owner sees the key that acts for the account (never the key itself) and revokes it.
    const { items } = await ok<{ items: ApiKey[] }>('GET', `/v1/accounts/${again.account.id}/api-keys`, as(victim));
    expect(items).toEqual([{ id: expect.stringMatching(/^key_/), prefix: again.apiKey.slice(0, 8), createdAt: expect.any(String), lastUsedAt: expect.any(String) }]);
    expect(JSON.stringify(items)).not.toContain(again.apiKey);
    await ok('DELETE', `/v1/accounts/${again.account.id}/api-keys/${items[0]?.id ?? ''}`, as(victim), undefined, 204);

    // Refused at once where the function looks the key up itself; through the authorizer once its cached answer ends.
    expect(await statusOf('DELETE', '/v1/installations/inst_unknown/activations/lic_unknown', againKey)).toBe(401);
    expect(await statusOf('GET', '/v1/licenses', againKey)).toBe(200);
    cacheClockOffsetMs += authorizerCacheSeconds * 1000;
    expect(await statusOf('GET', '/v1/licenses', againKey)).toBe(401);
    expect(await statusOf('GET', `/v1/accounts/${again.account.id}/api-keys`, as(victim))).toBe(200);

    const revoked = (await eventsOf(again.account.id)).find((event) => event.type === 'api_key.revoked');
    expect(revoked).toMatchObject({ actor: { kind: 'person', id: victim.id }, data: { prefix: again.apiKey.slice(0, 8) } });
    expect(await checkLedger(table())).toEqual([]);
  });
});

describe('API keys (API.md §7)', () => {
  it('shows a new key once, and keeps at most 5 however many requests race for the sixth', async () => {
    const owner = await signedInPerson(uniqueEmail('keys'));
    const { account } = await ok<{ account: Account }>('POST', '/v1/me/accounts', as(owner), { name: 'Keys' }, 201);
    expect((await ok<{ items: ApiKey[] }>('GET', `/v1/accounts/${account.id}/api-keys`, as(owner))).items).toEqual([]);

    const answers = await Promise.all(Array.from({ length: maxApiKeys + 1 }, () => request<ApiKeyCreated & { code?: string }>(baseUrl, 'POST', `/v1/accounts/${account.id}/api-keys`, { credential: as(owner) })));
    expect(answers.map((answer) => answer.status).toSorted()).toEqual([201, 201, 201, 201, 201, 409]);
    const made = answers.filter((answer) => answer.status === 201).map((answer) => answer.body);
    const listed = await ok<{ items: ApiKey[] }>('GET', `/v1/accounts/${account.id}/api-keys`, as(owner));
    expect(listed.items.map((key) => key.id).toSorted()).toEqual(made.map((created) => created.apiKey.id).toSorted());
    expect(made.every((created) => created.apiKey.prefix === created.key.slice(0, 8))).toBe(true);
    // Each acts for the account at once; a revoked one no longer.
    const [first] = made;
    expect(await statusOf('GET', '/v1/licenses', { apiKey: first?.key ?? '' })).toBe(200);
    await ok('DELETE', `/v1/accounts/${account.id}/api-keys/${first?.apiKey.id ?? ''}`, ops, undefined, 204);
    expect(await statusOf('DELETE', `/v1/accounts/${account.id}/api-keys/${first?.apiKey.id ?? ''}`, ops)).toBe(404);
    await ok('POST', `/v1/admin/accounts/${account.id}/api-keys`, ops, undefined, 201);
    expect(await checkLedger(table())).toEqual([]);
  });

  it('records when a key was last used at most once an hour, not on every request', async () => {
    const registered = await register(uniqueEmail('used'));
    const deps = { table: table(), opsApiKey: async () => undefined };
    const lastUsed = async () => (await ok<{ items: ApiKey[] }>('GET', `/v1/admin/accounts/${registered.account.id}/api-keys`, ops)).items[0]?.lastUsedAt;
    const t0 = new Date('2031-01-01T00:00:00.000Z');

    await authenticateApiKey(registered.apiKey, deps, t0);
    expect(await lastUsed()).toBe(t0.toISOString());
    await authenticateApiKey(registered.apiKey, deps, new Date(t0.getTime() + 59 * 60_000));
    expect(await lastUsed()).toBe(t0.toISOString());
    const later = new Date(t0.getTime() + 61 * 60_000);
    await authenticateApiKey(registered.apiKey, deps, later);
    expect(await lastUsed()).toBe(later.toISOString());
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
