import { storedMemberships } from '#lib/auth/person-memberships.js';
import { table } from '#lib/platform/dynamodb.js';
import { createCustomerOfReseller } from '#lib/accounts/create-account.js';
import { accountOf, actorOf } from '#lib/auth/principal.js';
import { accountRequests } from '@license-activation/contract/account-requests';
import { requestsOf } from '@license-activation/contract/route-request';
import { httpHandler } from '#lib/http/http-handler.js';

export const handler = httpHandler(requestsOf(accountRequests, 'createCustomer'), async ({ body, caller, now }) => ({
  status: 201,
  body: await createCustomerOfReseller({ table: table() }, accountOf(caller).id, body, actorOf(caller), now),
}), { memberships: storedMemberships });
