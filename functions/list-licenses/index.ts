import { table } from '#lib/platform/dynamodb.js';
import { accountOf } from '#lib/auth/principal.js';
import { ListLicensesQuery } from '@license-activation/contract/list-requests';
import { httpHandler } from '#lib/http/http-handler.js';
import { listLicenses } from '#lib/licenses/list-licenses.js';

export const handler = httpHandler({ query: ListLicensesQuery }, async ({ query, caller, now }) => ({
  status: 200,
  body: await listLicenses({ table: table() }, { account: accountOf(caller), query, now }),
}));
