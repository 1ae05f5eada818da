import { api } from '../api/client';
import type { License, Schemas } from '../api/client';
import { unwrap } from '../api/problem';
import { fetchAllPages } from '../lists/pages';
import { CsvExport } from './csv-export';
import type { CsvColumn } from './csv-export';

const licenseColumns = (customerName: ReadonlyMap<string, string>): CsvColumn<License>[] => [
  ['id', (license) => license.id],
  ['customerId', (license) => license.customerId],
  ['customer', (license) => customerName.get(license.customerId)],
  ['productId', (license) => license.productId],
  ['type', (license) => license.type],
  ['edition', (license) => license.edition],
  ['quantity', (license) => license.quantity],
  ['status', (license) => license.status],
  ['activations', (license) => license.activations],
  ['maxActivations', (license) => license.maxActivations],
  ['expiresAt', (license) => license.expiresAt],
  ['createdAt', (license) => license.createdAt],
  ['keyPrefix', (license) => license.keyPrefix],
];

/** Every license the list shows (all its pages, of the customer chosen), as CSV. */
export function LicensesCsvExport({ customerId, customerName }: { customerId: string; customerName: ReadonlyMap<string, string> }) {
  return (
    <CsvExport
      filename="licenses.csv"
      columns={licenseColumns(customerName)}
      load={() =>
        fetchAllPages(async (cursor) =>
          unwrap(await api.GET('/v1/licenses', { params: { query: { limit: 100, ...(customerId ? { customerId } : {}), ...(cursor ? { cursor } : {}) } } })),
        )
      }
    />
  );
}

type LicenseInstallation = Schemas['LicenseInstallation'];

const installationColumns: CsvColumn<LicenseInstallation>[] = [
  ['id', (item) => item.installation.id],
  ['hostname', (item) => item.installation.hostname],
  ['productId', (item) => item.installation.productId],
  ['version', (item) => item.installation.version],
  ['virtual', (item) => item.installation.virtual],
  ['mode', (item) => item.mode],
  ['limitedReasons', (item) => item.limitedReasons.join(' ')],
  ['warnings', (item) => item.warnings.join(' ')],
  ['activeUsers', (item) => item.installation.usage?.activeUsers],
  ['reportedAt', (item) => item.installation.usage?.reportedAt],
  ['lastSeenAt', (item) => item.installation.lastSeenAt],
  ['createdAt', (item) => item.installation.createdAt],
];

/** Every installation holding the license (all pages), as CSV. */
export function InstallationsCsvExport({ licenseId }: { licenseId: string }) {
  return (
    <CsvExport
      filename={`installations-${licenseId}.csv`}
      columns={installationColumns}
      load={() =>
        fetchAllPages(async (cursor) =>
          unwrap(await api.GET('/v1/licenses/{licenseId}/installations', { params: { path: { licenseId }, query: { limit: 100, ...(cursor ? { cursor } : {}) } } })),
        )
      }
    />
  );
}
