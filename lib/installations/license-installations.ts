import type { Catalog } from '@license-activation/contract/catalog-schema';
import { decideLicenseMode } from '@license-activation/contract/license-mode';
import type { LicenseInstallation } from '@license-activation/contract/schemas';
import { activationsOfLicensePage } from '../data/activations.js';
import { getInstallations } from '../data/installations.js';
import { getLicenses } from '../data/licenses.js';
import type { LicenseRecord } from '../data/licenses.js';
import type { Page } from '../data/pagination.js';
import type { Table } from '../platform/dynamodb.js';
import { slotView, toInstallationView, toSnapshot, withCurrentLicenses } from './installation-view.js';
import { productOf } from './license-token.js';

/**
 * `GET /v1/licenses/{id}/installations` (an addition to API.md, for the license site): who holds the
 * license, released activations still holding their slot included, and in which mode each
 * installation's token puts it now, decided as the token would be (with its licenses as they are now). Reads only.
 */
export async function listLicenseInstallations(
  deps: { table: Table; catalog: Catalog },
  request: { license: LicenseRecord; limit: number; cursor?: string; now: Date },
): Promise<Page<LicenseInstallation>> {
  const { table, catalog } = deps;
  const { license } = request;
  const page = await activationsOfLicensePage(table, license.id, request);
  const installations = await getInstallations(table, page.items.map((item) => item.installationId));
  const licenses = await getLicenses(table, [...new Set(installations.flatMap((installation) => Object.keys(installation.licenses)))]);
  const byId = new Map(installations.map((installation) => [installation.id, withCurrentLicenses(installation, licenses)]));
  const view = slotView(catalog, license.productId, request.now);
  const items = page.items.flatMap(({ installationId }) => {
    const installation = byId.get(installationId);
    if (!installation) return [];
    const decision = decideLicenseMode(productOf(catalog, installation.productId), toSnapshot(installation), request.now);
    return [{ installation: toInstallationView(installation, view), mode: decision.mode, limitedReasons: decision.reasons, warnings: decision.warnings.map((warning) => warning.code) }];
  });
  return { items, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
}
