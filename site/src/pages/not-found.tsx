import { Link } from 'react-router';
import { PageTitle } from '../components/ui';

export function NotFoundPage() {
  return (
    <section className="narrow">
      <PageTitle title="Not found">There is no such page</PageTitle>
      <p>
        <Link to="/">Go to your licenses</Link>
      </p>
    </section>
  );
}
