import { storedMemberships } from '#lib/auth/person-memberships.js';
import { storedResources } from '#lib/auth/access-facts.js';
import { licenseRequests } from '@license-activation/contract/license-requests';
import { requestsOf } from '@license-activation/contract/route-request';
import { httpHandler } from '#lib/http/http-handler.js';
import { toLicense } from '#lib/licenses/license-view.js';

export const handler = httpHandler(requestsOf(licenseRequests, 'getLicense'), async ({ resource, now }) => ({
  status: 200,
  body: { license: toLicense(resource, now) },
}), { memberships: storedMemberships, resources: storedResources });
