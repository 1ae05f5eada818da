import { Link, NavLink, Navigate, Outlet, useLocation } from 'react-router';
import { useSession } from '../auth/session';
import type { Membership } from '../auth/session';
import { Loading } from './ui';

function AccountSwitcher() {
  const { me, membership, chooseAccount } = useSession();
  const memberships = me?.memberships ?? [];
  if (memberships.length < 2 || !membership) return null;
  return (
    <div className="switcher">
      <label htmlFor="account-switcher">Acting for</label>
      <select id="account-switcher" value={membership.account.id} onChange={(event) => chooseAccount(event.target.value)}>
        {memberships.map((item) => (
          <option key={item.account.id} value={item.account.id}>
            {item.account.name} ({item.account.kind}, {item.role})
          </option>
        ))}
      </select>
    </div>
  );
}

function links(membership: Membership | undefined): [string, string][] {
  if (!membership) return [['/accounts/new', 'Register an account']];
  const common: [string, string][] = [['/licenses', 'Licenses']];
  const reseller: [string, string][] = membership.account.kind === 'reseller' ? [['/customers', 'Customers'], ['/licenses/new', 'Issue a license']] : [];
  const owner: [string, string][] = membership.role === 'owner' ? [['/members', 'Members'], ['/webhooks', 'Webhooks']] : [];
  return [...common, ...reseller, ['/activate', 'Activate'], ['/offline', 'Offline activation'], ['/events', 'Events'], ...owner];
}

export function Layout() {
  const { signedIn, me, membership } = useSession();
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header>
        <Link to="/" className="brand">
          License site
        </Link>
        {signedIn && (
          <nav aria-label="Main">
            <ul>
              {links(membership).map(([to, label]) => (
                <li key={to}>
                  <NavLink to={to} end>
                    {label}
                  </NavLink>
                </li>
              ))}
            </ul>
          </nav>
        )}
        <div className="who">
          <AccountSwitcher />
          {signedIn ? (
            <>
              <span className="muted">{me?.person.email}</span>
              <Link to="/sign-out">Sign out</Link>
            </>
          ) : (
            <>
              <Link to="/sign-in">Sign in</Link>
              <Link to="/sign-up">Sign up</Link>
            </>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
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
