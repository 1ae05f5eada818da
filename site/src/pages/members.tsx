import { useState } from 'react';
import type { FormEvent } from 'react';
import { api } from '../api/client';
import type { Schemas } from '../api/client';
import { unwrap } from '../api/problem';
import { useSession } from '../auth/session';
import { ConfirmDialog, Empty, ErrorMessage, Field, formatDate, Loading, PageTitle, Pager } from '../components/ui';
import { useAction, useLoad } from '../components/use-load';

type Member = Schemas['Member'];
type Role = Member['role'];

/**
 * The acting account's members: invite by email (the person accepts on signing in), change a role in
 * place, remove. The last active owner is neither demoted nor removed: the API refuses, and says so.
 */
export function MembersPage() {
  const { membership, me, reload: reloadSession } = useSession();
  const accountId = membership?.account.id ?? '';
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const members = useLoad(
    async () => unwrap(await api.GET('/v1/accounts/{accountId}/members', { params: { path: { accountId }, query: cursor ? { cursor } : {} } })),
    [accountId, cursor],
  );
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('member');
  const [removing, setRemoving] = useState<Member>();
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
    const done = await run(async () => unwrap(await api.POST('/v1/accounts/{accountId}/members', { params: { path }, body: { email, role } })));
    if (done) {
      setEmail('');
      members.reload();
    }
  }
  async function remove(member: Member) {
    setRemoving(undefined);
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
      <ErrorMessage error={error ?? members.error} />
      {members.loading && !members.data ? (
        <Loading what="members" />
      ) : !members.data?.items.length ? (
        <Empty>No members.</Empty>
      ) : (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col">Since</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {members.data.items.map((member) => (
                <tr key={member.id}>
                  <td>{member.email}</td>
                  <td>
                    <label className="visually-hidden" htmlFor={`role-${member.id}`}>
                      Role of {member.email}
                    </label>
                    <select id={`role-${member.id}`} value={member.role} disabled={pending} onChange={(event) => void changeRole(member, event.target.value as Role)}>
                      <option value="member">member</option>
                      <option value="owner">owner</option>
                    </select>
                  </td>
                  <td>{member.status === 'active' ? 'accepted' : 'invited'}</td>
                  <td>{formatDate(member.createdAt)}</td>
                  <td>
                    <button type="button" className="danger" disabled={pending} onClick={() => setRemoving(member)} aria-label={`Remove ${member.email}`}>
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager cursors={cursors} nextCursor={members.data?.nextCursor} onChange={setCursors} />
      <ConfirmDialog
        open={removing !== undefined}
        title={`Remove ${removing?.email ?? ''}?`}
        confirmLabel="Remove"
        danger
        onConfirm={() => removing && void remove(removing)}
        onCancel={() => setRemoving(undefined)}
      >
        <p>They lose access to {membership.account.name} on their next request.</p>
      </ConfirmDialog>
    </section>
  );
}
