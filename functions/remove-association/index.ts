import { table } from '../../lib/adapters/dynamodb.js';
import { dissociateCustomer } from '../../lib/accounts/associations.js';
import { AssociationPath } from '../../lib/contract/account-requests.js';
import { httpHandler } from '../../lib/http/http-handler.js';

export const handler = httpHandler({ params: AssociationPath }, async ({ params, now }) => {
  await dissociateCustomer({ table: table() }, params, now);
  return { status: 204 };
});
