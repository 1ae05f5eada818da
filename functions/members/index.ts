import { table } from '#lib/platform/dynamodb.js';
import { addAccountMember, listAccountMembers, removeAccountMember } from '#lib/accounts/people.js';
import { personRequests } from '@license-activation/contract/person-requests';
import { requestsOf } from '@license-activation/contract/route-request';
import { handlerPerRoute, httpHandler } from '#lib/http/http-handler.js';

/** An account's members, managed by its owners and ops (API.md §7). */
export const handler = handlerPerRoute({
  listMembers: httpHandler(requestsOf(personRequests, 'listMembers'), async ({ caller, params, query }) => ({
    status: 200,
    body: await listAccountMembers({ table: table() }, caller, params.accountId, query),
  })),
  addMember: httpHandler(requestsOf(personRequests, 'addMember'), async ({ caller, params, body, now }) => ({
    status: 201,
    body: { member: await addAccountMember({ table: table() }, caller, params.accountId, body, now) },
  })),
  removeMember: httpHandler(requestsOf(personRequests, 'removeMember'), async ({ caller, params, now }) => {
    await removeAccountMember({ table: table() }, caller, params.accountId, params.memberId, now);
    return { status: 204 };
  }),
});
