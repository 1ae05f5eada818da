import { table } from '#lib/platform/dynamodb.js';
import { dissociateCustomer } from '#lib/accounts/associations.js';
import { accountRequests } from '@license-activation/contract/account-requests';
import { requestsOf } from '@license-activation/contract/route-request';
import { httpHandler } from '#lib/http/http-handler.js';
import { actorOf } from '#lib/auth/principal.js';

export const handler = httpHandler(requestsOf(accountRequests, 'removeAssociation'), async ({ params, caller, now }) => {
  await dissociateCustomer({ table: table() }, params, actorOf(caller), now);
  return { status: 204 };
});
