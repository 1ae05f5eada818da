import { storedMemberships } from '#lib/auth/person-memberships.js';
import { table } from '#lib/platform/dynamodb.js';
import { accountOf } from '#lib/auth/principal.js';
import { licenseRequests } from '@license-activation/contract/license-requests';
import { requestsOf } from '@license-activation/contract/route-request';
import { httpHandler } from '#lib/http/http-handler.js';
import { budgetsOf } from '#lib/licenses/budgets.js';

export const handler = httpHandler(requestsOf(licenseRequests, 'listBudgets'), async ({ params, caller }) => ({
  status: 200,
  body: { items: await budgetsOf({ table: table() }, { caller: accountOf(caller), resellerId: params.resellerId }) },
}), { memberships: storedMemberships });
