import { useState } from 'react';
import type { FormEvent } from 'react';
import { Link } from 'react-router';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { useSession } from '../auth/session';
import { ShownOnce } from '../components/secret';
import { Empty, ErrorMessage, Field, formatDate, Loading, PageTitle, Pager } from '../components/ui';
import { useAction, useLoad } from '../components/use-load';

/** A reseller's customers: create one, list them, and go on to their licenses and events. */
export function CustomersPage() {
  const { membership } = useSession();
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const customers = useLoad(async () => unwrap(await api.GET('/v1/customers', { params: { query: cursor ? { cursor } : {} } })), [membership?.account.id, cursor]);
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
    const answer = await run(async () => unwrap(await api.POST('/v1/customers', { body: { name, email } })));
    if (!answer) return;
    setCreated({ name: answer.account.name, apiKey: answer.apiKey });
    setName('');
    setEmail('');
    setCursors([]);
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
        <ErrorMessage error={error} />
        <button className="primary" disabled={pending}>
          Create customer
        </button>
      </form>
      {created && <ShownOnce label={`API key of ${created.name}`} value={created.apiKey} />}
      <h2>Your customers</h2>
      <ErrorMessage error={customers.error} />
      {customers.loading && !customers.data ? (
        <Loading what="customers" />
      ) : !customers.data?.items.length ? (
        <Empty>No customers yet: create the first above.</Empty>
      ) : (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Since</th>
                <th scope="col">
                  <span className="visually-hidden">Links</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {customers.data.items.map((account) => (
                <tr key={account.id}>
                  <td>{account.name}</td>
                  <td>{account.email}</td>
                  <td>{formatDate(account.createdAt)}</td>
                  <td className="links">
                    <Link to={`/licenses?customerId=${account.id}`}>Licenses</Link> <Link to={`/licenses/new?customerId=${account.id}`}>Issue a license</Link>{' '}
                    <Link to={`/events?customerId=${account.id}`}>Events</Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager cursors={cursors} nextCursor={customers.data?.nextCursor} onChange={setCursors} />
    </section>
  );
}
