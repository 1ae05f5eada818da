import { storedMemberships } from '#lib/auth/person-memberships.js';
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

export const handler = handlerPerRoute({
  getLicenseUsage: httpHandler(requestsOf(insightsRequests, 'getLicenseUsage'), async ({ params, query, caller, now }) => ({
    status: 200,
    body: await readLicenseUsage(table(), { account: accountOf(caller), licenseId: params.licenseId, query, now }),
  }), { memberships: storedMemberships }),
  getInstallationUsage: httpHandler(requestsOf(insightsRequests, 'getInstallationUsage'), async ({ params, query, caller, now }) => ({
    status: 200,
    body: await readInstallationUsage(table(), { caller, installationId: params.installationId, query, now }),
  }), { installations: dpopProofs, accounts: storedApiKeys, memberships: storedMemberships }),
  getInsights: httpHandler(requestsOf(insightsRequests, 'getInsights'), async ({ query, caller, now }) => ({
    status: 200,
    body: await readInsights({ table: table(), catalog: catalog() }, { account: accountOf(caller), ...(query.customerId !== undefined ? { customerId: query.customerId } : {}), now }),
  }), { memberships: storedMemberships }),
});
