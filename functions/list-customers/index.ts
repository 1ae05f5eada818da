import { table } from '#lib/platform/dynamodb.js';
import { listCustomers } from '#lib/accounts/list-customers.js';
import { accountOf } from '#lib/auth/principal.js';
import { ListQuery } from '@license-activation/contract/list-requests';
import { httpHandler } from '#lib/http/http-handler.js';

export const handler = httpHandler({ query: ListQuery }, async ({ query, caller }) => ({
  status: 200,
  body: await listCustomers({ table: table() }, accountOf(caller), query),
}));
