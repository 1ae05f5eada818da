import { useEffect, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api/client';
import type { AuditEvent } from '../api/client';
import { toShownError, unwrap } from '../api/problem';
import type { ShownError } from '../api/problem';
import { useSession } from '../auth/session';
import { CustomerSelect } from '../components/customer-select';
import { downloadCsv } from '../components/csv-export';
import { DataTable } from '../components/data-table';
import { useEventNames } from '../components/event-names';
import type { EventNames } from '../components/event-names';
import { eventDetails, eventSubject, eventTypeChoices, eventTypeWords } from '../components/event-words';
import { SelectField } from '../components/select-field';
import { Empty, ErrorMessage, Field, Loading, PageTitle, Time } from '../components/ui';
import { useCustomers } from '../components/use-customers';
import { toCsv } from '../lists/csv';
import { collectEvents, MergedFeeds } from '../lists/event-feeds';
import type { EventFilter } from '../lists/event-feeds';

const batch = 50;

/** A feed is `license:<id>` or `customer:<id>`: the two audit feeds the API lists. */
async function fetchFeed(feed: string, cursor: string | undefined) {
  const [kind, id = ''] = feed.split(':');
  const query = { limit: 100, ...(cursor ? { cursor } : {}) };
  if (kind === 'license') return unwrap(await api.GET('/v1/licenses/{licenseId}/events', { params: { path: { licenseId: id }, query } }));
  return unwrap(await api.GET('/v1/customers/{customerId}/events', { params: { path: { customerId: id }, query } }));
}

/** A date field's day as an ISO time at that day's start (local time), or undefined when empty. */
function dayStart(date: string, plusDays = 0): string | undefined {
  if (!date) return undefined;
  const day = new Date(`${date}T00:00:00`);
  day.setDate(day.getDate() + plusDays);
  return day.toISOString();
}

function csvOf(events: readonly AuditEvent[], names: EventNames): string {
  return toCsv([
    ['time', 'event', 'by', 'by (kind)', 'concerning', 'details', 'customer', 'license id', 'installation id', 'event id'],
    ...events.map((event) => [
      event.createdAt,
      eventTypeWords(event.type),
      names.actor(event),
      event.actor.kind,
      eventSubject(event, names),
      eventDetails(event, names),
      event.customerId ? names.customer(event.customerId) : '',
      event.licenseId ?? '',
      event.installationId ?? '',
      event.id,
    ]),
  ]);
}

/**
 * The audit trail, newest first: a license's (`?licenseId=`), a customer's, or, for a reseller, all its
 * customers' at once; filtered by type and time, with names instead of ids, and exported as CSV.
 */
export function EventsPage() {
  const { membership } = useSession();
  const [search, setSearch] = useSearchParams();
  const licenseId = search.get('licenseId') ?? '';
  const isReseller = membership?.account.kind === 'reseller';
  const customers = useCustomers();
  const customerId = search.get('customerId') ?? '';
  const type = search.get('type') ?? '';
  const since = search.get('since') ?? '';
  const until = search.get('until') ?? '';
  const filter: EventFilter = { types: type ? [type] : [], ...(since ? { since: dayStart(since) } : {}), ...(until ? { until: dayStart(until, 1) } : {}) };

  // Which feeds to read: undefined while a reseller's customers are still loading.
  const feeds = licenseId
    ? [`license:${licenseId}`]
    : !isReseller
      ? membership
        ? [`customer:${membership.account.id}`]
        : []
      : customerId
        ? [`customer:${customerId}`]
        : customers.data?.map((account) => `customer:${account.id}`);
  const listKey = JSON.stringify([membership?.account.id, feeds, filter]);

  const stream = useRef<MergedFeeds<AuditEvent>>(undefined);
  const [state, setState] = useState<{ key: string; events: AuditEvent[]; ended: boolean; loading: boolean; error?: ShownError }>({ key: '', events: [], ended: false, loading: true });
  const [exporting, setExporting] = useState<{ pending: boolean; error?: ShownError }>({ pending: false });
  const names = useEventNames(state.events);

  async function loadMore(key: string, from: MergedFeeds<AuditEvent>) {
    setState((previous) => ({ ...previous, loading: true }));
    try {
      const more = await collectEvents(from, filter, batch);
      setState((previous) => (previous.key === key ? { key, events: [...previous.events, ...more.events], ended: more.ended, loading: false } : previous));
    } catch (error) {
      setState((previous) => (previous.key === key ? { ...previous, loading: false, error: toShownError(error) } : previous));
    }
  }

  useEffect(() => {
    if (!feeds) return;
    const fresh = new MergedFeeds<AuditEvent>(feeds, fetchFeed);
    stream.current = fresh;
    setState({ key: listKey, events: [], ended: false, loading: true });
    void loadMore(listKey, fresh);
    // listKey says everything the stream depends on.
  }, [listKey]);

  async function exportCsv() {
    if (!feeds) return;
    setExporting({ pending: true });
    try {
      const { events } = await collectEvents(new MergedFeeds<AuditEvent>(feeds, fetchFeed), filter);
      downloadCsv(`events-${new Date().toISOString().slice(0, 10)}.csv`, csvOf(events, names));
      setExporting({ pending: false });
    } catch (error) {
      setExporting({ pending: false, error: toShownError(error) });
    }
  }

  function choose(name: string, value: string) {
    const next = new URLSearchParams(search);
    if (value) next.set(name, value);
    else next.delete(name);
    setSearch(next, { replace: true });
  }

  const current = state.key === listKey ? state : { events: [], ended: false, loading: true, error: undefined };
  return (
    <section>
      <PageTitle title="Events">Events</PageTitle>
      {licenseId && (
        <p>
          Of <Link to={`/licenses/${licenseId}`}>{names.license(licenseId)}</Link> · <Link to="/events">all events</Link>
        </p>
      )}
      <form className="filters" aria-label="Filters" onSubmit={(event) => event.preventDefault()}>
        {!licenseId && isReseller && <CustomerSelect value={customerId} placeholder="All customers" onChange={(value) => choose('customerId', value)} />}
        <SelectField label="Type" value={type} placeholder="Any type" choices={eventTypeChoices} onChange={(value) => choose('type', value)} />
        <Field label="From">{(props) => <input {...props} type="date" value={since} max={until || undefined} onChange={(event) => choose('since', event.target.value)} />}</Field>
        <Field label="To">{(props) => <input {...props} type="date" value={until} min={since || undefined} onChange={(event) => choose('until', event.target.value)} />}</Field>
      </form>
      <div className="actions">
        <button type="button" disabled={!feeds || exporting.pending} onClick={() => void exportCsv()}>
          {exporting.pending ? 'Exporting…' : 'Export as CSV'}
        </button>
        <span className="muted">Every event that matches the filters, not only those shown.</span>
      </div>
      <ErrorMessage error={current.error ?? exporting.error ?? customers.error} />
      {current.events.length === 0 ? (
        current.loading ? (
          <Loading what="events" />
        ) : (
          <Empty>{type || since || until ? 'No event matches the filters.' : 'No events yet.'}</Empty>
        )
      ) : (
        <DataTable
          caption="Events"
          rows={current.events}
          rowKey={(event) => event.id}
          columns={[
            { header: 'When', cell: (event) => <Time value={event.createdAt} /> },
            { header: 'What', cell: (event) => eventTypeWords(event.type) },
            { header: 'By', cell: (event) => names.actor(event) },
            {
              header: 'Concerning',
              cell: (event) => (event.licenseId && !licenseId ? <Link to={`/licenses/${event.licenseId}`}>{eventSubject(event, names)}</Link> : eventSubject(event, names)),
            },
            ...(!licenseId && isReseller && !customerId ? [{ header: 'Customer', cell: (event: AuditEvent) => (event.customerId ? names.customer(event.customerId) : '—') }] : []),
            { header: 'Details', cell: (event) => eventDetails(event, names) || '—' },
          ]}
        />
      )}
      {!current.ended && current.events.length > 0 && (
        <p>
          <button type="button" disabled={current.loading} onClick={() => stream.current && void loadMore(listKey, stream.current)}>
            {current.loading ? 'Loading…' : 'Show more events'}
          </button>
        </p>
      )}
    </section>
  );
}
