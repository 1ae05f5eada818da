import { storedMemberships } from '#lib/auth/person-memberships.js';
import { table } from '#lib/platform/dynamodb.js';
import { accountOf } from '#lib/auth/principal.js';
import { licenseRequests } from '@license-activation/contract/license-requests';
import { requestsOf } from '@license-activation/contract/route-request';
import { httpHandler } from '#lib/http/http-handler.js';
import { visibleLicense } from '#lib/licenses/license-access.js';
import { toLicense } from '#lib/licenses/license-view.js';

export const handler = httpHandler(requestsOf(licenseRequests, 'getLicense'), async ({ params, caller, now }) => ({
  status: 200,
  body: { license: toLicense(await visibleLicense(table(), accountOf(caller), params.licenseId), now) },
}), { memberships: storedMemberships });
