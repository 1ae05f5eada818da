import { useState } from 'react';
import type { FormEvent } from 'react';
import { eventTypes } from '@license-activation/contract/event-types';
import { api } from '../api/client';
import type { Schemas } from '../api/client';
import { unwrap } from '../api/problem';
import { useSession } from '../auth/session';
import { ConfirmButton } from '../components/confirm-button';
import { PagedTable } from '../components/data-table';
import { ShownOnce } from '../components/secret';
import { Empty, ErrorMessage, Field, PageTitle, Time } from '../components/ui';
import { useAction } from '../components/use-load';
import { usePagedList } from '../components/use-paged-list';

type Endpoint = Schemas['WebhookEndpoint'];
type Delivery = Schemas['WebhookDelivery'];
type EventType = Schemas['EventType'];

/** The types an owner subscribes to by hand: `webhook.test` comes to the endpoint that asks for it, whatever it names. */
const subscribable = eventTypes.filter((type) => type !== 'webhook.test') as EventType[];

const deliveryBadge: Record<Delivery['status'], string> = { pending: 'badge-suspended', succeeded: 'badge-active', failed: 'badge-revoked' };
const disabledWhy = { GONE: 'it answered 410 Gone', FAILING: 'every attempt failed for 5 days', KEY_REVOKED: 'the API key that created it was revoked' } as const;

function EndpointStatus({ endpoint }: { endpoint: Endpoint }) {
  if (endpoint.enabled) return <span className="badge badge-active">enabled</span>;
  return (
    <>
      <span className="badge badge-revoked">disabled</span>
      {endpoint.disabledReason && <small className="muted"> {disabledWhy[endpoint.disabledReason]}</small>}
    </>
  );
}

/** An endpoint's deliveries of the last 30 days, newest first, each with one more attempt on demand. */
function Deliveries({ endpoint }: { endpoint: Endpoint }) {
  const path = { endpointId: endpoint.id };
  const deliveries = usePagedList(
    async (cursor) => unwrap(await api.GET('/v1/webhook-endpoints/{endpointId}/deliveries', { params: { path, query: cursor ? { cursor } : {} } })),
    [endpoint.id],
  );
  const { pending, error, run } = useAction();
  async function retry(delivery: Delivery) {
    const done = await run(async () => unwrap(await api.POST('/v1/webhook-endpoints/{endpointId}/deliveries/{deliveryId}/retry', { params: { path: { ...path, deliveryId: delivery.id } } })));
    if (done) deliveries.reload();
  }
  return (
    <section aria-labelledby="deliveries-heading">
      <h2 id="deliveries-heading">Deliveries to {endpoint.url}</h2>
      <div className="actions">
        <button type="button" onClick={() => deliveries.reload()} disabled={deliveries.loading}>
          Refresh
        </button>
      </div>
      <ErrorMessage error={error} />
      <PagedTable
        list={deliveries}
        what={`deliveries to ${endpoint.url}`}
        empty="No deliveries in the last 30 days."
        rowKey={(delivery) => delivery.id}
        columns={[
          {
            header: 'Event',
            cell: (delivery) => (
              <>
                {delivery.type}
                <br />
                <small className="muted">{delivery.eventId}</small>
              </>
            ),
          },
          { header: 'Status', cell: (delivery) => <span className={`badge ${deliveryBadge[delivery.status]}`}>{delivery.status}</span> },
          { header: 'Attempts', cell: (delivery) => delivery.attempts },
          { header: 'Last attempt', cell: (delivery) => <Time value={delivery.lastAttemptAt} /> },
          { header: 'Response', cell: (delivery) => delivery.lastResponseStatus ?? '—' },
          { header: 'Error', cell: (delivery) => delivery.lastError ?? '—' },
          { header: 'Next attempt', cell: (delivery) => <Time value={delivery.nextAttemptAt} /> },
          {
            header: 'Actions',
            quietHeader: true,
            cell: (delivery) => (
              <button type="button" disabled={pending} onClick={() => void retry(delivery)} aria-label={`Retry the delivery of ${delivery.type} ${delivery.eventId}`}>
                Retry
              </button>
            ),
          },
        ]}
      />
    </section>
  );
}

/**
 * The acting account's webhook endpoints (API.md §9), for its owners: add one (its signing secret shown
 * once), pick its event types, enable or disable it, rotate its secret, send a test, and read and retry its
 * deliveries.
 */
export function WebhooksPage() {
  const { membership } = useSession();
  const accountId = membership?.account.id ?? '';
  const endpoints = usePagedList(async (cursor) => unwrap(await api.GET('/v1/webhook-endpoints', { params: { query: cursor ? { cursor } : {} } })), [accountId]);
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [everyType, setEveryType] = useState(true);
  const [types, setTypes] = useState<EventType[]>([]);
  const [secret, setSecret] = useState<{ label: string; value: string }>();
  const [selected, setSelected] = useState<Endpoint>();
  const [notice, setNotice] = useState<string>();
  const { pending, error, run } = useAction();

  if (membership?.role !== 'owner') {
    return (
      <section>
        <PageTitle title="Webhooks">Webhooks</PageTitle>
        <Empty>Only an owner of {membership?.account.name ?? 'the account'} manages its webhooks.</Empty>
      </section>
    );
  }

  async function add(event: FormEvent) {
    event.preventDefault();
    setNotice(undefined);
    const created = await run(async () =>
      unwrap(await api.POST('/v1/webhook-endpoints', { body: { url, ...(everyType ? {} : { types }), ...(description.trim() ? { description: description.trim() } : {}) } })),
    );
    if (created) {
      setSecret({ label: `Signing secret of ${created.endpoint.url}`, value: created.secret });
      setUrl('');
      setDescription('');
      endpoints.reload();
    }
  }
  async function setEnabled(endpoint: Endpoint, enabled: boolean) {
    const done = await run(async () => unwrap(await api.PATCH('/v1/webhook-endpoints/{endpointId}', { params: { path: { endpointId: endpoint.id } }, body: { enabled } })));
    if (done) endpoints.reload();
  }
  async function rotate(endpoint: Endpoint) {
    const rotated = await run(async () => unwrap(await api.POST('/v1/webhook-endpoints/{endpointId}/rotate-secret', { params: { path: { endpointId: endpoint.id } } })));
    if (rotated) {
      setSecret({ label: `New signing secret of ${rotated.endpoint.url} (the old one signs beside it for 24 hours)`, value: rotated.secret });
      endpoints.reload();
    }
  }
  async function sendTest(endpoint: Endpoint) {
    const sent = await run(async () => unwrap(await api.POST('/v1/webhook-endpoints/{endpointId}/test', { params: { path: { endpointId: endpoint.id } } })));
    if (sent) {
      setNotice(`A webhook.test event is on its way to ${endpoint.url}.`);
      setSelected(endpoint);
    }
  }
  async function remove(endpoint: Endpoint) {
    const done = await run(async () => {
      unwrap(await api.DELETE('/v1/webhook-endpoints/{endpointId}', { params: { path: { endpointId: endpoint.id } } }));
      return true;
    });
    if (done) {
      if (selected?.id === endpoint.id) setSelected(undefined);
      endpoints.reload();
    }
  }
  const toggleType = (type: EventType, on: boolean) => setTypes((current) => (on ? [...current, type] : current.filter((item) => item !== type)));

  return (
    <section>
      <PageTitle title="Webhooks">Webhooks of {membership.account.name}</PageTitle>
      <p className="muted">
        Every event {membership.account.name} may see is POSTed to its endpoints, signed as{' '}
        <a href="https://www.standardwebhooks.com/">Standard Webhooks</a> with the endpoint&apos;s secret. An account keeps at most 10 endpoints.
      </p>
      {secret && <ShownOnce label={secret.label} value={secret.value} />}
      {notice && (
        <p className="muted" role="status">
          {notice}
        </p>
      )}
      <form onSubmit={add} aria-labelledby="add-heading">
        <h2 id="add-heading">Add an endpoint</h2>
        <div className="row">
          <Field label="URL" hint="https://, port 443 or 8443, reachable from the internet (a local service also takes http:// and loopback).">
            {(props) => <input {...props} type="url" required maxLength={2048} value={url} onChange={(event) => setUrl(event.target.value)} />}
          </Field>
          <Field label="Description">{(props) => <input {...props} maxLength={200} value={description} onChange={(event) => setDescription(event.target.value)} />}</Field>
        </div>
        <fieldset>
          <legend>Event types</legend>
          <label>
            <input type="checkbox" checked={everyType} onChange={(event) => setEveryType(event.target.checked)} /> Every type
          </label>
          {!everyType && (
            <div className="type-list">
              {subscribable.map((type) => (
                <label key={type}>
                  <input type="checkbox" checked={types.includes(type)} onChange={(event) => toggleType(type, event.target.checked)} /> {type}
                </label>
              ))}
            </div>
          )}
        </fieldset>
        <button className="primary" disabled={pending || (!everyType && types.length === 0)}>
          Add endpoint
        </button>
      </form>
      <ErrorMessage error={error} />
      <PagedTable
        list={endpoints}
        what="webhook endpoints"
        empty="No webhook endpoints yet."
        rowKey={(endpoint) => endpoint.id}
        columns={[
          {
            header: 'URL',
            cell: (endpoint) => (
              <>
                {endpoint.url}
                {endpoint.description && (
                  <>
                    <br />
                    <small className="muted">{endpoint.description}</small>
                  </>
                )}
              </>
            ),
          },
          { header: 'Event types', cell: (endpoint) => endpoint.types?.join(', ') ?? 'every type' },
          { header: 'Status', cell: (endpoint) => <EndpointStatus endpoint={endpoint} /> },
          { header: 'Created', cell: (endpoint) => <Time value={endpoint.createdAt} /> },
          {
            header: 'Actions',
            quietHeader: true,
            cell: (endpoint) => (
              <div className="actions">
                <button type="button" disabled={pending} onClick={() => void sendTest(endpoint)} aria-label={`Send a test to ${endpoint.url}`}>
                  Send test
                </button>
                <button type="button" disabled={pending} onClick={() => setSelected(endpoint)} aria-label={`Deliveries to ${endpoint.url}`}>
                  Deliveries
                </button>
                <button type="button" disabled={pending} onClick={() => void setEnabled(endpoint, !endpoint.enabled)} aria-label={`${endpoint.enabled ? 'Disable' : 'Enable'} ${endpoint.url}`}>
                  {endpoint.enabled ? 'Disable' : 'Enable'}
                </button>
                <ConfirmButton
                  label="Rotate secret"
                  accessibleLabel={`Rotate the secret of ${endpoint.url}`}
                  title={`Rotate the secret of ${endpoint.url}?`}
                  confirmLabel="Rotate"
                  disabled={pending}
                  onConfirm={() => void rotate(endpoint)}
                >
                  <p>The old secret keeps signing beside the new one for 24 hours: move your receiver to the new one within that time.</p>
                </ConfirmButton>
                <ConfirmButton label="Delete" accessibleLabel={`Delete ${endpoint.url}`} title={`Delete ${endpoint.url}?`} danger disabled={pending} onConfirm={() => void remove(endpoint)}>
                  <p>Nothing more is sent to it, pending retries included.</p>
                </ConfirmButton>
              </div>
            ),
          },
        ]}
      />
      {selected && <Deliveries key={selected.id} endpoint={selected} />}
    </section>
  );
}
