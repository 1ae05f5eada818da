import { table } from '#lib/platform/dynamodb.js';
import { personOf } from '#lib/auth/principal.js';
import { acceptInvitation, declineInvitation, describePerson } from '#lib/accounts/people.js';
import { registerCustomerOfPerson } from '#lib/accounts/create-account.js';
import { personRequests } from '@license-activation/contract/person-requests';
import { requestsOf } from '@license-activation/contract/route-request';
import { handlerPerRoute, httpHandler } from '#lib/http/http-handler.js';

/**
 * The signed-in person: `GET /v1/me`, registering a customer account it owns (`POST /v1/me/accounts`),
 * and accepting or declining the invitations its verified email holds.
 */
export const handler = handlerPerRoute({
  getMe: httpHandler(requestsOf(personRequests, 'getMe'), async ({ caller }) => ({ status: 200, body: await describePerson({ table: table() }, personOf(caller)) })),
  createMyAccount: httpHandler(requestsOf(personRequests, 'createMyAccount'), async ({ caller, body, now }) => {
    // The route's access (`verifiedPerson`) let only a person with a verified email through.
    const { id, email = '' } = personOf(caller);
    return { status: 201, body: { account: await registerCustomerOfPerson({ table: table() }, { id, email }, body, now) } };
  }),
  acceptInvitation: httpHandler(requestsOf(personRequests, 'acceptInvitation'), async ({ caller, params, now }) => ({
    status: 200,
    body: { membership: await acceptInvitation({ table: table() }, personOf(caller), params.accountId, now) },
  })),
  declineInvitation: httpHandler(requestsOf(personRequests, 'declineInvitation'), async ({ caller, params, now }) => {
    await declineInvitation({ table: table() }, personOf(caller), params.accountId, now);
    return { status: 204 };
  }),
});
