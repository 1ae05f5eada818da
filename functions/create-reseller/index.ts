import { table } from '../../lib/adapters/dynamodb.js';
import { createReseller } from '../../lib/accounts/create-account.js';
import { AccountInput } from '../../lib/contract/account-requests.js';
import { httpHandler } from '../../lib/http/http-handler.js';

export const handler = httpHandler({ body: AccountInput }, async ({ body, now }) => ({
  status: 201,
  body: await createReseller({ table: table() }, body, now),
}));
