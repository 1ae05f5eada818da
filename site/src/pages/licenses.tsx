import { useRef } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api/client';
import type { License } from '../api/client';
import { unwrap } from '../api/problem';
import { useSession } from '../auth/session';
import { CustomerSelect } from '../components/customer-select';
import { PagedTable } from '../components/data-table';
import type { Column } from '../components/data-table';
import { describeLicense, productChoices } from '../components/license-words';
import { LicensesCsvExport } from '../components/list-exports';
import { SelectField } from '../components/select-field';
import { licenseStatusChoices, StatusBadge } from '../components/status';
import { formatDate, PageTitle } from '../components/ui';
import { useCustomers } from '../components/use-customers';
import { usePagedList } from '../components/use-paged-list';
import { isFiltering, matchesLicenseFilter, pageOfList } from '../lists/license-filter';
import type { LicenseFilter } from '../lists/license-filter';
import { fetchAllPages } from '../lists/pages';

const pageSize = 50;

function licensesPage(customerId: string, cursor: string | undefined, limit = pageSize) {
  return api.GET('/v1/licenses', { params: { query: { limit, ...(customerId ? { customerId } : {}), ...(cursor ? { cursor } : {}) } } }).then(unwrap);
}

/** A customer's licenses, or every license of a reseller's customers; filters live in the URL. */
export function LicensesPage() {
  const { membership } = useSession();
  const isReseller = membership?.account.kind === 'reseller';
  const [search, setSearch] = useSearchParams();
  const customerId = search.get('customerId') ?? '';
  const filter: LicenseFilter = { status: search.get('status') ?? '', productId: search.get('product') ?? '' };
  const customers = useCustomers();
  // A filtered view reads the whole list once and pages through its matches; the next page costs no request.
  const matches = useRef<{ key: string; licenses: Promise<License[]> }>(undefined);
  const listKey = JSON.stringify([membership?.account.id, customerId, filter]);
  const licenses = usePagedList(async (cursor) => {
    if (!isFiltering(filter)) return licensesPage(customerId, cursor);
    if (matches.current?.key !== listKey) {
      const all = fetchAllPages((next) => licensesPage(customerId, next, 100));
      matches.current = { key: listKey, licenses: all.then((items) => items.filter((license) => matchesLicenseFilter(license, filter))) };
    }
    return pageOfList(await matches.current.licenses, cursor, pageSize);
  }, [listKey]);
  const customerName = new Map((customers.data ?? []).map((account) => [account.id, account.name]));

  function choose(name: string, value: string) {
    const next = new URLSearchParams(search);
    if (value) next.set(name, value);
    else next.delete(name);
    setSearch(next, { replace: true });
  }

  const columns: Column<License>[] = [
    { header: 'License', cell: (license) => <Link to={`/licenses/${license.id}`}>{describeLicense(license)}</Link> },
    ...(isReseller ? [{ header: 'Customer', cell: (license: License) => customerName.get(license.customerId) ?? license.customerId }] : []),
    { header: 'Status', cell: (license) => <StatusBadge status={license.status} /> },
    { header: 'Activations used / limit', cell: (license) => `${license.activations} / ${license.maxActivations}` },
    { header: 'Expires', cell: (license) => formatDate(license.expiresAt) },
    { header: 'Key', cell: (license) => <code>{license.keyPrefix}-…</code> },
  ];
  return (
    <section>
      <PageTitle title="Licenses">Licenses</PageTitle>
      {isReseller && (
        <p>
          <Link to="/licenses/new" className="button primary">
            Issue a license
          </Link>
        </p>
      )}
      <form className="filters" aria-label="Filters" onSubmit={(event) => event.preventDefault()}>
        {isReseller && <CustomerSelect value={customerId} placeholder="All customers" onChange={(value) => choose('customerId', value)} />}
        <SelectField label="Status" value={filter.status} placeholder="Any status" choices={licenseStatusChoices} onChange={(value) => choose('status', value)} />
        <SelectField label="Product" value={filter.productId} placeholder="Any product" choices={productChoices} onChange={(value) => choose('product', value)} />
      </form>
      <LicensesCsvExport customerId={customerId} customerName={customerName} />
      <PagedTable
        list={licenses}
        what="licenses"
        empty={isFiltering(filter) ? 'No license matches the filters.' : 'No licenses yet.'}
        columns={columns}
        rowKey={(license) => license.id}
      />
    </section>
  );
}
