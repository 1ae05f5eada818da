import { storedMemberships } from '#lib/auth/person-memberships.js';
import { table } from '#lib/platform/dynamodb.js';
import { listCustomers } from '#lib/accounts/list-customers.js';
import { accountOf } from '#lib/auth/principal.js';
import { accountRequests } from '@license-activation/contract/account-requests';
import { requestsOf } from '@license-activation/contract/route-request';
import { httpHandler } from '#lib/http/http-handler.js';

export const handler = httpHandler(requestsOf(accountRequests, 'listCustomers'), async ({ query, caller }) => ({
  status: 200,
  body: await listCustomers({ table: table() }, accountOf(caller), query),
}), { memberships: storedMemberships });
