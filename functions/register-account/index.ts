import { table } from '#lib/platform/dynamodb.js';
import { registerCustomer } from '#lib/accounts/create-account.js';
import { accountRequests } from '@license-activation/contract/account-requests';
import { requestsOf } from '@license-activation/contract/route-request';
import { httpHandler } from '#lib/http/http-handler.js';

export const handler = httpHandler(requestsOf(accountRequests, 'registerAccount'), async ({ body, sourceIp, now }) => ({
  status: 201,
  body: await registerCustomer({ table: table() }, body, { sourceIp, now }),
}));
