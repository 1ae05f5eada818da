import { storedMemberships } from '#lib/auth/person-memberships.js';
import { table } from '#lib/platform/dynamodb.js';
import { storedResources } from '#lib/auth/access-facts.js';
import { licenseRequests } from '@license-activation/contract/license-requests';
import { requestsOf } from '@license-activation/contract/route-request';
import { httpHandler } from '#lib/http/http-handler.js';
import { budgetsOf } from '#lib/licenses/budgets.js';

export const handler = httpHandler(requestsOf(licenseRequests, 'listBudgets'), async ({ resource, query }) => ({
  status: 200,
  body: await budgetsOf({ table: table() }, resource.id, query),
}), { memberships: storedMemberships, resources: storedResources });
