import { Link, useParams, useSearchParams } from 'react-router';
import { PageTitle } from '../components/ui';
import { InstallationUsageChart } from '../components/usage-charts';

/** An installation's own usage history (its hostname, when the link gives it, names the page). */
export function InstallationPage() {
  const { installationId = '' } = useParams();
  const [search] = useSearchParams();
  const hostname = search.get('hostname');
  const name = hostname ? `Installation ${hostname}` : 'Installation';
  return (
    <section>
      <p>
        <Link to="/">← Overview</Link>
      </p>
      <PageTitle title={name}>{name}</PageTitle>
      <p className="muted">
        Id <code>{installationId}</code>
      </p>
      <InstallationUsageChart installationId={installationId} />
    </section>
  );
}
