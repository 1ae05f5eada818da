import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { SessionProvider } from './auth/session';
import { Layout, RequireSignIn } from './components/layout';
import { ActivatePage } from './pages/activate';
import { ApiKeysPage } from './pages/api-keys';
import { ConfirmSignUpPage, ForgotPasswordPage, SignInPage, SignOutPage, SignUpPage } from './pages/auth-pages';
import { CustomersPage } from './pages/customers';
import { EventsPage } from './pages/events';
import { InstallationPage } from './pages/installation';
import { IssueLicensePage } from './pages/issue-license';
import { LicensePage } from './pages/license';
import { LicensesPage } from './pages/licenses';
import { MembersPage } from './pages/members';
import { NotFoundPage } from './pages/not-found';
import { OfflinePage } from './pages/offline';
import { OverviewPage } from './pages/overview';
import { RegisterAccountPage } from './pages/register-account';
import { WebhooksPage } from './pages/webhooks';
import './styles.css';

const router = createBrowserRouter([
  {
    element: <Layout />,
    children: [
      { path: '/sign-up', element: <SignUpPage /> },
      { path: '/sign-up/confirm', element: <ConfirmSignUpPage /> },
      { path: '/sign-in', element: <SignInPage /> },
      { path: '/sign-out', element: <SignOutPage /> },
      { path: '/forgot-password', element: <ForgotPasswordPage /> },
      // Offline activation needs no account: the request file itself is the credential.
      { path: '/offline', element: <OfflinePage /> },
      {
        element: <RequireSignIn membership={false} />,
        children: [{ path: '/accounts/new', element: <RegisterAccountPage /> }],
      },
      {
        element: <RequireSignIn />,
        children: [
          { path: '/', element: <OverviewPage /> },
          { path: '/installations/:installationId', element: <InstallationPage /> },
          { path: '/licenses', element: <LicensesPage /> },
          { path: '/licenses/new', element: <IssueLicensePage /> },
          { path: '/licenses/:licenseId', element: <LicensePage /> },
          { path: '/customers', element: <CustomersPage /> },
          { path: '/activate', element: <ActivatePage /> },
          { path: '/members', element: <MembersPage /> },
          { path: '/api-keys', element: <ApiKeysPage /> },
          { path: '/events', element: <EventsPage /> },
          { path: '/webhooks', element: <WebhooksPage /> },
        ],
      },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
]);

const root = document.getElementById('root');
if (!root) throw new TypeError('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <SessionProvider>
      <RouterProvider router={router} />
    </SessionProvider>
  </StrictMode>,
);
