import { storedMemberships } from '#lib/auth/person-memberships.js';
import { storedResources } from '#lib/auth/access-facts.js';
import { table } from '#lib/platform/dynamodb.js';
import { accountOf } from '#lib/auth/principal.js';
import { licenseRequests } from '@license-activation/contract/license-requests';
import { requestsOf } from '@license-activation/contract/route-request';
import { httpHandler } from '#lib/http/http-handler.js';
import { listLicenses } from '#lib/licenses/list-licenses.js';

export const handler = httpHandler(requestsOf(licenseRequests, 'listLicenses'), async ({ query, caller, now }) => ({
  status: 200,
  body: await listLicenses({ table: table() }, { account: accountOf(caller), query, now }),
}), { memberships: storedMemberships, resources: storedResources });
