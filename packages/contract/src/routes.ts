/**
 * Every route of the contract, as data. The local server, the CDK stack, the OpenAPI document
 * and the authorization tests all read this one table, so a route cannot exist in one place only.
 */

/** Who may call a route; `anonymous` means no credential is needed. */
export type PrincipalKind = 'ops' | 'reseller' | 'customer' | 'installation' | 'person' | 'anonymous';

/**
 * How a route authenticates its caller.
 * - `none`: nobody needs to.
 * - `iam`: ops only. On AWS API Gateway checks SigV4; locally `Authorization: Bearer $OPS_API_KEY` stands in.
 * - `api-key`: an account's (or the ops) API key, or a person's access token from the user directory,
 *   resolved by the API Gateway Lambda authorizer on AWS and by the same code in-process locally.
 * - `installation`: a DPoP proof, verified by the handler.
 * - `installation-or-api-key`: either of the two, verified by the handler (API Gateway cannot express "or").
 */
export type Authentication = 'none' | 'iam' | 'api-key' | 'installation' | 'installation-or-api-key';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteDefinition {
  readonly id: string;
  readonly method: HttpMethod;
  /** API Gateway resource path: `{name}` marks a path parameter. */
  readonly path: string;
  /** Folder under `functions/` whose `handler` serves this route. */
  readonly function: string;
  readonly authentication: Authentication;
  /** Principal kinds allowed to call; any other authenticated caller gets 403, an anonymous one 401. */
  readonly allow: readonly PrincipalKind[];
  /** Accounts whose API key may accompany an installation's proof (activation on a customer's behalf). */
  readonly onBehalfOf?: readonly PrincipalKind[];
  /**
   * A person calls as one of its memberships (`Account-Id`), with that account's rights. Implied
   * wherever a customer or reseller may call; person routes that need an account say so.
   */
  readonly throughMembership?: boolean;
  readonly summary: string;
  /** For an ops twin under `/v1/admin/`: the route it mirrors, whose handler, body and answers it shares. */
  readonly twinOf?: string;
}

const accounts: readonly PrincipalKind[] = ['ops', 'reseller', 'customer'];

const declaredRoutes = [
  { id: 'health', method: 'GET', path: '/health', function: 'health', authentication: 'none', allow: ['anonymous'], summary: 'Liveness and table reachability' },
  { id: 'jwks', method: 'GET', path: '/.well-known/jwks.json', function: 'public-documents', authentication: 'none', allow: ['anonymous'], summary: 'Public keys that verify license tokens' },
  { id: 'openapi', method: 'GET', path: '/openapi.json', function: 'public-documents', authentication: 'none', allow: ['anonymous'], summary: 'This API as an OpenAPI document' },
  { id: 'registerAccount', method: 'POST', path: '/v1/accounts/register', function: 'register-account', authentication: 'none', allow: ['anonymous'], summary: 'Register a customer account' },
  { id: 'createReseller', method: 'POST', path: '/v1/admin/resellers', function: 'create-reseller', authentication: 'iam', allow: ['ops'], summary: 'Create a reseller account' },
  { id: 'addAssociation', method: 'POST', path: '/v1/admin/associations', function: 'add-association', authentication: 'iam', allow: ['ops'], summary: 'Associate a customer with a reseller' },
  { id: 'removeAssociation', method: 'DELETE', path: '/v1/admin/associations/{resellerId}/{customerId}', function: 'remove-association', authentication: 'iam', allow: ['ops'], summary: 'Remove a reseller–customer association' },
  { id: 'createCustomer', method: 'POST', path: '/v1/customers', function: 'create-customer', authentication: 'api-key', allow: ['reseller'], summary: 'Create a customer associated with the calling reseller' },
  { id: 'listCustomers', method: 'GET', path: '/v1/customers', function: 'list-customers', authentication: 'api-key', allow: ['reseller', 'ops'], summary: 'List the customers the caller manages' },
  { id: 'listCustomerEvents', method: 'GET', path: '/v1/customers/{customerId}/events', function: 'list-events', authentication: 'api-key', allow: accounts, summary: "List a customer's audit events, newest first" },
  { id: 'issueLicense', method: 'POST', path: '/v1/licenses', function: 'issue-license', authentication: 'api-key', allow: ['reseller', 'ops'], summary: 'Issue a license key' },
  { id: 'listLicenses', method: 'GET', path: '/v1/licenses', function: 'list-licenses', authentication: 'api-key', allow: accounts, summary: 'List licenses' },
  { id: 'getLicense', method: 'GET', path: '/v1/licenses/{licenseId}', function: 'get-license', authentication: 'api-key', allow: accounts, summary: 'Get a license' },
  { id: 'suspendLicense', method: 'POST', path: '/v1/licenses/{licenseId}/suspend', function: 'change-license-status', authentication: 'api-key', allow: ['reseller', 'ops'], summary: 'Suspend a license' },
  { id: 'reinstateLicense', method: 'POST', path: '/v1/licenses/{licenseId}/reinstate', function: 'change-license-status', authentication: 'api-key', allow: ['reseller', 'ops'], summary: 'Reinstate a suspended license' },
  { id: 'revokeLicense', method: 'POST', path: '/v1/licenses/{licenseId}/revoke', function: 'change-license-status', authentication: 'api-key', allow: ['reseller', 'ops'], summary: 'Revoke a license (final)' },
  { id: 'listLicenseEvents', method: 'GET', path: '/v1/licenses/{licenseId}/events', function: 'list-events', authentication: 'api-key', allow: accounts, summary: "List a license's audit events, newest first" },
  { id: 'listLicenseInstallations', method: 'GET', path: '/v1/licenses/{licenseId}/installations', function: 'list-license-installations', authentication: 'api-key', allow: accounts, summary: 'List the installations holding a license, with their mode' },
  { id: 'startTrial', method: 'POST', path: '/v1/trials', function: 'start-trial', authentication: 'installation', allow: ['installation'], summary: 'Start (or resume) the trial of an installation' },
  { id: 'activate', method: 'POST', path: '/v1/activations', function: 'activate', authentication: 'installation', allow: ['installation'], onBehalfOf: accounts, summary: 'Activate a license on an installation' },
  { id: 'heartbeat', method: 'POST', path: '/v1/installations/{installationId}/heartbeat', function: 'heartbeat', authentication: 'installation', allow: ['installation'], summary: 'Report usage and get a fresh license token' },
  { id: 'releaseActivation', method: 'DELETE', path: '/v1/installations/{installationId}/activations/{licenseId}', function: 'release-activation', authentication: 'installation-or-api-key', allow: ['installation', ...accounts], summary: 'Release an activation and free its slot' },
  { id: 'getInstallation', method: 'GET', path: '/v1/installations/{installationId}', function: 'get-installation', authentication: 'installation-or-api-key', allow: ['installation', ...accounts], summary: "Read an installation; to the installation itself, its license state with a fresh token" },
  { id: 'restoreInstallation', method: 'POST', path: '/v1/installations/{installationId}/restore', function: 'get-installation', authentication: 'api-key', allow: accounts, summary: "A token for a server rebuilt from nothing with the installation's key (a fork)" },
  { id: 'clearClone', method: 'POST', path: '/v1/installations/{installationId}/clear-clone', function: 'get-installation', authentication: 'api-key', allow: ['ops', 'reseller'], summary: "Forget an installation's detected clone" },
  { id: 'getLicenseUsage', method: 'GET', path: '/v1/licenses/{licenseId}/usage', function: 'usage-insights', authentication: 'api-key', allow: accounts, summary: "A license's daily usage history" },
  { id: 'getInstallationUsage', method: 'GET', path: '/v1/installations/{installationId}/usage', function: 'usage-insights', authentication: 'installation-or-api-key', allow: ['installation', ...accounts], summary: "An installation's daily usage history" },
  { id: 'getInsights', method: 'GET', path: '/v1/insights', function: 'usage-insights', authentication: 'api-key', allow: accounts, summary: "The figures of the caller's licenses and installations, or of one customer's" },
  { id: 'setBudget', method: 'PUT', path: '/v1/admin/resellers/{resellerId}/budgets/{productId}/{type}', function: 'set-budget', authentication: 'iam', allow: ['ops'], summary: "Set a reseller's budget for a product and license type" },
  { id: 'listBudgets', method: 'GET', path: '/v1/resellers/{resellerId}/budgets', function: 'list-budgets', authentication: 'api-key', allow: ['reseller', 'ops'], summary: "List a reseller's budgets" },
  { id: 'offlineActivate', method: 'POST', path: '/v1/offline-activations', function: 'offline-activate', authentication: 'none', allow: ['anonymous'], summary: 'Exchange an offline request file for a license file' },
  { id: 'signInConfig', method: 'GET', path: '/v1/sign-in-config', function: 'public-documents', authentication: 'none', allow: ['anonymous'], summary: 'What a site or CLI needs to sign a person in to the user directory' },
  { id: 'getMe', method: 'GET', path: '/v1/me', function: 'people', authentication: 'api-key', allow: ['person'], summary: 'The signed-in person and their memberships' },
  { id: 'createMyAccount', method: 'POST', path: '/v1/me/accounts', function: 'people', authentication: 'api-key', allow: ['person'], summary: 'Register a customer account owned by the signed-in person' },
  { id: 'acceptInvitation', method: 'POST', path: '/v1/me/invitations/{accountId}/accept', function: 'people', authentication: 'api-key', allow: ['person'], summary: "Accept an invitation to an account's membership" },
  { id: 'declineInvitation', method: 'POST', path: '/v1/me/invitations/{accountId}/decline', function: 'people', authentication: 'api-key', allow: ['person'], summary: "Decline an invitation to an account's membership" },
  { id: 'listMembers', method: 'GET', path: '/v1/accounts/{accountId}/members', function: 'members', authentication: 'api-key', allow: ['ops', 'person'], summary: "List an account's members" },
  { id: 'addMember', method: 'POST', path: '/v1/accounts/{accountId}/members', function: 'members', authentication: 'api-key', allow: ['ops', 'person'], summary: 'Add a member to an account' },
  { id: 'changeMemberRole', method: 'PATCH', path: '/v1/accounts/{accountId}/members/{memberId}', function: 'members', authentication: 'api-key', allow: ['ops', 'person'], summary: "Change a member's role in place" },
  { id: 'removeMember', method: 'DELETE', path: '/v1/accounts/{accountId}/members/{memberId}', function: 'members', authentication: 'api-key', allow: ['ops', 'person'], summary: 'Remove a member from an account' },
  { id: 'listApiKeys', method: 'GET', path: '/v1/accounts/{accountId}/api-keys', function: 'members', authentication: 'api-key', allow: ['ops', 'person'], summary: "List the API keys that act for an account" },
  { id: 'createApiKey', method: 'POST', path: '/v1/accounts/{accountId}/api-keys', function: 'members', authentication: 'api-key', allow: ['ops', 'person'], summary: 'Add an API key to an account (shown once)' },
  { id: 'revokeApiKey', method: 'DELETE', path: '/v1/accounts/{accountId}/api-keys/{keyId}', function: 'members', authentication: 'api-key', allow: ['ops', 'person'], summary: "Revoke one of an account's API keys" },
  { id: 'startDeviceAuthorization', method: 'POST', path: '/v1/device-authorizations', function: 'device-authorizations', authentication: 'installation', allow: ['installation'], summary: 'Ask for a user code to activate by signing in (RFC 8628)' },
  { id: 'deviceToken', method: 'POST', path: '/v1/device-authorizations/token', function: 'device-authorizations', authentication: 'installation', allow: ['installation'], summary: 'Collect the activation a person approved' },
  { id: 'getDeviceAuthorization', method: 'GET', path: '/v1/device-authorizations/{userCode}', function: 'device-approvals', authentication: 'api-key', allow: ['person'], summary: 'What a user code asks to activate' },
  { id: 'approveDeviceAuthorization', method: 'POST', path: '/v1/device-authorizations/{userCode}/approve', function: 'device-approvals', authentication: 'api-key', allow: ['person'], throughMembership: true, summary: 'Approve a sign-in activation with a license' },
  { id: 'denyDeviceAuthorization', method: 'POST', path: '/v1/device-authorizations/{userCode}/deny', function: 'device-approvals', authentication: 'api-key', allow: ['person'], summary: 'Deny a sign-in activation' },
  // Webhooks (API.md §9): the acting account's endpoints (ops: the vendor-wide ones); a person acts through an owner membership only.
  { id: 'createWebhookEndpoint', method: 'POST', path: '/v1/webhook-endpoints', function: 'webhooks', authentication: 'api-key', allow: accounts, summary: 'Add a webhook endpoint (its signing secret is shown only here)' },
  { id: 'listWebhookEndpoints', method: 'GET', path: '/v1/webhook-endpoints', function: 'webhooks', authentication: 'api-key', allow: accounts, summary: "List the acting account's webhook endpoints (ops: the vendor-wide ones)" },
  { id: 'getWebhookEndpoint', method: 'GET', path: '/v1/webhook-endpoints/{endpointId}', function: 'webhooks', authentication: 'api-key', allow: accounts, summary: 'Get a webhook endpoint' },
  { id: 'updateWebhookEndpoint', method: 'PATCH', path: '/v1/webhook-endpoints/{endpointId}', function: 'webhooks', authentication: 'api-key', allow: accounts, summary: 'Change a webhook endpoint: URL, event types, description, enabled' },
  { id: 'deleteWebhookEndpoint', method: 'DELETE', path: '/v1/webhook-endpoints/{endpointId}', function: 'webhooks', authentication: 'api-key', allow: accounts, summary: 'Delete a webhook endpoint: nothing more is sent to it' },
  { id: 'rotateWebhookSecret', method: 'POST', path: '/v1/webhook-endpoints/{endpointId}/rotate-secret', function: 'webhooks', authentication: 'api-key', allow: accounts, summary: 'Rotate the signing secret (the old one signs beside it for 24 hours)' },
  { id: 'testWebhookEndpoint', method: 'POST', path: '/v1/webhook-endpoints/{endpointId}/test', function: 'webhooks', authentication: 'api-key', allow: accounts, summary: 'Send a webhook.test event to the endpoint' },
  { id: 'listWebhookDeliveries', method: 'GET', path: '/v1/webhook-endpoints/{endpointId}/deliveries', function: 'webhooks', authentication: 'api-key', allow: accounts, summary: "List an endpoint's deliveries of the last 30 days, newest first" },
  { id: 'retryWebhookDelivery', method: 'POST', path: '/v1/webhook-endpoints/{endpointId}/deliveries/{deliveryId}/retry', function: 'webhooks', authentication: 'api-key', allow: accounts, summary: 'One more attempt of a delivery, now' },
  { id: 'recoverWebhookDeliveries', method: 'POST', path: '/v1/webhook-endpoints/{endpointId}/recover', function: 'webhooks', authentication: 'api-key', allow: accounts, summary: 'Send again what the endpoint should have received since a moment and did not' },
] as const satisfies readonly RouteDefinition[];

type DeclaredRoute = (typeof declaredRoutes)[number];
/** Routes ops share with other principals through an API key, which ops do not hold on AWS. */
type Twinned<R extends DeclaredRoute> = R extends { authentication: 'iam' | 'none' } ? never : 'ops' extends R['allow'][number] ? R : never;
type TwinId = `admin${Capitalize<Twinned<DeclaredRoute>['id']>}`;
type TwinRoute = RouteDefinition & { readonly id: TwinId; readonly function: DeclaredRoute['function']; readonly twinOf: DeclaredRoute['id'] };

const hasOpsTwin = (route: RouteDefinition): boolean => route.authentication !== 'iam' && route.authentication !== 'none' && route.allow.includes('ops');

/**
 * Section 2: on AWS ops authenticate with IAM (SigV4) only, so every route ops share with other
 * principals has a twin under `/v1/admin/` (`POST /v1/licenses` → `POST /v1/admin/licenses`): the same
 * handler, body and answers, for ops alone. Locally `$OPS_API_KEY` works on both.
 */
function opsTwin(route: DeclaredRoute): TwinRoute {
  return {
    id: `admin${route.id.charAt(0).toUpperCase()}${route.id.slice(1)}` as TwinId,
    method: route.method,
    path: `/v1/admin${route.path.slice('/v1'.length)}`,
    function: route.function,
    authentication: 'iam',
    allow: ['ops'],
    summary: `${route.summary} (ops, IAM)`,
    twinOf: route.id,
  };
}

export type Route = (DeclaredRoute & { readonly twinOf?: undefined }) | TwinRoute;

export const routes: readonly Route[] = [...declaredRoutes, ...declaredRoutes.filter(hasOpsTwin).map(opsTwin)];

export type RouteId = (typeof routes)[number]['id'];
/** The routes written out above, without their ops twins. */
export type DeclaredRouteId = DeclaredRoute['id'];

const byId = new Map<string, RouteDefinition>(routes.map((route) => [route.id, route]));

export function routeById(id: RouteId): RouteDefinition {
  const route = byId.get(id);
  if (!route) throw new TypeError(`unknown route ${id}`);
  return route;
}

/** The route an API Gateway event was sent to, by its resource template and method. */
export function findRoute(method: string, resource: string): RouteDefinition | undefined {
  return routes.find((route) => route.method === method && route.path === resource);
}
