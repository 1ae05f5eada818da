import { lazy, Suspense, useMemo } from 'react';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import type { ChartSeries } from './line-chart';
import { ErrorMessage, Loading } from './ui';
import { useLoad } from './use-load';

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

/** A license's seats in use (the sum of its installations' daily peaks) against its seats licensed, over 90 days. */
export function LicenseUsageChart({ licenseId }: { licenseId: string }) {
  const usage = useLoad(async () => unwrap(await api.GET('/v1/licenses/{licenseId}/usage', { params: { path: { licenseId } } })), [licenseId]);
  const chart = useMemo(() => {
    const days = usage.data?.items ?? [];
    return {
      labels: days.map((day) => day.date),
      series: [
        { label: 'Seats used', values: days.map((day) => day.activeUsersPeak) },
        { label: 'Seats licensed', values: days.map((day) => day.seatsLicensed), stepped: true },
      ],
    };
  }, [usage.data]);
  if (usage.error) return <ErrorMessage error={usage.error} />;
  if (!usage.data) return <Loading what="the usage history" />;
  return <Chart title="Seats used and licensed, last 90 days" unit="seats" {...chart} />;
}

/** An installation's daily peak of active users against the seats its token granted, over 90 days. */
export function InstallationUsageChart({ installationId }: { installationId: string }) {
  const usage = useLoad(async () => unwrap(await api.GET('/v1/installations/{installationId}/usage', { params: { path: { installationId } } })), [installationId]);
  const chart = useMemo(() => {
    const days = usage.data?.items ?? [];
    return {
      labels: days.map((day) => day.date),
      series: [
        { label: 'Active users (peak)', values: days.map((day) => day.activeUsersPeak) },
        { label: 'Seats licensed', values: days.map((day) => day.seatsLicensed), stepped: true },
        { label: 'Heartbeats', values: days.map((day) => day.heartbeats) },
      ],
    };
  }, [usage.data]);
  if (usage.error) return <ErrorMessage error={usage.error} />;
  if (!usage.data) return <Loading what="the usage history" />;
  return <Chart title="Active users and seats, last 90 days" unit="" {...chart} />;
}
