import { table } from '../../lib/adapters/dynamodb.js';
import { listCustomers } from '../../lib/accounts/list-customers.js';
import { accountOf } from '../../lib/auth/principal.js';
import { ListQuery } from '../../lib/contract/list-requests.js';
import { httpHandler } from '../../lib/http/http-handler.js';

export const handler = httpHandler({ query: ListQuery }, async ({ query, caller }) => ({
  status: 200,
  body: await listCustomers({ table: table() }, accountOf(caller), query),
}));
