import { lazy, Suspense, useMemo } from 'react';
import { api } from '../api/client';
import type { Schemas } from '../api/client';
import { unwrap } from '../api/problem';
import type { ChartSeries } from './line-chart';
import { ErrorMessage, Loading } from './ui';
import { useLoad } from './use-load';
import type { Loaded } from './use-load';

/** uPlot comes with the chart, in a chunk of its own: pages without a chart never load it. */
const LineChart = lazy(() => import('./line-chart'));

/** A chart, once its library has loaded. */
export function Chart(props: { title: string; labels: readonly string[]; series: readonly ChartSeries[]; unit: string }) {
  return (
    <Suspense fallback={<Loading what="the chart" />}>
      <LineChart {...props} />
    </Suspense>
  );
}

/** A history's days as a chart: one line per series `lines` draws from them, once they have loaded. */
function UsageChart<Day extends { readonly date: string }>(props: {
  title: string;
  unit: string;
  usage: Loaded<{ readonly items: readonly Day[] }>;
  lines: (days: readonly Day[]) => ChartSeries[];
}) {
  const { usage, lines } = props;
  const chart = useMemo(() => {
    const days = usage.data?.items ?? [];
    return { labels: days.map((day) => day.date), series: lines(days) };
  }, [usage.data, lines]);
  if (usage.error) return <ErrorMessage error={usage.error} />;
  if (!usage.data) return <Loading what="the usage history" />;
  return <Chart title={props.title} unit={props.unit} {...chart} />;
}

type LicenseDay = Schemas['LicenseUsageDay'];
type InstallationDay = Schemas['InstallationUsageDay'];

const licenseLines = (days: readonly LicenseDay[]): ChartSeries[] => [
  { label: 'Seats used', values: days.map((day) => day.activeUsersPeak) },
  { label: 'Seats licensed', values: days.map((day) => day.seatsLicensed), stepped: true },
];

const installationLines = (days: readonly InstallationDay[]): ChartSeries[] => [
  { label: 'Active users (peak)', values: days.map((day) => day.activeUsersPeak) },
  { label: 'Seats licensed', values: days.map((day) => day.seatsLicensed), stepped: true },
  { label: 'Heartbeats', values: days.map((day) => day.heartbeats) },
];

/** A license's seats in use (the sum of its installations' daily peaks) against its seats licensed, over 90 days. */
export function LicenseUsageChart({ licenseId }: { licenseId: string }) {
  const usage = useLoad(async () => unwrap(await api.GET('/v1/licenses/{licenseId}/usage', { params: { path: { licenseId } } })), [licenseId]);
  return <UsageChart title="Seats used and licensed, last 90 days" unit="seats" usage={usage} lines={licenseLines} />;
}

/** An installation's daily peak of active users against the seats its token granted, over 90 days. */
export function InstallationUsageChart({ installationId }: { installationId: string }) {
  const usage = useLoad(async () => unwrap(await api.GET('/v1/installations/{installationId}/usage', { params: { path: { installationId } } })), [installationId]);
  return <UsageChart title="Active users and seats, last 90 days" unit="" usage={usage} lines={installationLines} />;
}
