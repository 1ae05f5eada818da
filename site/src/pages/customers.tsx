import { useState } from 'react';
import type { FormEvent } from 'react';
import { Link } from 'react-router';
import { api } from '../api/client';
import type { Account } from '../api/client';
import { unwrap } from '../api/problem';
import { useSession } from '../auth/session';
import { PagedTable } from '../components/data-table';
import type { Column } from '../components/data-table';
import { ShownOnce } from '../components/secret';
import { Empty, ErrorMessage, Field, formatDate, PageTitle } from '../components/ui';
import { forgetCustomers } from '../components/use-customers';
import { useAction } from '../components/use-load';
import { usePagedList } from '../components/use-paged-list';

const columns: Column<Account>[] = [
  { header: 'Name', cell: (account) => account.name },
  { header: 'Email', cell: (account) => account.email },
  { header: 'Since', cell: (account) => formatDate(account.createdAt) },
  {
    header: 'Links',
    quietHeader: true,
    cell: (account) => (
      <span className="links">
        <Link to={`/licenses?customerId=${account.id}`}>Licenses</Link> <Link to={`/licenses/new?customerId=${account.id}`}>Issue a license</Link>{' '}
        <Link to={`/events?customerId=${account.id}`}>Events</Link>
      </span>
    ),
  },
];

/** What a valid new account is, in words, for the fields the API may refuse. */
export const accountFields = {
  name: 'Enter the customer’s name, of 1 to 200 characters (letters, digits, spaces, punctuation).',
  email: 'Enter the owner’s email address, like it@example.com.',
};

/** A reseller's customers: create one, list them, and go on to their licenses and events. */
export function CustomersPage() {
  const { membership } = useSession();
  const customers = usePagedList(
    async (cursor) => unwrap(await api.GET('/v1/customers', { params: { query: cursor ? { cursor } : {} } })),
    [membership?.account.id],
  );
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [created, setCreated] = useState<{ name: string; apiKey: string }>();
  const { pending, error, run } = useAction();

  if (membership?.account.kind !== 'reseller') {
    return (
      <section>
        <PageTitle title="Customers">Customers</PageTitle>
        <Empty>Only a reseller account has customers. Switch to one with “Acting for”.</Empty>
      </section>
    );
  }
  async function create(event: FormEvent) {
    event.preventDefault();
    const answer = await run(async () => unwrap(await api.POST('/v1/customers', { body: { name: name.trim(), email: email.trim() } })));
    if (!answer) return;
    setCreated({ name: answer.account.name, apiKey: answer.apiKey });
    setName('');
    setEmail('');
    forgetCustomers();
    customers.showPage([]);
    customers.reload();
  }
  return (
    <section>
      <PageTitle title="Customers">Customers</PageTitle>
      <form onSubmit={create} aria-labelledby="new-customer">
        <h2 id="new-customer">New customer</h2>
        <div className="row">
          <Field label="Name">{(props) => <input {...props} required maxLength={200} value={name} onChange={(event) => setName(event.target.value)} />}</Field>
          <Field label="Owner's email" hint="The person with this email becomes the account's owner when they sign up.">
            {(props) => <input {...props} type="email" required value={email} onChange={(event) => setEmail(event.target.value)} />}
          </Field>
        </div>
        <ErrorMessage error={error} fields={accountFields} />
        <button className="primary" disabled={pending}>
          Create customer
        </button>
      </form>
      {created && <ShownOnce label={`API key of ${created.name}`} value={created.apiKey} />}
      <h2>Your customers</h2>
      <PagedTable list={customers} what="customers" empty="No customers yet: create the first above." columns={columns} rowKey={(account) => account.id} />
    </section>
  );
}
