import { table } from '#lib/platform/dynamodb.js';
import { registerCustomer } from '#lib/accounts/create-account.js';
import { AccountInput } from '@license-activation/contract/account-requests';
import { httpHandler } from '#lib/http/http-handler.js';

export const handler = httpHandler({ body: AccountInput }, async ({ body, now }) => ({
  status: 201,
  body: await registerCustomer({ table: table() }, body, now),
}));
