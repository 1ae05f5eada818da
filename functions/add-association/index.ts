import { table } from '#lib/platform/dynamodb.js';
import { associateCustomer } from '#lib/accounts/associations.js';
import { accountRequests } from '@license-activation/contract/account-requests';
import { requestsOf } from '@license-activation/contract/route-request';
import { httpHandler } from '#lib/http/http-handler.js';
import { actorOf } from '#lib/auth/principal.js';

export const handler = httpHandler(requestsOf(accountRequests, 'addAssociation'), async ({ body, caller, now }) => {
  const { association, created } = await associateCustomer({ table: table() }, body, actorOf(caller), now);
  return { status: created ? 201 : 200, body: { association } };
});
