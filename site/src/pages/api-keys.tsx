import { useState } from 'react';
import { api } from '../api/client';
import type { Schemas } from '../api/client';
import { unwrap } from '../api/problem';
import { useSession } from '../auth/session';
import { ShownOnce } from '../components/secret';
import { ConfirmButton } from '../components/confirm-button';
import { PagedTable } from '../components/data-table';
import { Empty, ErrorMessage, formatDate, formatTime, PageTitle } from '../components/ui';
import { useAction } from '../components/use-load';
import { usePagedList } from '../components/use-paged-list';

type ApiKey = Schemas['ApiKey'];

/**
 * The API keys that act for the acting account (API.md §7), for its owners: each by its prefix, when it
 * was made and last used; a new one shown once; a revoked one refused within a minute. Whoever set the
 * account up may hold one: an owner who does not know a key revokes it.
 */
export function ApiKeysPage() {
  const { membership } = useSession();
  const accountId = membership?.account.id ?? '';
  const keys = usePagedList(
    async (cursor) => unwrap(await api.GET('/v1/accounts/{accountId}/api-keys', { params: { path: { accountId }, query: cursor ? { cursor } : {} } })),
    [accountId],
  );
  const [created, setCreated] = useState<string>();
  const { pending, error, run } = useAction();

  if (membership?.role !== 'owner') {
    return (
      <section>
        <PageTitle title="API keys">API keys</PageTitle>
        <Empty>Only an owner of {membership?.account.name ?? 'the account'} manages its API keys.</Empty>
      </section>
    );
  }
  const path = { accountId };
  async function add() {
    const answer = await run(async () => unwrap(await api.POST('/v1/accounts/{accountId}/api-keys', { params: { path } })));
    if (!answer) return;
    setCreated(answer.key);
    keys.reload();
  }
  async function revoke(key: ApiKey) {
    const done = await run(async () => {
      unwrap(await api.DELETE('/v1/accounts/{accountId}/api-keys/{keyId}', { params: { path: { ...path, keyId: key.id } } }));
      return true;
    });
    if (done) keys.reload();
  }
  return (
    <section>
      <PageTitle title="API keys">API keys of {membership.account.name}</PageTitle>
      <p className="muted">
        Each key acts for {membership.account.name} with its rights. Revoke any key you do not know: it is refused everywhere within a minute. An account keeps
        at most 5 keys.
      </p>
      <div className="actions">
        <button type="button" className="primary" disabled={pending} onClick={() => void add()}>
          Add a key
        </button>
      </div>
      {created && <ShownOnce label="The new API key" value={created} />}
      <ErrorMessage error={error} />
      <PagedTable
        list={keys}
        what="API keys"
        empty="No API key acts for this account."
        rowKey={(key) => key.id}
        columns={[
          { header: 'Key', cell: (key) => <code>{key.prefix}…</code> },
          { header: 'Added', cell: (key) => formatDate(key.createdAt) },
          { header: 'Last used', cell: (key) => (key.lastUsedAt ? formatTime(key.lastUsedAt) : 'never') },
          {
            header: 'Actions',
            quietHeader: true,
            cell: (key) => (
              <ConfirmButton label="Revoke" accessibleLabel={`Revoke ${key.prefix}`} title={`Revoke ${key.prefix}…?`} danger disabled={pending} onConfirm={() => void revoke(key)}>
                <p>Whatever uses this key is refused within a minute. This cannot be undone: add a new key to replace it.</p>
              </ConfirmButton>
            ),
          },
        ]}
      />
    </section>
  );
}
