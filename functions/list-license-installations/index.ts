import { table } from '#lib/platform/dynamodb.js';
import { catalog } from '#lib/platform/catalog.js';
import { accountOf } from '#lib/auth/principal.js';
import { ListQuery } from '@license-activation/contract/list-requests';
import { LicensePath } from '@license-activation/contract/license-requests';
import { httpHandler } from '#lib/http/http-handler.js';
import { listLicenseInstallations } from '#lib/installations/license-installations.js';

export const handler = httpHandler({ params: LicensePath, query: ListQuery }, async ({ params, query, caller, now }) => ({
  status: 200,
  body: await listLicenseInstallations({ table: table(), catalog: catalog() }, { account: accountOf(caller), licenseId: params.licenseId, ...query, now }),
}));
