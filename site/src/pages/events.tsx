import { Link, useSearchParams } from 'react-router';
import { api } from '../api/client';
import type { AuditEvent } from '../api/client';
import { unwrap } from '../api/problem';
import { useSession } from '../auth/session';
import { CustomerSelect } from '../components/customer-select';
import { PagedTable } from '../components/data-table';
import { ErrorMessage, formatTime, PageTitle } from '../components/ui';
import { useCustomers } from '../components/use-customers';
import { usePagedList } from '../components/use-paged-list';

function subject(event: AuditEvent) {
  if (event.licenseId) return <Link to={`/licenses/${event.licenseId}`}>license {event.licenseId}</Link>;
  if (event.installationId) return `installation ${event.installationId.slice(0, 12)}…`;
  return event.customerId ?? '—';
}

/** The audit trail, newest first, paged: a license's (`?licenseId=`) or a customer's. */
export function EventsPage() {
  const { membership } = useSession();
  const [search, setSearch] = useSearchParams();
  const licenseId = search.get('licenseId') ?? '';
  const isReseller = membership?.account.kind === 'reseller';
  const customers = useCustomers();
  const customerId = search.get('customerId') ?? (isReseller ? (customers.data?.[0]?.id ?? '') : (membership?.account.id ?? ''));
  const events = usePagedList(async (cursor) => {
    const query = cursor ? { cursor } : {};
    if (licenseId) return unwrap(await api.GET('/v1/licenses/{licenseId}/events', { params: { path: { licenseId }, query } }));
    if (!customerId) return { items: [] };
    return unwrap(await api.GET('/v1/customers/{customerId}/events', { params: { path: { customerId }, query } }));
  }, [licenseId, customerId, membership?.account.id]);

  return (
    <section>
      <PageTitle title="Events">Events</PageTitle>
      {licenseId ? (
        <p>
          Of license <Link to={`/licenses/${licenseId}`}>{licenseId}</Link> · <Link to="/events">all events</Link>
        </p>
      ) : (
        isReseller && (
          <form className="filters" onSubmit={(event) => event.preventDefault()}>
            <CustomerSelect value={customerId} onChange={(value) => setSearch({ customerId: value })} />
          </form>
        )
      )}
      <ErrorMessage error={customers.error} />
      <PagedTable
        list={events}
        what="events"
        empty="No events yet."
        rowKey={(event) => event.id}
        columns={[
          { header: 'When', cell: (event) => formatTime(event.createdAt) },
          { header: 'What', cell: (event) => event.type.replace('.', ' ') },
          { header: 'By', cell: (event) => `${event.actor.kind}${event.actor.id ? ` ${event.actor.id}` : ''}` },
          { header: 'Concerning', cell: subject },
        ]}
      />
    </section>
  );
}
