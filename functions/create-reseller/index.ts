import { table } from '#lib/platform/dynamodb.js';
import { createReseller } from '#lib/accounts/create-account.js';
import { accountRequests } from '@license-activation/contract/account-requests';
import { requestsOf } from '@license-activation/contract/route-request';
import { httpHandler } from '#lib/http/http-handler.js';
import { actorOf } from '#lib/auth/principal.js';

export const handler = httpHandler(requestsOf(accountRequests, 'createReseller'), async ({ body, caller, now }) => ({
  status: 201,
  body: await createReseller({ table: table() }, body, actorOf(caller), now),
}));
