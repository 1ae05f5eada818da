import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { useSession } from '../auth/session';
import type { Membership } from '../auth/session';
import { ErrorMessage } from './ui';
import { useAction } from './use-load';

/**
 * The invitations the person's verified email holds (API.md §7): none gives any right until accepted,
 * so each asks, Accept or Decline. Accepting acts through the account at once.
 */
export function InvitationsBanner() {
  const { invitations, reload, chooseAccount } = useSession();
  const { pending, error, run } = useAction();
  if (invitations.length === 0) return null;

  async function answer(invitation: Membership, verb: 'accept' | 'decline') {
    const path = { accountId: invitation.account.id };
    const done = await run(async () => {
      if (verb === 'accept') unwrap(await api.POST('/v1/me/invitations/{accountId}/accept', { params: { path } }));
      else unwrap(await api.POST('/v1/me/invitations/{accountId}/decline', { params: { path } }));
      return true;
    });
    if (!done) return;
    if (verb === 'accept') chooseAccount(invitation.account.id);
    await reload();
  }

  return (
    <section className="invitations" aria-labelledby="invitations-heading">
      <h2 id="invitations-heading">{invitations.length === 1 ? 'An invitation' : `${invitations.length} invitations`}</h2>
      <ul>
        {invitations.map((invitation) => (
          <li key={invitation.account.id}>
            <span>
              You are invited to be <strong>{invitation.role}</strong> of <strong>{invitation.account.name}</strong> ({invitation.account.kind}). Accept
              only if you expected it; as an owner you see and revoke the API keys that act for it.
            </span>
            <span className="actions">
              <button type="button" className="primary" disabled={pending} onClick={() => void answer(invitation, 'accept')} aria-label={`Accept the invitation to ${invitation.account.name}`}>
                Accept
              </button>
              <button type="button" disabled={pending} onClick={() => void answer(invitation, 'decline')} aria-label={`Decline the invitation to ${invitation.account.name}`}>
                Decline
              </button>
            </span>
          </li>
        ))}
      </ul>
      <ErrorMessage error={error} />
    </section>
  );
}
