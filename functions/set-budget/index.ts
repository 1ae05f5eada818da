import { catalog } from '#lib/platform/catalog.js';
import { table } from '#lib/platform/dynamodb.js';
import { actorOf } from '#lib/auth/principal.js';
import { licenseRequests } from '@license-activation/contract/license-requests';
import { requestsOf } from '@license-activation/contract/route-request';
import { httpHandler } from '#lib/http/http-handler.js';
import { setBudget } from '#lib/licenses/budgets.js';

export const handler = httpHandler(requestsOf(licenseRequests, 'setBudget'), async ({ params, body, caller, now }) => ({
  status: 200,
  body: { budget: await setBudget({ table: table(), catalog: catalog() }, { path: params, limit: body.limit, actor: actorOf(caller), now }) },
}));
