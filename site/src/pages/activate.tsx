import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api/client';
import type { Schemas } from '../api/client';
import { toShownError, unwrap, withAction } from '../api/problem';
import { useSession } from '../auth/session';
import { CustomerSelect } from '../components/customer-select';
import { licenseLabel, productNameAndId, productName } from '../components/license-words';
import { SelectField } from '../components/select-field';
import { ErrorMessage, Field, Loading, PageTitle, Time } from '../components/ui';
import { fetchAllPages } from '../lists/pages';
import { useCustomers } from '../components/use-customers';
import { useAction, useLoad } from '../components/use-load';

type Authorization = Schemas['DeviceAuthorization'];

/** A user code as the installation shows it: `XXXX-XXXX`; lookups ignore case and the dash anyway. */
function normalizeCode(code: string): string {
  const letters = code.toUpperCase().replace(/[^A-Z]/g, '');
  return letters.length === 8 ? `${letters.slice(0, 4)}-${letters.slice(4)}` : code.trim().toUpperCase();
}

function Approval({ authorization, onDone }: { authorization: Authorization; onDone: (authorization: Authorization, outcome: 'approved' | 'denied') => void }) {
  const { membership } = useSession();
  const customers = useCustomers();
  const [customerId, setCustomerId] = useState('');
  const [licenseId, setLicenseId] = useState('');
  const { pending, error, run } = useAction();
  useEffect(() => {
    if (!customerId && customers.data?.length === 1 && customers.data[0]) setCustomerId(customers.data[0].id);
  }, [customers.data, customerId]);
  // Every license of the customer, not the newest page: the one to use may be old.
  const licenses = useLoad(
    async () =>
      customerId ? fetchAllPages(async (cursor) => unwrap(await api.GET('/v1/licenses', { params: { query: { customerId, limit: 100, ...(cursor ? { cursor } : {}) } } }))) : [],
    [customerId, membership?.account.id],
  );
  const forProduct = (licenses.data ?? []).filter((license) => license.productId === authorization.productId && license.status === 'active');
  const usable = forProduct.filter((license) => license.activations < license.maxActivations);
  const full = forProduct.filter((license) => license.activations >= license.maxActivations);
  useEffect(() => {
    if (!usable.some((license) => license.id === licenseId)) setLicenseId(usable[0]?.id ?? '');
  }, [usable, licenseId]);

  async function approve(event: FormEvent) {
    event.preventDefault();
    const done = await run(async () => {
      const answer = await api.POST('/v1/device-authorizations/{userCode}/approve', { params: { path: { userCode: authorization.userCode } }, body: { licenseId } });
      // Taken meanwhile: the license's page is where a slot is freed.
      if (answer.error?.code === 'TOO_MANY_ACTIVATIONS') throw withAction(toShownError(answer.error), { label: 'Free a slot on the license’s page', to: `/licenses/${licenseId}` });
      return unwrap(answer);
    });
    if (done) onDone({ ...authorization, status: 'approved' }, 'approved');
  }
  async function deny() {
    const done = await run(async () => unwrap(await api.POST('/v1/device-authorizations/{userCode}/deny', { params: { path: { userCode: authorization.userCode } } })));
    if (done) onDone(done.authorization, 'denied');
  }

  return (
    <form onSubmit={approve}>
      <CustomerSelect value={customerId} placeholder="Choose the customer" required onChange={setCustomerId} />
      {customerId &&
        (licenses.loading && !licenses.data ? (
          <Loading what="licenses" />
        ) : (
          <>
            <SelectField
              label="License"
              required
              value={licenseId}
              choices={usable.map((license) => ({ value: license.id, label: `${licenseLabel(license)} · ${license.maxActivations - license.activations} free of ${license.maxActivations}` }))}
              {...(usable.length === 0 ? { placeholder: 'No license available' } : {})}
              hint={
                usable.length === 0
                  ? `No active ${productName(authorization.productId)} license of this customer has a free slot.`
                  : 'Only active licenses of this product with a free slot are offered.'
              }
              onChange={setLicenseId}
            />
            {full.length > 0 && (
              <div className="notice" data-testid="full-licenses">
                <p>Full, with no free slot: release an installation on the license's page to free one.</p>
                <ul>
                  {full.map((license) => (
                    <li key={license.id}>
                      <Link to={`/licenses/${license.id}`}>{licenseLabel(license)}</Link> ({license.activations} of {license.maxActivations} used)
                    </li>
                  ))}
                </ul>
              </div>
            )}
          </>
        ))}
      <ErrorMessage error={error ?? licenses.error ?? customers.error} />
      <div className="actions">
        <button className="primary" disabled={pending || !licenseId}>
          Activate
        </button>
        <button type="button" className="danger" disabled={pending} onClick={() => void deny()}>
          Deny
        </button>
      </div>
    </form>
  );
}

/** `verificationUriComplete` lands here with `?code=`: look the code up, then approve it with a license, or deny it. */
export function ActivatePage() {
  const [search, setSearch] = useSearchParams();
  const code = search.get('code') ?? '';
  const [typed, setTyped] = useState(code);
  const [outcome, setOutcome] = useState<{ authorization: Authorization; result: 'approved' | 'denied' }>();
  const authorization = useLoad(
    async () => (code ? unwrap(await api.GET('/v1/device-authorizations/{userCode}', { params: { path: { userCode: normalizeCode(code) } } })).authorization : undefined),
    [code],
  );
  function lookUp(event: FormEvent) {
    event.preventDefault();
    setOutcome(undefined);
    setSearch({ code: normalizeCode(typed) });
  }
  const shown = authorization.data;
  return (
    <section className="narrow">
      <PageTitle title="Activate a server">Activate a server</PageTitle>
      <form onSubmit={lookUp} className="inline">
        <Field label="Code shown by the server" hint="8 letters, like BCDF-GHJK.">
          {(props) => <input {...props} required autoCapitalize="characters" autoComplete="off" spellCheck={false} maxLength={12} value={typed} onChange={(event) => setTyped(event.target.value)} />}
        </Field>
        <button>Look up</button>
      </form>
      <ErrorMessage error={authorization.error} />
      {code && authorization.loading && <Loading what="the request" />}
      {shown && (
        <>
          <h2>The server asking</h2>
          <dl className="facts">
            <dt>Hostname</dt>
            <dd>{shown.hostname}</dd>
            <dt>Product</dt>
            <dd>{productNameAndId(shown.productId)}</dd>
            <dt>Version</dt>
            <dd>{shown.version}</dd>
            <dt>Virtual machine</dt>
            <dd>{shown.virtual ? 'yes' : 'no'}</dd>
            <dt>Code expires</dt>
            <dd>
              <Time value={shown.expiresAt} />
            </dd>
          </dl>
          {outcome ? (
            <p role="status" className={outcome.result === 'approved' ? 'success' : 'notice'}>
              {outcome.result === 'approved'
                ? `Activated. ${shown.hostname} picks up its license within a few seconds.`
                : `Denied. ${shown.hostname} will not be activated with this code.`}
            </p>
          ) : shown.status === 'pending' ? (
            <Approval authorization={shown} onDone={(next, result) => setOutcome({ authorization: next, result })} />
          ) : (
            <p role="status" className="notice">
              This code is {shown.status}: ask the server for a new one if it still needs activating.
            </p>
          )}
        </>
      )}
    </section>
  );
}
