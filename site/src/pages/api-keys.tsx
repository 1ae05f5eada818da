import { useState } from 'react';
import { api } from '../api/client';
import type { Schemas } from '../api/client';
import { unwrap } from '../api/problem';
import { useSession } from '../auth/session';
import { ShownOnce } from '../components/secret';
import { ConfirmDialog, Empty, ErrorMessage, formatDate, formatTime, Loading, PageTitle, Pager } from '../components/ui';
import { useAction, useLoad } from '../components/use-load';

type ApiKey = Schemas['ApiKey'];

/**
 * The API keys that act for the acting account (API.md §7), for its owners: each by its prefix, when it
 * was made and last used; a new one shown once; a revoked one refused within a minute. Whoever set the
 * account up may hold one: an owner who does not know a key revokes it.
 */
export function ApiKeysPage() {
  const { membership } = useSession();
  const accountId = membership?.account.id ?? '';
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const keys = useLoad(
    async () => unwrap(await api.GET('/v1/accounts/{accountId}/api-keys', { params: { path: { accountId }, query: cursor ? { cursor } : {} } })),
    [accountId, cursor],
  );
  const [created, setCreated] = useState<string>();
  const [revoking, setRevoking] = useState<ApiKey>();
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
    setRevoking(undefined);
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
      <ErrorMessage error={error ?? keys.error} />
      {keys.loading && !keys.data ? (
        <Loading what="API keys" />
      ) : !keys.data?.items.length ? (
        <Empty>No API key acts for this account.</Empty>
      ) : (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Added</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.data.items.map((key) => (
                <tr key={key.id}>
                  <td>
                    <code>{key.prefix}…</code>
                  </td>
                  <td>{formatDate(key.createdAt)}</td>
                  <td>{key.lastUsedAt ? formatTime(key.lastUsedAt) : 'never'}</td>
                  <td>
                    <button type="button" className="danger" disabled={pending} onClick={() => setRevoking(key)} aria-label={`Revoke ${key.prefix}`}>
                      Revoke
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager cursors={cursors} nextCursor={keys.data?.nextCursor} onChange={setCursors} />
      <ConfirmDialog
        open={revoking !== undefined}
        title={`Revoke ${revoking?.prefix ?? ''}…?`}
        confirmLabel="Revoke"
        danger
        onConfirm={() => revoking && void revoke(revoking)}
        onCancel={() => setRevoking(undefined)}
      >
        <p>Whatever uses this key is refused within a minute. This cannot be undone: add a new key to replace it.</p>
      </ConfirmDialog>
    </section>
  );
}
