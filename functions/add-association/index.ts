import { table } from '#lib/platform/dynamodb.js';
import { associateCustomer } from '#lib/accounts/associations.js';
import { accountRequests } from '@license-activation/contract/account-requests';
import { requestsOf } from '@license-activation/contract/route-request';
import { httpHandler } from '#lib/http/http-handler.js';

export const handler = httpHandler(requestsOf(accountRequests, 'addAssociation'), async ({ body, now }) => {
  const { association, created } = await associateCustomer({ table: table() }, body, now);
  return { status: created ? 201 : 200, body: { association } };
});
