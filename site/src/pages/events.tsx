import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api/client';
import type { AuditEvent } from '../api/client';
import { unwrap } from '../api/problem';
import { useSession } from '../auth/session';
import { Empty, ErrorMessage, Field, formatTime, Loading, PageTitle, Pager } from '../components/ui';
import { useCustomers } from '../components/use-customers';
import { useLoad } from '../components/use-load';

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
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const query = cursor ? { cursor } : {};
  const events = useLoad(async () => {
    if (licenseId) return unwrap(await api.GET('/v1/licenses/{licenseId}/events', { params: { path: { licenseId }, query } }));
    if (!customerId) return { items: [] };
    return unwrap(await api.GET('/v1/customers/{customerId}/events', { params: { path: { customerId }, query } }));
  }, [licenseId, customerId, cursor, membership?.account.id]);

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
            <Field label="Customer">
              {(props) => (
                <select
                  {...props}
                  value={customerId}
                  onChange={(event) => {
                    setCursors([]);
                    setSearch({ customerId: event.target.value });
                  }}
                >
                  {(customers.data ?? []).map((account) => (
                    <option key={account.id} value={account.id}>
                      {account.name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </form>
        )
      )}
      <ErrorMessage error={events.error ?? customers.error} />
      {events.loading && !events.data ? (
        <Loading what="events" />
      ) : !events.data?.items.length ? (
        <Empty>No events yet.</Empty>
      ) : (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">What</th>
                <th scope="col">By</th>
                <th scope="col">Concerning</th>
              </tr>
            </thead>
            <tbody>
              {events.data.items.map((event) => (
                <tr key={event.id}>
                  <td>{formatTime(event.createdAt)}</td>
                  <td>{event.type.replace('.', ' ')}</td>
                  <td>
                    {event.actor.kind}
                    {event.actor.id ? ` ${event.actor.id}` : ''}
                  </td>
                  <td>{subject(event)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager cursors={cursors} nextCursor={events.data?.nextCursor} onChange={setCursors} />
    </section>
  );
}
