import { useEffect, useState } from 'react';
import { Link, NavLink, Navigate, Outlet, useLocation } from 'react-router';
import { useSession } from '../auth/session';
import type { Membership } from '../auth/session';
import { InvitationsBanner } from './invitations';
import { Loading } from './ui';

/** "Contoso Ltd (customer, owner) · acc_01J…": an account named so that two of the same name differ. */
export function membershipLabel(membership: Membership): string {
  return `${membership.account.name} (${membership.account.kind}, ${membership.role}) · ${membership.account.id}`;
}

/** Where a signed-in person is, on every page: the account acting, its id, and the switch to another. */
function ActingAccount() {
  const { memberships, membership, chooseAccount } = useSession();
  if (!membership) return null;
  return (
    <div className="acting" data-testid="acting-account">
      {memberships.length < 2 ? (
        <p>
          Acting for <strong>{membership.account.name}</strong> <span className="muted">({membership.account.kind} account, you are {membership.role === 'owner' ? 'an owner' : 'a member'})</span>{' '}
          <code>{membership.account.id}</code>
        </p>
      ) : (
        <div className="switcher">
          <label htmlFor="account-switcher">Acting for</label>
          <select id="account-switcher" value={membership.account.id} onChange={(event) => chooseAccount(event.target.value)}>
            {memberships.map((item) => (
              <option key={item.account.id} value={item.account.id}>
                {membershipLabel(item)}
              </option>
            ))}
          </select>
        </div>
      )}
    </div>
  );
}

function links(membership: Membership | undefined): [string, string][] {
  if (!membership) return [['/accounts/new', 'Register an account']];
  const common: [string, string][] = [['/', 'Overview'], ['/licenses', 'Licenses']];
  const reseller: [string, string][] = membership.account.kind === 'reseller' ? [['/customers', 'Customers'], ['/licenses/new', 'Issue a license']] : [];
  const owner: [string, string][] = membership.role === 'owner' ? [['/members', 'Members'], ['/api-keys', 'API keys'], ['/webhooks', 'Webhooks']] : [];
  return [...common, ...reseller, ['/activate', 'Activate'], ['/offline', 'Offline activation'], ['/events', 'Events'], ...owner];
}

export function Layout() {
  const { signedIn, me, membership } = useSession();
  const location = useLocation();
  // On a phone the menu folds away behind one button, and folds again once a page is chosen.
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => setMenuOpen(false), [location.pathname]);
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header>
        <div className="bar">
          <Link to="/" className="brand">
            License site
          </Link>
          <button type="button" className="menu-toggle" aria-expanded={menuOpen} aria-controls="site-menu" onClick={() => setMenuOpen((open) => !open)}>
            Menu
          </button>
        </div>
        <div id="site-menu" className={menuOpen ? 'menu open' : 'menu'}>
          {signedIn && (
            <nav aria-label="Main">
              <ul>
                {links(membership).map(([to, label]) => (
                  <li key={to}>
                    <NavLink to={to} end onClick={() => setMenuOpen(false)}>
                      {label}
                    </NavLink>
                  </li>
                ))}
              </ul>
            </nav>
          )}
          <div className="who">
            {signedIn ? (
              <>
                <span className="muted">{me?.person.email}</span>
                <Link to="/sign-out">Sign out</Link>
              </>
            ) : (
              <>
                <Link to="/sign-in">Sign in</Link>
                <Link to="/sign-up">Sign up</Link>
                <Link to="/offline">Offline activation</Link>
              </>
            )}
          </div>
        </div>
        {signedIn && <ActingAccount />}
      </header>
      <main id="main" tabIndex={-1}>
        {signedIn && <InvitationsBanner />}
        <Outlet />
      </main>
    </>
  );
}

/** Pages for signed-in persons: anyone else is sent to sign in and brought back afterwards. */
export function RequireSignIn({ membership: needsMembership = true }: { membership?: boolean }) {
  const { signedIn, me, membership, loading } = useSession();
  const location = useLocation();
  if (!signedIn) return <Navigate to={`/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  if (!me || loading) return <Loading what="your accounts" />;
  if (needsMembership && !membership) return <Navigate to="/accounts/new" replace />;
  return <Outlet />;
}
