import { table } from '../../lib/adapters/dynamodb.js';
import { createCustomerOfReseller } from '../../lib/accounts/create-account.js';
import { accountOf } from '../../lib/auth/principal.js';
import { AccountInput } from '../../lib/contract/account-requests.js';
import { httpHandler } from '../../lib/http/http-handler.js';

export const handler = httpHandler({ body: AccountInput }, async ({ body, caller, now }) => ({
  status: 201,
  body: await createCustomerOfReseller({ table: table() }, accountOf(caller).id, body, now),
}));
