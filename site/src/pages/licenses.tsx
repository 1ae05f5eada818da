import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { useSession } from '../auth/session';
import { LicensesCsvExport } from '../components/list-exports';
import { describeLicense, licenseStatuses, StatusBadge } from '../components/status';
import { Empty, ErrorMessage, Field, formatDate, Loading, PageTitle, Pager } from '../components/ui';
import { useCustomers } from '../components/use-customers';
import { useLoad } from '../components/use-load';

/** A customer's licenses, or every license of a reseller's customers; filters live in the URL. */
export function LicensesPage() {
  const { membership } = useSession();
  const isReseller = membership?.account.kind === 'reseller';
  const [search, setSearch] = useSearchParams();
  const customerId = search.get('customerId') ?? '';
  const status = search.get('status') ?? '';
  const product = search.get('product') ?? '';
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const customers = useCustomers();
  const licenses = useLoad(
    async () =>
      unwrap(
        await api.GET('/v1/licenses', {
          params: { query: { ...(customerId ? { customerId } : {}), ...(cursor ? { cursor } : {}) } },
        }),
      ),
    [membership?.account.id, customerId, cursor],
  );
  const customerName = new Map((customers.data ?? []).map((account) => [account.id, account.name]));
  const items = (licenses.data?.items ?? []).filter((license) => (!status || license.status === status) && (!product || license.productId === product));
  const products = [...new Set((licenses.data?.items ?? []).map((license) => license.productId))].sort();

  function filter(name: string, value: string) {
    const next = new URLSearchParams(search);
    if (value) next.set(name, value);
    else next.delete(name);
    setSearch(next, { replace: true });
    if (name === 'customerId') setCursors([]);
  }

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
        {isReseller && (
          <Field label="Customer">
            {(props) => (
              <select {...props} value={customerId} onChange={(event) => filter('customerId', event.target.value)}>
                <option value="">All customers</option>
                {(customers.data ?? []).map((account) => (
                  <option key={account.id} value={account.id}>
                    {account.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        <Field label="Status">
          {(props) => (
            <select {...props} value={status} onChange={(event) => filter('status', event.target.value)}>
              <option value="">Any status</option>
              {licenseStatuses.map((value) => (
                <option key={value} value={value}>
                  {value}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Product">
          {(props) => (
            <select {...props} value={product} onChange={(event) => filter('product', event.target.value)}>
              <option value="">Any product</option>
              {products.map((value) => (
                <option key={value} value={value}>
                  {value}
                </option>
              ))}
            </select>
          )}
        </Field>
      </form>
      <LicensesCsvExport customerId={customerId} customerName={customerName} />
      <ErrorMessage error={licenses.error} />
      {licenses.loading && !licenses.data ? (
        <Loading what="licenses" />
      ) : items.length === 0 ? (
        <Empty>{licenses.data?.items.length ? 'No license on this page matches the filters.' : 'No licenses yet.'}</Empty>
      ) : (
        <div className="table-scroll">
          <table>
            <caption className="visually-hidden">Licenses</caption>
            <thead>
              <tr>
                <th scope="col">License</th>
                {isReseller && <th scope="col">Customer</th>}
                <th scope="col">Status</th>
                <th scope="col">Seats licensed</th>
                <th scope="col">Activations used / limit</th>
                <th scope="col">Expires</th>
                <th scope="col">Key</th>
              </tr>
            </thead>
            <tbody>
              {items.map((license) => (
                <tr key={license.id}>
                  <td>
                    <Link to={`/licenses/${license.id}`}>{describeLicense(license)}</Link>
                  </td>
                  {isReseller && <td>{customerName.get(license.customerId) ?? license.customerId}</td>}
                  <td>
                    <StatusBadge status={license.status} />
                  </td>
                  <td>{license.type === 'edition' ? '—' : license.quantity}</td>
                  <td>
                    {license.activations} / {license.maxActivations}
                  </td>
                  <td>{formatDate(license.expiresAt)}</td>
                  <td>
                    <code>{license.keyPrefix}-…</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager cursors={cursors} nextCursor={licenses.data?.nextCursor} onChange={setCursors} />
    </section>
  );
}
