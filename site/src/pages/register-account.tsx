import { useState } from 'react';
import type { FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { useSession } from '../auth/session';
import { useAction } from '../components/use-load';
import { Empty, ErrorMessage, Field, PageTitle } from '../components/ui';

/** Registration on the site: a customer account with the signed-in person as its owner. */
export function RegisterAccountPage() {
  const navigate = useNavigate();
  const { me, memberships, reload, chooseAccount } = useSession();
  const [name, setName] = useState('');
  const { pending, error, run } = useAction();
  async function submit(event: FormEvent) {
    event.preventDefault();
    const answer = await run(async () => unwrap(await api.POST('/v1/me/accounts', { body: { name: name.trim() } })));
    if (!answer) return;
    chooseAccount(answer.account.id);
    await reload();
    navigate('/');
  }
  return (
    <section className="narrow">
      <PageTitle title="Register an account">Register an account</PageTitle>
      {me && memberships.length === 0 && (
        <Empty>
          You are not a member of any account yet. If your reseller or vendor set one up for {me.person.email}, its invitation appears above once your email is
          verified: accept it there. Or register your own:
        </Empty>
      )}
      <form onSubmit={submit}>
        <Field label="Company name" hint="As your invoices name it; 200 characters at most.">
          {(props) => <input {...props} required maxLength={200} autoComplete="organization" value={name} onChange={(event) => setName(event.target.value)} />}
        </Field>
        <ErrorMessage error={error} fields={{ name: 'Enter a company name, of 1 to 200 characters (letters, digits, spaces, punctuation).' }} />
        <button className="primary" disabled={pending}>
          Register
        </button>
      </form>
    </section>
  );
}
