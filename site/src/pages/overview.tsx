import { useMemo } from 'react';
import { Link } from 'react-router';
import { api } from '../api/client';
import type { License, Schemas } from '../api/client';
import { unwrap } from '../api/problem';
import { useSession } from '../auth/session';
import { DataTable } from '../components/data-table';
import { describeLicense } from '../components/license-words';
import { Empty, ErrorMessage, formatDate, formatTime, Loading, PageTitle } from '../components/ui';
import { Chart } from '../components/usage-charts';
import { useLoad } from '../components/use-load';
import { fetchAllPages } from '../lists/pages';

type Insights = Schemas['Insights'];
const dayMs = 24 * 60 * 60 * 1000;

function Tile({ label, value, detail }: { label: string; value: number; detail?: string }) {
  return (
    <div className="tile">
      <dt>{label}</dt>
      <dd>
        <span className="tile-value">{value}</span>
        {detail && <span className="muted"> {detail}</span>}
      </dd>
    </div>
  );
}

function Tiles({ insights }: { insights: Insights }) {
  const { licenses, installations, seats, trials } = insights;
  const limited = Object.values(installations.limited).reduce((sum, count) => sum + count, 0);
  return (
    <dl className="tiles" data-testid="tiles">
      <Tile label="Active licenses" value={licenses.active} detail={`${licenses.expiringWithin30Days} expiring within 30 days`} />
      <Tile label="Expired, suspended, revoked" value={licenses.expired + licenses.suspended + licenses.revoked} detail={`${licenses.expired} / ${licenses.suspended} / ${licenses.revoked}`} />
      <Tile label="Installations" value={installations.total} detail={`${installations.seenWithin7Days} seen within 7 days, ${installations.seenWithin30Days} within 30`} />
      <Tile label="Lapsed installations" value={installations.lapsed} />
      <Tile label="In limited mode" value={limited} detail={installations.clonesDetected ? `${installations.clonesDetected} clones detected` : undefined} />
      <Tile label="Seats used" value={seats.used} detail={`of ${seats.licensed} licensed`} />
      {trials && <Tile label="Trials running" value={trials.active} detail={`${trials.startedWithin30Days} started, ${trials.convertedWithin30Days} converted within 30 days`} />}
    </dl>
  );
}

type OverSeat = Insights['overSeats'][number];

function OverSeats({ insights }: { insights: Insights }) {
  if (insights.overSeats.length === 0) return <Empty>No installation reports more users than its seats.</Empty>;
  return (
    <DataTable<OverSeat>
      caption="Installations over their seats, largest excess first"
      rows={insights.overSeats}
      rowKey={(over) => over.installationId}
      columns={[
        { header: 'Installation', cell: (over) => <Link to={`/installations/${over.installationId}`}>{over.installationId.slice(0, 12)}…</Link> },
        {
          header: 'Licenses',
          cell: (over) =>
            over.licenseIds.length === 0 ? (
              '—'
            ) : (
              <span className="links">
                {over.licenseIds.map((licenseId) => (
                  <Link key={licenseId} to={`/licenses/${licenseId}`}>
                    {licenseId}
                  </Link>
                ))}
              </span>
            ),
        },
        { header: 'Users / seats', cell: (over) => `${over.activeUsers} / ${over.seatsLicensed}` },
        { header: 'Over by', cell: (over) => over.activeUsers - over.seatsLicensed },
      ]}
    />
  );
}

/** Active licenses whose end falls within 30 days of `asOf`, soonest first (every page of the list, read once). */
function Expiring({ asOf }: { asOf: string }) {
  const { membership } = useSession();
  const licenses = useLoad(
    async () => fetchAllPages(async (cursor) => unwrap(await api.GET('/v1/licenses', { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } }))),
    [membership?.account.id],
  );
  const soon = useMemo(() => {
    const from = Date.parse(asOf.slice(0, 10));
    return (licenses.data ?? [])
      .filter((license: License) => license.status === 'active' && license.expiresAt !== undefined && Date.parse(license.expiresAt) < from + 30 * dayMs)
      .sort((a, b) => (a.expiresAt ?? '').localeCompare(b.expiresAt ?? ''));
  }, [licenses.data, asOf]);
  if (licenses.error) return <ErrorMessage error={licenses.error} />;
  if (!licenses.data) return <Loading what="the licenses" />;
  if (soon.length === 0) return <Empty>No license expires within 30 days.</Empty>;
  return (
    <ul data-testid="expiring">
      {soon.map((license) => (
        <li key={license.id}>
          <Link to={`/licenses/${license.id}`}>{describeLicense(license)}</Link> expires {formatDate(license.expiresAt)}
        </li>
      ))}
    </ul>
  );
}

/** The landing page after sign-in: the account's figures at a glance (GET /v1/insights). */
export function OverviewPage() {
  const { membership } = useSession();
  const loaded = useLoad(async () => unwrap(await api.GET('/v1/insights')).insights, [membership?.account.id]);
  const insights = loaded.data;
  const weekly = useMemo(() => {
    const weeks = insights?.weekly ?? [];
    return {
      labels: weeks.map((week) => week.week),
      series: [
        { label: 'Activations', values: weeks.map((week) => week.activations) },
        ...(insights?.trials
          ? [
              { label: 'Trials started', values: weeks.map((week) => week.trialsStarted) },
              { label: 'Trials converted', values: weeks.map((week) => week.trialsConverted) },
            ]
          : []),
      ],
    };
  }, [insights]);
  return (
    <section>
      <PageTitle title="Overview">Overview</PageTitle>
      <ErrorMessage error={loaded.error} />
      {!insights ? (
        !loaded.error && <Loading what="the overview" />
      ) : (
        <>
          <p className="muted">As of {formatTime(insights.asOf)}.</p>
          <Tiles insights={insights} />
          <h2>Per week</h2>
          <Chart title="Activations per week, last 12 weeks" unit="" {...weekly} />
          <h2>Over their seats</h2>
          <OverSeats insights={insights} />
          <h2>Expiring within 30 days</h2>
          <Expiring asOf={insights.asOf} />
        </>
      )}
    </section>
  );
}
