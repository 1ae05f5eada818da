import { table } from '#lib/platform/dynamodb.js';
import { createReseller } from '#lib/accounts/create-account.js';
import { AccountInput } from '@license-activation/contract/account-requests';
import { httpHandler } from '#lib/http/http-handler.js';

export const handler = httpHandler({ body: AccountInput }, async ({ body, now }) => ({
  status: 201,
  body: await createReseller({ table: table() }, body, now),
}));
