import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import { api, useCredentials } from '../api/client';
import type { Schemas } from '../api/client';
import { unwrap } from '../api/problem';
import * as directory from './directory';
import type { Tokens } from './directory';

export type Me = Schemas['MeResult'];
export type Membership = Me['memberships'][number];

const tokensKey = 'license-site.tokens';
const accountKey = 'license-site.account';

// The tab's session only: closing the tab signs out, and no other site can read it (strict CSP, no inline scripts).
function storedTokens(): Tokens | undefined {
  const text = sessionStorage.getItem(tokensKey);
  if (!text) return undefined;
  try {
    return JSON.parse(text) as Tokens;
  } catch {
    return undefined;
  }
}

function store(tokens: Tokens | undefined): void {
  if (tokens) sessionStorage.setItem(tokensKey, JSON.stringify(tokens));
  else sessionStorage.removeItem(tokensKey);
}

let pendingRefresh: Promise<Tokens> | undefined;

/** A token valid for at least another minute, refreshed once for every caller waiting on it. */
async function currentAccessToken(): Promise<string | undefined> {
  const tokens = storedTokens();
  if (!tokens) return undefined;
  if (tokens.expiresAt - Date.now() > 60_000) return tokens.accessToken;
  pendingRefresh ??= directory.refresh(tokens.refreshToken).finally(() => (pendingRefresh = undefined));
  try {
    const next = await pendingRefresh;
    store(next);
    return next.accessToken;
  } catch {
    store(undefined);
    return undefined;
  }
}

interface Session {
  readonly signedIn: boolean;
  readonly me: Me | undefined;
  /** The memberships the person accepted: what it may act through. */
  readonly memberships: readonly Membership[];
  /** The invitations its verified email holds, which give nothing until accepted. */
  readonly invitations: readonly Membership[];
  /** The membership requests act through, when the person has any. */
  readonly membership: Membership | undefined;
  readonly loading: boolean;
  signIn(email: string, password: string): Promise<void>;
  signOut(): Promise<void>;
  chooseAccount(accountId: string): void;
  reload(): Promise<void>;
}

const SessionContext = createContext<Session | undefined>(undefined);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [signedIn, setSignedIn] = useState(() => storedTokens() !== undefined);
  const [me, setMe] = useState<Me>();
  const [accountId, setAccountId] = useState(() => sessionStorage.getItem(accountKey) ?? undefined);
  const [loading, setLoading] = useState(signedIn);

  useEffect(() => {
    useCredentials({ accessToken: currentAccessToken, accountId: () => sessionStorage.getItem(accountKey) ?? undefined });
  }, []);

  const reload = useCallback(async () => {
    if (!storedTokens()) {
      setMe(undefined);
      setSignedIn(false);
      return;
    }
    setLoading(true);
    try {
      const next = unwrap(await api.GET('/v1/me'));
      setMe(next);
    } catch {
      // An ended session (refused token) shows the sign-in page rather than an error.
      store(undefined);
      setSignedIn(false);
      setMe(undefined);
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    if (signedIn) void reload();
  }, [signedIn, reload]);

  const chooseAccount = useCallback((id: string) => {
    sessionStorage.setItem(accountKey, id);
    setAccountId(id);
  }, []);

  const memberships = useMemo(() => (me?.memberships ?? []).filter((item) => item.status === 'active'), [me]);
  const invitations = useMemo(() => (me?.memberships ?? []).filter((item) => item.status === 'invited'), [me]);
  const membership = memberships.find((item) => item.account.id === accountId) ?? memberships[0];
  // A person with one membership needs no choice; the header is still sent so answers never depend on it.
  useEffect(() => {
    if (membership && membership.account.id !== accountId) chooseAccount(membership.account.id);
  }, [membership, accountId, chooseAccount]);

  const value = useMemo<Session>(
    () => ({
      signedIn,
      me,
      memberships,
      invitations,
      membership,
      loading,
      async signIn(email, password) {
        store(await directory.signIn(email, password));
        setSignedIn(true);
      },
      async signOut() {
        const token = await currentAccessToken();
        store(undefined);
        sessionStorage.removeItem(accountKey);
        setAccountId(undefined);
        setSignedIn(false);
        setMe(undefined);
        if (token) await directory.globalSignOut(token).catch(() => undefined);
      },
      chooseAccount,
      reload,
    }),
    [signedIn, me, memberships, invitations, membership, loading, chooseAccount, reload],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new TypeError('useSession outside SessionProvider');
  return session;
}
