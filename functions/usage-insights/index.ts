import { storedMemberships } from '#lib/auth/person-memberships.js';
import { storedResources } from '#lib/auth/access-facts.js';
import { dpopProofs } from '#lib/auth/dpop-proofs.js';
import { storedApiKeys } from '#lib/auth/stored-api-keys.js';
import { accountOf } from '#lib/auth/principal.js';
import { table } from '#lib/platform/dynamodb.js';
import { catalog } from '#lib/platform/catalog.js';
import { insightsRequests } from '@license-activation/contract/insights-requests';
import { requestsOf } from '@license-activation/contract/route-request';
import { handlerPerRoute, httpHandler } from '#lib/http/http-handler.js';
import { readInsights } from '#lib/insights/read-insights.js';
import { readInstallationUsage, readLicenseUsage } from '#lib/insights/read-usage.js';

/** Usage history and insights (API.md §11), each read after its route's access decision (lib/auth/access.ts). */
export const handler = handlerPerRoute({
  getLicenseUsage: httpHandler(
    requestsOf(insightsRequests, 'getLicenseUsage'),
    async ({ resource, query, now }) => ({ status: 200, body: await readLicenseUsage(table(), { license: resource, query, now }) }),
    { memberships: storedMemberships, resources: storedResources },
  ),
  getInstallationUsage: httpHandler(
    requestsOf(insightsRequests, 'getInstallationUsage'),
    async ({ resource, query, caller, now }) => ({
      status: 200,
      body: await readInstallationUsage(table(), { installation: resource, ...(caller.installation ? { proof: caller.installation } : {}), query, now }),
    }),
    { installations: dpopProofs, accounts: storedApiKeys, memberships: storedMemberships, resources: storedResources },
  ),
  getInsights: httpHandler(
    requestsOf(insightsRequests, 'getInsights'),
    async ({ query, caller, now }) => ({
      status: 200,
      body: await readInsights({ table: table(), catalog: catalog() }, { account: accountOf(caller), ...(query.customerId !== undefined ? { customerId: query.customerId } : {}), now }),
    }),
    { memberships: storedMemberships, resources: storedResources },
  ),
});
