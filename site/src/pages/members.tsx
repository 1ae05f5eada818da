import { useState } from 'react';
import type { FormEvent } from 'react';
import { api } from '../api/client';
import type { Schemas } from '../api/client';
import { unwrap } from '../api/problem';
import { useSession } from '../auth/session';
import { ConfirmButton } from '../components/confirm-button';
import { PagedTable } from '../components/data-table';
import { Empty, ErrorMessage, Field, formatDate, PageTitle } from '../components/ui';
import { useAction } from '../components/use-load';
import { usePagedList } from '../components/use-paged-list';

type Member = Schemas['Member'];
type Role = Member['role'];

/**
 * The acting account's members: invite by email (the person accepts on signing in), change a role in
 * place, remove. The last active owner is neither demoted nor removed: the API refuses, and says so.
 */
export function MembersPage() {
  const { membership, me, reload: reloadSession } = useSession();
  const accountId = membership?.account.id ?? '';
  const members = usePagedList(
    async (cursor) => unwrap(await api.GET('/v1/accounts/{accountId}/members', { params: { path: { accountId }, query: cursor ? { cursor } : {} } })),
    [accountId],
  );
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('member');
  const { pending, error, run } = useAction();

  if (membership?.role !== 'owner') {
    return (
      <section>
        <PageTitle title="Members">Members</PageTitle>
        <Empty>Only an owner of {membership?.account.name ?? 'the account'} manages its members.</Empty>
      </section>
    );
  }
  const path = { accountId };
  async function invite(event: FormEvent) {
    event.preventDefault();
    const done = await run(async () => unwrap(await api.POST('/v1/accounts/{accountId}/members', { params: { path }, body: { email: email.trim(), role } })));
    if (done) {
      setEmail('');
      members.reload();
    }
  }
  async function remove(member: Member) {
    const done = await run(async () => {
      unwrap(await api.DELETE('/v1/accounts/{accountId}/members/{memberId}', { params: { path: { ...path, memberId: member.id } } }));
      return true;
    });
    if (done) {
      members.reload();
      if (member.personId === me?.person.id) await reloadSession();
    }
  }
  async function changeRole(member: Member, next: Role) {
    const done = await run(async () => unwrap(await api.PATCH('/v1/accounts/{accountId}/members/{memberId}', { params: { path: { ...path, memberId: member.id } }, body: { role: next } })));
    // Refused, the select shows the role as it still is.
    members.reload();
    // Demoting oneself changes what this page and the menu offer.
    if (done && member.personId === me?.person.id) await reloadSession();
  }
  return (
    <section>
      <PageTitle title="Members">Members of {membership.account.name}</PageTitle>
      <form onSubmit={invite} aria-labelledby="invite-heading">
        <h2 id="invite-heading">Invite a person</h2>
        <div className="row">
          <Field label="Email" hint="They are invited: they see the invitation when they sign in with that email, verified, and accept it.">
            {(props) => <input {...props} type="email" required value={email} onChange={(event) => setEmail(event.target.value)} />}
          </Field>
          <Field label="Role">
            {(props) => (
              <select {...props} value={role} onChange={(event) => setRole(event.target.value as Role)}>
                <option value="member">member</option>
                <option value="owner">owner (also manages members)</option>
              </select>
            )}
          </Field>
        </div>
        <button className="primary" disabled={pending}>
          Invite
        </button>
      </form>
      <ErrorMessage error={error} fields={{ email: 'Enter the person’s email address, like it@example.com.' }} />
      <PagedTable
        list={members}
        what="members"
        empty="No members."
        rowKey={(member) => member.id}
        columns={[
          { header: 'Email', cell: (member) => member.email },
          {
            header: 'Role',
            cell: (member) => (
              <>
                <label className="visually-hidden" htmlFor={`role-${member.id}`}>
                  Role of {member.email}
                </label>
                <select id={`role-${member.id}`} value={member.role} disabled={pending} onChange={(event) => void changeRole(member, event.target.value as Role)}>
                  <option value="member">member</option>
                  <option value="owner">owner</option>
                </select>
              </>
            ),
          },
          { header: 'Status', cell: (member) => (member.status === 'active' ? 'accepted' : 'invited') },
          { header: 'Since', cell: (member) => formatDate(member.createdAt) },
          {
            header: 'Actions',
            quietHeader: true,
            cell: (member) => (
              <ConfirmButton label="Remove" accessibleLabel={`Remove ${member.email}`} title={`Remove ${member.email}?`} danger disabled={pending} onConfirm={() => void remove(member)}>
                <p>They lose access to {membership.account.name} on their next request.</p>
              </ConfirmButton>
            ),
          },
        ]}
      />
    </section>
  );
}
