import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../api/client';
import type { License, Schemas } from '../api/client';
import { unwrap } from '../api/problem';
import { useSession } from '../auth/session';
import { describeLicense, licenseTypeWords, productNameAndId } from '../components/license-words';
import { InstallationsCsvExport } from '../components/list-exports';
import { StatusBadge } from '../components/status';
import { LicenseUsageChart } from '../components/usage-charts';
import { ConfirmButton } from '../components/confirm-button';
import { PagedTable } from '../components/data-table';
import { ErrorMessage, Loading, PageTitle, Time } from '../components/ui';
import { useAction, useLoad } from '../components/use-load';
import { usePagedList } from '../components/use-paged-list';

type LicenseInstallation = Schemas['LicenseInstallation'];
type Activation = Schemas['Activation'];
type StatusChange = 'suspend' | 'reinstate' | 'revoke';

const changeWords: Record<StatusChange, { label: string; explain: string }> = {
  suspend: { label: 'Suspend', explain: 'Its installations fall back to limited mode at their next check-in, until it is reinstated.' },
  reinstate: { label: 'Reinstate', explain: 'Its installations return to full mode at their next check-in.' },
  revoke: { label: 'Revoke', explain: 'Revoking is final: the license can never be used again.' },
};

const warningWords: Record<string, string> = {
  VERSION_UNSUPPORTED: 'version no longer supported',
  SEATS_EXCEEDED: 'more users than seats',
  CLONE_DETECTED: 'copy detected',
};

/**
 * A detected clone (API.md §10): two servers run with this installation's key. Says what to do, and lets
 * whoever may clear the detection (the reseller that issued the license; ops) do it once the copy has an
 * installation of its own.
 */
function CloneNotice({ item, mayClear, onCleared }: { item: LicenseInstallation; mayClear: boolean; onCleared: () => void }) {
  const { pending, error, run } = useAction();
  const { clone, id, hostname } = item.installation;
  if (!clone) return null;
  async function clear() {
    const done = await run(async () => {
      unwrap(await api.POST('/v1/installations/{installationId}/clear-clone', { params: { path: { installationId: id } } }));
      return true;
    });
    if (done) onCleared();
  }
  return (
    <div className="notice" role="note" data-testid="clone-notice">
      <p>
        <strong>Copy detected</strong> on <Time value={clone.detectedAt} />: a second server runs with this installation's key (a cloned
        virtual machine, or a backup restored beside the original). Each server needs its own installation: run{' '}
        <code>licensectl init --new-key</code> on the copy and activate it; the reseller then clears the detection.
      </p>
      {mayClear && (
        <button type="button" disabled={pending} onClick={() => void clear()} aria-label={`Clear the detected copy of ${hostname}`}>
          Clear
        </button>
      )}
      <ErrorMessage error={error} />
    </div>
  );
}

function StatusActions({ license, onChanged }: { license: License; onChanged: (license: License) => void }) {
  const { pending, error, run } = useAction();
  const possible: StatusChange[] = license.status === 'active' ? ['suspend', 'revoke'] : license.status === 'suspended' ? ['reinstate', 'revoke'] : [];
  if (possible.length === 0) return null;
  async function change(action: StatusChange) {
    const path = { params: { path: { licenseId: license.id } } } as const;
    const answer = await run(async () =>
      unwrap(
        action === 'suspend'
          ? await api.POST('/v1/licenses/{licenseId}/suspend', { ...path, body: {} })
          : action === 'reinstate'
            ? await api.POST('/v1/licenses/{licenseId}/reinstate', { ...path, body: {} })
            : await api.POST('/v1/licenses/{licenseId}/revoke', { ...path, body: {} }),
      ),
    );
    if (answer) onChanged(answer.license);
  }
  return (
    <div className="actions">
      {possible.map((action) => (
        <ConfirmButton
          key={action}
          label={changeWords[action].label}
          title={`${changeWords[action].label} this license?`}
          danger={action === 'revoke'}
          disabled={pending}
          onConfirm={() => void change(action)}
        >
          <p>{changeWords[action].explain}</p>
        </ConfirmButton>
      ))}
      <ErrorMessage error={error} />
    </div>
  );
}

const activationOf = (item: LicenseInstallation, licenseId: string) => item.installation.activations.find((candidate) => candidate.licenseId === licenseId);

/** This license's slot on the installation: held, lapsed (its lease ran out, the slot may be reclaimed) or released but not yet free. */
function Slot({ activation }: { activation: Activation | undefined }) {
  if (activation?.freesAt) {
    return (
      <>
        Released; frees <Time value={activation.freesAt} />
      </>
    );
  }
  if (activation?.lapsedAt) {
    return (
      <>
        Lapsed since <Time value={activation.lapsedAt} />
      </>
    );
  }
  return <>Held</>;
}

const methodWords: Record<NonNullable<Activation['method']>, string> = { online: 'Online, with the key', offline: 'Offline, by license file', 'sign-in': 'Online, by sign-in' };

/** How the installation got this license, and what that means for seeing it: an offline one never checks in. */
function HowActivated({ item, activation }: { item: LicenseInstallation; activation: Activation | undefined }) {
  if (!activation?.method) return <>—</>;
  return (
    <>
      {methodWords[activation.method]}
      {activation.method === 'offline' && item.installation.tokenExpiresAt && (
        <>
          <br />
          <span className="muted">
            file valid until <Time value={item.installation.tokenExpiresAt} dateOnly />
          </span>
        </>
      )}
    </>
  );
}

/** What releasing does, truthfully: an offline installation keeps running on its license file until it expires. */
function ReleaseWords({ item, activation }: { item: LicenseInstallation; activation: Activation | undefined }) {
  const validUntil = item.installation.tokenExpiresAt;
  const allowance = (
    <p>
      The slot is free at once while at most 3 released installations of this license still hold a valid token or file (its release allowance); past that, it frees
      when this installation's {activation?.method === 'offline' ? 'license file' : 'last token'} expires{validUntil ? <>, on <Time value={validUntil} /></> : ''}.
    </p>
  );
  if (activation?.method === 'offline') {
    return (
      <>
        <p>
          {item.installation.hostname} was activated offline: nothing can reach it to take the license back. Its license file stays valid
          {validUntil ? (
            <>
              {' '}
              until <Time value={validUntil} />
            </>
          ) : (
            ' until it expires'
          )}
          , whatever happens here. Release it only once the server is gone or its license file was removed.
        </p>
        {allowance}
      </>
    );
  }
  return (
    <>
      <p>{item.installation.hostname} loses this license at its next check-in.</p>
      {allowance}
    </>
  );
}

const shortId = (id: string) => id.slice(0, 8);

function Installations({ license, mayClearClones, onReleased }: { license: License; mayClearClones: boolean; onReleased: () => void }) {
  const [cleared, setCleared] = useState(0);
  const installations = usePagedList(
    async (cursor) =>
      unwrap(
        await api.GET('/v1/licenses/{licenseId}/installations', {
          params: { path: { licenseId: license.id }, query: cursor ? { cursor } : {} },
        }),
      ),
    [license.id, license.activations, cleared],
  );
  const { pending, error, run } = useAction();
  async function release(item: LicenseInstallation) {
    const done = await run(async () => {
      unwrap(
        await api.DELETE('/v1/installations/{installationId}/activations/{licenseId}', {
          params: { path: { installationId: item.installation.id, licenseId: license.id } },
        }),
      );
      return true;
    });
    if (done) onReleased();
  }
  // Seats in use, as the installations last reported them: known only when every installation is on this page.
  const all = installations.data && installations.cursors.length === 0 && !installations.data.nextCursor ? installations.data.items : undefined;
  const seatsUsed = all?.reduce((sum, item) => sum + (item.installation.usage?.activeUsers ?? 0), 0);
  return (
    <section aria-labelledby="installations-heading">
      <h2 id="installations-heading">Installations</h2>
      {license.type !== 'edition' && seatsUsed !== undefined && (
        <p data-testid="seats">
          Seats used / licensed: {seatsUsed} / {license.quantity} (as the installations last reported)
        </p>
      )}
      <ErrorMessage error={error} />
      <PagedTable
        list={installations}
        what="installations"
        empty="No installation holds this license."
        rowKey={(item) => item.installation.id}
        columns={[
          {
            header: 'Installation',
            cell: (item) => (
              <>
                <Link to={`/installations/${item.installation.id}?hostname=${encodeURIComponent(item.installation.hostname)}`}>{item.installation.hostname}</Link>
                {item.installation.virtual && <span className="muted"> (virtual)</span>}
                <br />
                <code className="muted" title={item.installation.id}>
                  {shortId(item.installation.id)}
                </code>{' '}
                <span className="muted">version {item.installation.version}</span>
                <CloneNotice item={item} mayClear={mayClearClones} onCleared={() => setCleared((count) => count + 1)} />
              </>
            ),
          },
          { header: 'Activated', cell: (item) => <HowActivated item={item} activation={activationOf(item, license.id)} /> },
          { header: 'First seen', cell: (item) => <Time value={item.installation.createdAt} /> },
          {
            header: 'Last seen',
            cell: (item) => (activationOf(item, license.id)?.method === 'offline' ? <span className="muted">never online</span> : <Time value={item.installation.lastSeenAt} />),
          },
          {
            header: 'Mode',
            cell: (item) => (
              <>
                {item.mode === 'full' ? 'Full' : `Limited (${item.limitedReasons.join(', ').toLowerCase().replaceAll('_', ' ')})`}
                {item.warnings.map((warning) => (
                  <span key={warning} className="badge badge-warning">
                    {warningWords[warning] ?? warning}
                  </span>
                ))}
              </>
            ),
          },
          { header: 'Slot', cell: (item) => <Slot activation={activationOf(item, license.id)} /> },
          { header: 'Users', cell: (item) => item.installation.usage?.activeUsers ?? '—' },
          {
            header: 'Actions',
            quietHeader: true,
            cell: (item) =>
              activationOf(item, license.id)?.releasedAt === undefined && (
                <ConfirmButton
                  label="Release"
                  accessibleLabel={`Release ${item.installation.hostname}`}
                  title={`Release ${item.installation.hostname}?`}
                  danger
                  disabled={pending}
                  onConfirm={() => void release(item)}
                >
                  <ReleaseWords item={item} activation={activationOf(item, license.id)} />
                </ConfirmButton>
              ),
          },
        ]}
      />
      <InstallationsCsvExport licenseId={license.id} />
    </section>
  );
}

export function LicensePage() {
  const { licenseId = '' } = useParams();
  const { membership } = useSession();
  const loaded = useLoad(async () => unwrap(await api.GET('/v1/licenses/{licenseId}', { params: { path: { licenseId } } })).license, [licenseId, membership?.account.id]);
  const [changed, setChanged] = useState<License>();
  const license = changed?.id === licenseId ? changed : loaded.data;
  if (loaded.error) {
    return (
      <section>
        <PageTitle title="License">License</PageTitle>
        <ErrorMessage error={loaded.error} />
        <Link to="/licenses">All licenses</Link>
      </section>
    );
  }
  if (!license) return <Loading what="the license" />;
  const issuedByCaller = membership?.account.kind === 'reseller' && license.issuedBy === membership.account.id;
  return (
    <section>
      <p>
        <Link to="/licenses">← All licenses</Link>
      </p>
      <PageTitle title={describeLicense(license)}>{describeLicense(license)}</PageTitle>
      <dl className="facts">
        <dt>Status</dt>
        <dd>
          <StatusBadge status={license.status} />
        </dd>
        <dt>Product</dt>
        <dd>{productNameAndId(license.productId)}</dd>
        <dt>Type</dt>
        <dd>{licenseTypeWords[license.type].name}</dd>
        {license.edition && (
          <>
            <dt>Edition</dt>
            <dd>{license.edition}</dd>
          </>
        )}
        {license.type !== 'edition' && (
          <>
            <dt>Quantity</dt>
            <dd>{license.quantity}</dd>
          </>
        )}
        <dt>Activations used / limit</dt>
        <dd data-testid="activations">
          {license.activations} / {license.maxActivations}
        </dd>
        <dt>Expires</dt>
        <dd>
          <Time value={license.expiresAt} dateOnly />
        </dd>
        <dt>Key</dt>
        <dd>
          <code>{license.keyPrefix}-…</code>
        </dd>
        <dt>Issued</dt>
        <dd>
          <Time value={license.createdAt} />
        </dd>
      </dl>
      {issuedByCaller && <StatusActions license={license} onChanged={setChanged} />}
      <h2>Usage</h2>
      <LicenseUsageChart licenseId={license.id} />
      <Installations
        license={license}
        mayClearClones={issuedByCaller}
        onReleased={() => {
          setChanged(undefined);
          loaded.reload();
        }}
      />
      <p>
        <Link to={`/events?licenseId=${license.id}`}>This license's events</Link>
      </p>
    </section>
  );
}
