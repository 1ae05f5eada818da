import { useState } from 'react';
import type { FormEvent } from 'react';
import { eventTypes } from '@license-activation/contract/event-types';
import { api } from '../api/client';
import type { Schemas } from '../api/client';
import { unwrap } from '../api/problem';
import { useSession } from '../auth/session';
import { ShownOnce } from '../components/secret';
import { ConfirmDialog, Empty, ErrorMessage, Field, formatTime, Loading, PageTitle, Pager } from '../components/ui';
import { useAction, useLoad } from '../components/use-load';

type Endpoint = Schemas['WebhookEndpoint'];
type Delivery = Schemas['WebhookDelivery'];
type EventType = Schemas['EventType'];

/** The types an owner subscribes to by hand: `webhook.test` comes to the endpoint that asks for it, whatever it names. */
const subscribable = eventTypes.filter((type) => type !== 'webhook.test') as EventType[];

const deliveryBadge: Record<Delivery['status'], string> = { pending: 'badge-suspended', succeeded: 'badge-active', failed: 'badge-revoked' };

function EndpointStatus({ endpoint }: { endpoint: Endpoint }) {
  if (endpoint.enabled) return <span className="badge badge-active">enabled</span>;
  const why = { GONE: 'it answered 410 Gone', FAILING: 'every attempt failed for 5 days', KEY_REVOKED: 'the API key that created it was revoked' } as const;
  return (
    <>
      <span className="badge badge-revoked">disabled</span>
      {endpoint.disabledReason && <small className="muted">{why[endpoint.disabledReason]}</small>}
    </>
  );
}

/** An endpoint's deliveries of the last 30 days, newest first, each with one more attempt on demand. */
function Deliveries({ endpoint }: { endpoint: Endpoint }) {
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const path = { endpointId: endpoint.id };
  const deliveries = useLoad(
    async () => unwrap(await api.GET('/v1/webhook-endpoints/{endpointId}/deliveries', { params: { path, query: cursor ? { cursor } : {} } })),
    [endpoint.id, cursor],
  );
  const { pending, error, run } = useAction();
  async function retry(delivery: Delivery) {
    const done = await run(async () => unwrap(await api.POST('/v1/webhook-endpoints/{endpointId}/deliveries/{deliveryId}/retry', { params: { path: { ...path, deliveryId: delivery.id } } })));
    if (done) deliveries.reload();
  }
  return (
    <section aria-labelledby="deliveries-heading">
      <h2 id="deliveries-heading">Deliveries to {endpoint.url}</h2>
      <p>
        <button type="button" onClick={() => deliveries.reload()} disabled={deliveries.loading}>
          Refresh
        </button>
      </p>
      <ErrorMessage error={error ?? deliveries.error} />
      {deliveries.loading && !deliveries.data ? (
        <Loading what="deliveries" />
      ) : !deliveries.data?.items.length ? (
        <Empty>No deliveries in the last 30 days.</Empty>
      ) : (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">Status</th>
                <th scope="col">Attempts</th>
                <th scope="col">Last attempt</th>
                <th scope="col">Response</th>
                <th scope="col">Error</th>
                <th scope="col">Next attempt</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {deliveries.data.items.map((delivery) => (
                <tr key={delivery.id} data-testid="delivery">
                  <td>
                    {delivery.type}
                    <br />
                    <small className="muted">{delivery.eventId}</small>
                  </td>
                  <td>
                    <span className={`badge ${deliveryBadge[delivery.status]}`}>{delivery.status}</span>
                  </td>
                  <td>{delivery.attempts}</td>
                  <td>{formatTime(delivery.lastAttemptAt)}</td>
                  <td>{delivery.lastResponseStatus ?? '—'}</td>
                  <td>{delivery.lastError ?? '—'}</td>
                  <td>{formatTime(delivery.nextAttemptAt)}</td>
                  <td>
                    <button type="button" disabled={pending} onClick={() => void retry(delivery)} aria-label={`Retry the delivery of ${delivery.type} ${delivery.eventId}`}>
                      Retry
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager cursors={cursors} nextCursor={deliveries.data?.nextCursor} onChange={setCursors} />
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
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const endpoints = useLoad(async () => unwrap(await api.GET('/v1/webhook-endpoints', { params: { query: cursor ? { cursor } : {} } })), [accountId, cursor]);
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [everyType, setEveryType] = useState(true);
  const [types, setTypes] = useState<EventType[]>([]);
  const [secret, setSecret] = useState<{ label: string; value: string }>();
  const [selected, setSelected] = useState<Endpoint>();
  const [deleting, setDeleting] = useState<Endpoint>();
  const [rotating, setRotating] = useState<Endpoint>();
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
    setRotating(undefined);
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
    setDeleting(undefined);
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
        <a href="https://www.standardwebhooks.com/">Standard Webhooks</a> with the endpoint&apos;s secret.
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
      <ErrorMessage error={error ?? endpoints.error} />
      {endpoints.loading && !endpoints.data ? (
        <Loading what="webhook endpoints" />
      ) : !endpoints.data?.items.length ? (
        <Empty>No webhook endpoints yet.</Empty>
      ) : (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">URL</th>
                <th scope="col">Event types</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {endpoints.data.items.map((endpoint) => (
                <tr key={endpoint.id} data-testid="endpoint">
                  <td>
                    {endpoint.url}
                    {endpoint.description && (
                      <>
                        <br />
                        <small className="muted">{endpoint.description}</small>
                      </>
                    )}
                  </td>
                  <td>{endpoint.types?.join(', ') ?? 'every type'}</td>
                  <td>
                    <EndpointStatus endpoint={endpoint} />
                  </td>
                  <td>{formatTime(endpoint.createdAt)}</td>
                  <td className="actions">
                    <button type="button" disabled={pending} onClick={() => void sendTest(endpoint)} aria-label={`Send a test to ${endpoint.url}`}>
                      Send test
                    </button>
                    <button type="button" disabled={pending} onClick={() => setSelected(endpoint)} aria-label={`Deliveries to ${endpoint.url}`}>
                      Deliveries
                    </button>
                    <button type="button" disabled={pending} onClick={() => void setEnabled(endpoint, !endpoint.enabled)} aria-label={`${endpoint.enabled ? 'Disable' : 'Enable'} ${endpoint.url}`}>
                      {endpoint.enabled ? 'Disable' : 'Enable'}
                    </button>
                    <button type="button" disabled={pending} onClick={() => setRotating(endpoint)} aria-label={`Rotate the secret of ${endpoint.url}`}>
                      Rotate secret
                    </button>
                    <button type="button" className="danger" disabled={pending} onClick={() => setDeleting(endpoint)} aria-label={`Delete ${endpoint.url}`}>
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager cursors={cursors} nextCursor={endpoints.data?.nextCursor} onChange={setCursors} />
      {selected && <Deliveries key={selected.id} endpoint={selected} />}
      <ConfirmDialog
        open={rotating !== undefined}
        title={`Rotate the secret of ${rotating?.url ?? ''}?`}
        confirmLabel="Rotate"
        onConfirm={() => rotating && void rotate(rotating)}
        onCancel={() => setRotating(undefined)}
      >
        <p>The old secret keeps signing beside the new one for 24 hours: move your receiver to the new one within that time.</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={deleting !== undefined}
        title={`Delete ${deleting?.url ?? ''}?`}
        confirmLabel="Delete"
        danger
        onConfirm={() => deleting && void remove(deleting)}
        onCancel={() => setDeleting(undefined)}
      >
        <p>Nothing more is sent to it, pending retries included.</p>
      </ConfirmDialog>
    </section>
  );
}
