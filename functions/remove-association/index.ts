import { table } from '#lib/platform/dynamodb.js';
import { dissociateCustomer } from '#lib/accounts/associations.js';
import { AssociationPath } from '@license-activation/contract/account-requests';
import { httpHandler } from '#lib/http/http-handler.js';

export const handler = httpHandler({ params: AssociationPath }, async ({ params, now }) => {
  await dissociateCustomer({ table: table() }, params, now);
  return { status: 204 };
});
