import { storedMemberships } from '#lib/auth/person-memberships.js';
import { table } from '#lib/platform/dynamodb.js';
import { catalog } from '#lib/platform/catalog.js';
import { storedResources } from '#lib/auth/access-facts.js';
import { licenseRequests } from '@license-activation/contract/license-requests';
import { requestsOf } from '@license-activation/contract/route-request';
import { httpHandler } from '#lib/http/http-handler.js';
import { listLicenseInstallations } from '#lib/installations/license-installations.js';

export const handler = httpHandler(requestsOf(licenseRequests, 'listLicenseInstallations'), async ({ resource, query, now }) => ({
  status: 200,
  body: await listLicenseInstallations({ table: table(), catalog: catalog() }, { license: resource, ...query, now }),
}), { memberships: storedMemberships, resources: storedResources });
