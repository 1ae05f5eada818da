import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../api/client';
import type { License, Schemas } from '../api/client';
import { unwrap } from '../api/problem';
import { useSession } from '../auth/session';
import { InstallationsCsvExport } from '../components/list-exports';
import { describeLicense, StatusBadge } from '../components/status';
import { LicenseUsageChart } from '../components/usage-charts';
import { ConfirmDialog, Empty, ErrorMessage, formatDate, formatTime, Loading, PageTitle, Pager } from '../components/ui';
import { useAction, useLoad } from '../components/use-load';

type LicenseInstallation = Schemas['LicenseInstallation'];
type StatusChange = 'suspend' | 'reinstate' | 'revoke';

const changeWords: Record<StatusChange, { label: string; explain: string }> = {
  suspend: { label: 'Suspend', explain: 'Its installations fall back to limited mode at their next check-in, until it is reinstated.' },
  reinstate: { label: 'Reinstate', explain: 'Its installations return to full mode at their next check-in.' },
  revoke: { label: 'Revoke', explain: 'Revoking is final: the license can never be used again.' },
};

const warningWords: Record<string, string> = {
  VERSION_UNSUPPORTED: 'version no longer supported',
  SEATS_EXCEEDED: 'more users than seats',
};

function StatusActions({ license, onChanged }: { license: License; onChanged: (license: License) => void }) {
  const [asked, setAsked] = useState<StatusChange>();
  const { pending, error, run } = useAction();
  const possible: StatusChange[] = license.status === 'active' ? ['suspend', 'revoke'] : license.status === 'suspended' ? ['reinstate', 'revoke'] : [];
  if (possible.length === 0) return null;
  async function change(action: StatusChange) {
    setAsked(undefined);
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
        <button key={action} type="button" className={action === 'revoke' ? 'danger' : ''} disabled={pending} onClick={() => setAsked(action)}>
          {changeWords[action].label}
        </button>
      ))}
      <ErrorMessage error={error} />
      <ConfirmDialog
        open={asked !== undefined}
        title={asked ? `${changeWords[asked].label} this license?` : ''}
        confirmLabel={asked ? changeWords[asked].label : ''}
        danger={asked === 'revoke'}
        onConfirm={() => asked && void change(asked)}
        onCancel={() => setAsked(undefined)}
      >
        <p>{asked && changeWords[asked].explain}</p>
      </ConfirmDialog>
    </div>
  );
}

const activationOf = (item: LicenseInstallation, licenseId: string) => item.installation.activations.find((candidate) => candidate.licenseId === licenseId);
const isReleased = (item: LicenseInstallation, licenseId: string) => activationOf(item, licenseId)?.releasedAt !== undefined;

/** This license's slot on the installation: held, lapsed (its lease ran out, the slot may be reclaimed) or released but not yet free. */
function slotWords(item: LicenseInstallation, licenseId: string): string {
  const activation = activationOf(item, licenseId);
  if (activation?.freesAt) return `Released; frees ${formatTime(activation.freesAt)}`;
  if (activation?.lapsedAt) return `Lapsed since ${formatTime(activation.lapsedAt)}`;
  return 'Held';
}

function Installations({ license, onReleased }: { license: License; onReleased: () => void }) {
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const installations = useLoad(
    async () =>
      unwrap(
        await api.GET('/v1/licenses/{licenseId}/installations', {
          params: { path: { licenseId: license.id }, query: cursor ? { cursor } : {} },
        }),
      ),
    [license.id, license.activations, cursor],
  );
  const [releasing, setReleasing] = useState<LicenseInstallation>();
  const { pending, error, run } = useAction();
  async function release(item: LicenseInstallation) {
    setReleasing(undefined);
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
  const all = installations.data && !cursor && !installations.data.nextCursor ? installations.data.items : undefined;
  const seatsUsed = all?.reduce((sum, item) => sum + (item.installation.usage?.activeUsers ?? 0), 0);
  return (
    <section aria-labelledby="installations-heading">
      <h2 id="installations-heading">Installations</h2>
      {license.type !== 'edition' && seatsUsed !== undefined && (
        <p data-testid="seats">
          Seats used / licensed: {seatsUsed} / {license.quantity} (as the installations last reported)
        </p>
      )}
      <ErrorMessage error={installations.error ?? error} />
      {installations.loading && !installations.data ? (
        <Loading what="installations" />
      ) : !installations.data?.items.length ? (
        <Empty>No installation holds this license.</Empty>
      ) : (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Hostname</th>
                <th scope="col">Version</th>
                <th scope="col">Last seen</th>
                <th scope="col">Mode</th>
                <th scope="col">Slot</th>
                <th scope="col">Users</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {installations.data.items.map((item) => (
                <tr key={item.installation.id}>
                  <td>
                    <Link to={`/installations/${item.installation.id}?hostname=${encodeURIComponent(item.installation.hostname)}`}>{item.installation.hostname}</Link>
                    {item.installation.virtual && <span className="muted"> (virtual)</span>}
                  </td>
                  <td>{item.installation.version}</td>
                  <td>{formatTime(item.installation.lastSeenAt)}</td>
                  <td>
                    {item.mode === 'full' ? 'Full' : `Limited (${item.limitedReasons.join(', ').toLowerCase().replaceAll('_', ' ')})`}
                    {item.warnings.map((warning) => (
                      <span key={warning} className="badge badge-warning">
                        {warningWords[warning] ?? warning}
                      </span>
                    ))}
                  </td>
                  <td>{slotWords(item, license.id)}</td>
                  <td>{item.installation.usage?.activeUsers ?? '—'}</td>
                  <td>
                    {!isReleased(item, license.id) && (
                      <button type="button" disabled={pending} onClick={() => setReleasing(item)} aria-label={`Release ${item.installation.hostname}`}>
                        Release
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager cursors={cursors} nextCursor={installations.data?.nextCursor} onChange={setCursors} />
      <InstallationsCsvExport licenseId={license.id} />
      <ConfirmDialog
        open={releasing !== undefined}
        title={`Release ${releasing?.installation.hostname ?? ''}?`}
        confirmLabel="Release"
        danger
        onConfirm={() => releasing && void release(releasing)}
        onCancel={() => setReleasing(undefined)}
      >
        <p>The installation loses this license at its next check-in, and its activation slot is freed for another server.</p>
      </ConfirmDialog>
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
        <dd>{license.productId}</dd>
        <dt>Type</dt>
        <dd>{license.type}</dd>
        {license.edition && (
          <>
            <dt>Edition</dt>
            <dd>{license.edition}</dd>
          </>
        )}
        <dt>Seats licensed</dt>
        <dd>{license.type === 'edition' ? '—' : license.quantity}</dd>
        <dt>Activations used / limit</dt>
        <dd data-testid="activations">
          {license.activations} / {license.maxActivations}
        </dd>
        <dt>Expires</dt>
        <dd>{formatDate(license.expiresAt)}</dd>
        <dt>Key</dt>
        <dd>
          <code>{license.keyPrefix}-…</code>
        </dd>
        <dt>Issued</dt>
        <dd>{formatTime(license.createdAt)}</dd>
      </dl>
      {issuedByCaller && <StatusActions license={license} onChanged={setChanged} />}
      <h2>Usage</h2>
      <LicenseUsageChart licenseId={license.id} />
      <Installations
        license={license}
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
