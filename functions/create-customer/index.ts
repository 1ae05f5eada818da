import { table } from '#lib/platform/dynamodb.js';
import { createCustomerOfReseller } from '#lib/accounts/create-account.js';
import { accountOf } from '#lib/auth/principal.js';
import { AccountInput } from '@license-activation/contract/account-requests';
import { httpHandler } from '#lib/http/http-handler.js';

export const handler = httpHandler({ body: AccountInput }, async ({ body, caller, now }) => ({
  status: 201,
  body: await createCustomerOfReseller({ table: table() }, accountOf(caller).id, body, now),
}));
