import { storedMemberships } from '#lib/auth/person-memberships.js';
import { storedResources } from '#lib/auth/access-facts.js';
import { table } from '#lib/platform/dynamodb.js';
import { accountOf, actorOf } from '#lib/auth/principal.js';
import { licenseRequests } from '@license-activation/contract/license-requests';
import { requestsOf } from '@license-activation/contract/route-request';
import { httpHandler } from '#lib/http/http-handler.js';
import { changeStatus } from '#lib/licenses/change-license-status.js';
import type { LicenseAction } from '#lib/licenses/change-license-status.js';

const actions: Record<string, LicenseAction> = {
  suspendLicense: 'suspend',
  reinstateLicense: 'reinstate',
  revokeLicense: 'revoke',
};

export const handler = httpHandler(
  requestsOf(licenseRequests, 'suspendLicense', 'reinstateLicense', 'revokeLicense'),
  async ({ resource, body, caller, route, now }) => ({
    status: 200,
    body: {
      license: await changeStatus(
        { table: table() },
        { account: accountOf(caller), actor: actorOf(caller), license: resource, action: actions[route.twinOf ?? route.id] as LicenseAction, reason: body?.reason, now },
      ),
    },
  }),
  { memberships: storedMemberships, resources: storedResources },
);
