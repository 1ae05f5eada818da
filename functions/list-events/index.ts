import { storedMemberships } from '#lib/auth/person-memberships.js';
import { table } from '#lib/platform/dynamodb.js';
import { listAuditEvents } from '#lib/audit/list-audit-events.js';
import { storedResources } from '#lib/auth/access-facts.js';
import { auditRequests } from '@license-activation/contract/list-requests';
import { requestsOf } from '@license-activation/contract/route-request';
import { httpHandler } from '#lib/http/http-handler.js';

// Serves both feeds: the route's path names either a customer or a license.
export const handler = httpHandler(requestsOf(auditRequests, 'listCustomerEvents', 'listLicenseEvents'), async ({ params, query }) => ({
  status: 200,
  body: await listAuditEvents({ table: table() }, { subject: params, query }),
}), { memberships: storedMemberships, resources: storedResources });
