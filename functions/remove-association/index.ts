import { table } from '#lib/platform/dynamodb.js';
import { dissociateCustomer } from '#lib/accounts/associations.js';
import { accountRequests } from '@license-activation/contract/account-requests';
import { requestsOf } from '@license-activation/contract/route-request';
import { httpHandler } from '#lib/http/http-handler.js';

export const handler = httpHandler(requestsOf(accountRequests, 'removeAssociation'), async ({ params, now }) => {
  await dissociateCustomer({ table: table() }, params, now);
  return { status: 204 };
});
