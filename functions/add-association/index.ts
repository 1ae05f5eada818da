import { table } from '#lib/platform/dynamodb.js';
import { associateCustomer } from '#lib/accounts/associations.js';
import { AssociationInput } from '@license-activation/contract/account-requests';
import { httpHandler } from '#lib/http/http-handler.js';

export const handler = httpHandler({ body: AssociationInput }, async ({ body, now }) => {
  const { association, created } = await associateCustomer({ table: table() }, body, now);
  return { status: created ? 201 : 200, body: { association } };
});
