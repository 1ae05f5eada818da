import { table } from '#lib/platform/dynamodb.js';
import { storedResources } from '#lib/auth/access-facts.js';
import { createAccountApiKey, listAccountApiKeys, revokeAccountApiKey } from '#lib/accounts/account-api-keys.js';
import { addAccountMember, changeMemberRole, listAccountMembers, removeAccountMember } from '#lib/accounts/people.js';
import { personRequests } from '@license-activation/contract/person-requests';
import { requestsOf } from '@license-activation/contract/route-request';
import { handlerPerRoute, httpHandler } from '#lib/http/http-handler.js';

/** What an account's owners and ops manage (API.md §7): its members, and the API keys that act for it. */
export const handler = handlerPerRoute({
  listMembers: httpHandler(requestsOf(personRequests, 'listMembers'), async ({ resource, query }) => ({
    status: 200,
    body: await listAccountMembers({ table: table() }, resource, query),
  }), { resources: storedResources }),
  addMember: httpHandler(requestsOf(personRequests, 'addMember'), async ({ caller, resource, body, now }) => ({
    status: 201,
    body: { member: await addAccountMember({ table: table() }, caller, resource, body, now) },
  }), { resources: storedResources }),
  changeMemberRole: httpHandler(requestsOf(personRequests, 'changeMemberRole'), async ({ caller, resource, params, body, now }) => ({
    status: 200,
    body: { member: await changeMemberRole({ table: table() }, caller, resource, params.memberId, body.role, now) },
  }), { resources: storedResources }),
  removeMember: httpHandler(requestsOf(personRequests, 'removeMember'), async ({ caller, resource, params, now }) => {
    await removeAccountMember({ table: table() }, caller, resource, params.memberId, now);
    return { status: 204 };
  }, { resources: storedResources }),
  listApiKeys: httpHandler(requestsOf(personRequests, 'listApiKeys'), async ({ resource, query }) => ({
    status: 200,
    body: await listAccountApiKeys({ table: table() }, resource, query),
  }), { resources: storedResources }),
  createApiKey: httpHandler(requestsOf(personRequests, 'createApiKey'), async ({ caller, resource, now }) => ({
    status: 201,
    body: await createAccountApiKey({ table: table() }, caller, resource, now),
  }), { resources: storedResources }),
  revokeApiKey: httpHandler(requestsOf(personRequests, 'revokeApiKey'), async ({ caller, resource, params, now }) => {
    await revokeAccountApiKey({ table: table() }, caller, resource, params.keyId, now);
    return { status: 204 };
  }, { resources: storedResources }),
});
