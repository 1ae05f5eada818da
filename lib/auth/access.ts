import type * as z from 'zod/mini';
import { problem } from '@license-activation/contract/problem';
import type { ProblemError } from '@license-activation/contract/problem';
import type { routeRequests } from '@license-activation/contract/requests';
import type { RouteRequest } from '@license-activation/contract/route-request';
import { routeById } from '@license-activation/contract/routes';
import type { DeclaredRouteId, PrincipalKind, RouteDefinition, RouteId } from '@license-activation/contract/routes';
import type { Account, MemberRole } from '@license-activation/contract/schemas';
import type { InstallationRecord } from '../data/installations.js';
import type { LicenseRecord } from '../data/licenses.js';
import { partitions } from '../data/keys.js';
import type { WebhookEndpointRecord } from '../data/webhook-endpoints.js';
import type { Caller } from './principal.js';

/**
 * The one place where the service decides who may do what (docs/ARCHITECTURE.md, "Access"). Every
 * route declares its access below (a route without a declaration is a compile error), and
 * `httpHandler` applies the declaration before the route's action runs, so no handler can forget a
 * check: `decide(caller, route, resource)` answers allow, or the refusal as a value — 401 without a
 * credential, 403 for a known caller outside its rights, 404 for what the caller may not see (ids
 * cannot be probed). Decisions are pure: the facts they need about a resource (the license, whether
 * the calling reseller manages its customer, the calling person's role in an account) are read
 * beforehand by `loadResource` (./access-facts.ts).
 */

/** What a refused request answers; `allow` lets the route's action run. */
export type Decision =
  | { readonly outcome: 'allow' }
  | { readonly outcome: 'unauthenticated'; readonly code: 'UNAUTHENTICATED'; readonly detail: string }
  | { readonly outcome: 'forbidden'; readonly code: 'FORBIDDEN'; readonly detail: string }
  | { readonly outcome: 'not-found'; readonly code: 'NOT_FOUND' | 'LICENSE_NOT_FOUND'; readonly detail: string };

const allow: Decision = { outcome: 'allow' };
const unauthenticated = (detail: string): Decision => ({ outcome: 'unauthenticated', code: 'UNAUTHENTICATED', detail });
const forbidden = (detail: string): Decision => ({ outcome: 'forbidden', code: 'FORBIDDEN', detail });
const notFound = (detail: string, code: 'NOT_FOUND' | 'LICENSE_NOT_FOUND' = 'NOT_FOUND'): Decision => ({ outcome: 'not-found', code, detail });

/** The kinds of resource a request can name, each with the facts its rules read. */
export type ResourceKind = 'customer' | 'license' | 'installation' | 'installationIssuers' | 'account' | 'reseller' | 'webhookEndpoint';

/** A resource a request names, before anything is read. */
export interface ResourceRef {
  readonly kind: ResourceKind;
  readonly id: string;
}

/**
 * A resource with the facts about it that decide its access. `managed`: the calling reseller is
 * associated with the resource's customer; `role`: the calling person's active membership of the
 * account. A fact that does not matter for the caller is not read, and stays absent.
 */
export type Resource =
  /** The request names no resource: its route's principals alone decide, and its domain scopes what they see. */
  | { readonly kind: 'none' }
  | { readonly kind: 'customer'; readonly id: string; readonly isCustomer?: boolean; readonly managed?: boolean }
  | { readonly kind: 'license'; readonly id: string; readonly license?: LicenseRecord; readonly managed?: boolean }
  | { readonly kind: 'installation'; readonly id: string; readonly installation?: InstallationRecord; readonly managed?: boolean }
  /** An installation with `issuers`: the resellers that issued the licenses it holds, read for the calling reseller that manages its customer. */
  | { readonly kind: 'installationIssuers'; readonly id: string; readonly installation?: InstallationRecord; readonly managed?: boolean; readonly issuers?: readonly string[] }
  /** `role`: of the calling person's accepted membership; an invitation gives none. */
  | { readonly kind: 'account'; readonly id: string; readonly account?: Account; readonly role?: MemberRole }
  | { readonly kind: 'reseller'; readonly id: string; readonly account?: Account }
  /** `endpoint`: as read in the partition of the owner the caller acts as (ops: the vendor); absent there, it is not the caller's. */
  | { readonly kind: 'webhookEndpoint'; readonly id: string; readonly endpoint?: WebhookEndpointRecord };

type Of<K extends Resource['kind']> = Extract<Resource, { kind: K }>;

/** Reads a resource with its facts for a caller (./access-facts.ts). */
export type ResourceLoader = (caller: Caller, ref: ResourceRef) => Promise<Resource>;

/** What the route's action receives once the decision allowed it: the resource as it was read. */
export interface Granted {
  readonly none: undefined;
  readonly customer: { readonly id: string };
  readonly license: LicenseRecord;
  readonly installation: InstallationRecord;
  readonly installationIssuers: InstallationRecord;
  readonly account: Account;
  readonly reseller: Account;
  readonly webhookEndpoint: WebhookEndpointRecord;
}

// ---------------------------------------------------------------- who may call the route at all

function callerKinds(caller: Caller): PrincipalKind[] {
  const kinds: PrincipalKind[] = [];
  if (caller.account) kinds.push(caller.account.kind);
  if (caller.installation) kinds.push('installation');
  if (caller.person) kinds.push('person');
  return kinds;
}

/**
 * The route's principals (the contract's `allow` and `onBehalfOf`): no credential is 401, a
 * principal the route does not take is 403. Authentication applies it before the body is read.
 */
export function admits(caller: Caller, route: RouteDefinition): Decision {
  if (route.allow.includes('anonymous')) return allow;
  const kinds = callerKinds(caller);
  if (kinds.length === 0) return unauthenticated('this route needs a credential');
  if (!kinds.some((kind) => route.allow.includes(kind))) return forbidden(`a ${kinds.join(' and ')} may not call this route`);
  if (caller.account && caller.installation && !route.onBehalfOf?.includes(caller.account.kind)) {
    return forbidden(`a ${caller.account.kind} may not act on an installation's behalf here`);
  }
  return allow;
}

// ---------------------------------------------------------------- the rules over resources

/** A customer: itself, the resellers associated with it, ops. */
function seeCustomer(caller: Caller, customer: Of<'customer'>): Decision {
  const account = caller.account;
  const visible =
    account?.kind === 'customer' ? account.id === customer.id : account?.kind === 'reseller' ? customer.managed === true : account?.kind === 'ops' && customer.isCustomer === true;
  return visible ? allow : notFound(`no customer ${customer.id}`);
}

/** A license: its customer, the customer's resellers, ops. */
function licenseVisible(caller: Caller, resource: Of<'license'>): resource is Of<'license'> & { license: LicenseRecord } {
  const { license } = resource;
  const account = caller.account;
  if (!license || !account) return false;
  if (account.kind === 'customer') return license.customerId === account.id;
  if (account.kind === 'reseller') return resource.managed === true;
  return true;
}

function seeLicense(caller: Caller, resource: Of<'license'>): Decision {
  return licenseVisible(caller, resource) ? allow : notFound(`no license ${resource.id}`);
}

/** Suspend, reinstate, revoke: who sees the license, and of its resellers only the one that issued it. */
function changeLicense(caller: Caller, resource: Of<'license'>): Decision {
  if (!licenseVisible(caller, resource)) return notFound(`no license ${resource.id}`);
  if (caller.account?.kind === 'reseller' && resource.license.issuedBy !== caller.account.id) {
    return forbidden(`only the reseller that issued license ${resource.id}, or ops, may change its status`);
  }
  return allow;
}

/** Activating a license an account names: who sees it, refused in the activation's own terms (API.md §4's order). */
function activateLicense(caller: Caller, resource: Of<'license'>): Decision {
  if (!caller.account) return unauthenticated("activation by licenseId needs an account's API key too");
  return licenseVisible(caller, resource) ? allow : notFound(`no license ${resource.id}`, 'LICENSE_NOT_FOUND');
}

/** An installation as an account sees it: ops, its customer, the customer's resellers. */
function ownedThroughAccount(caller: Caller, resource: Of<'installation' | 'installationIssuers'>): boolean {
  const { installation } = resource;
  const account = caller.account;
  if (!installation || !account) return false;
  if (account.kind === 'ops') return true;
  if (account.kind === 'customer') return installation.customerId === account.id;
  return installation.customerId !== undefined && resource.managed === true;
}

/** An installation: itself (by its proof), ops, its customer, the customer's resellers. */
function seeInstallation(caller: Caller, resource: Of<'installation'>): Decision {
  const visible = caller.installation ? caller.installation.id === resource.installation?.id : ownedThroughAccount(caller, resource);
  return visible ? allow : notFound(`no installation ${resource.id}`);
}

/**
 * An owner's restore of a server rebuilt from its backup (API.md §10, a fork): the accounts that own
 * the installation — ops, its customer, the customer's resellers, a person through one of them — never
 * the installation's own proof.
 */
function restoreInstallation(caller: Caller, resource: Of<'installation'>): Decision {
  return !caller.installation && ownedThroughAccount(caller, resource) ? allow : notFound(`no installation ${resource.id}`);
}

/**
 * Clearing a detected clone (API.md §10): ops, and of those that see the installation a reseller that
 * issued one of the licenses it holds (or a person through that reseller). Its customer may not clear
 * its own detection, nor a reseller that only manages the customer: 403, as they see the installation.
 */
function clearClone(caller: Caller, resource: Of<'installationIssuers'>): Decision {
  if (caller.installation || !ownedThroughAccount(caller, resource)) return notFound(`no installation ${resource.id}`);
  const account = caller.account;
  if (account?.kind === 'ops' || (account?.kind === 'reseller' && resource.issuers?.includes(account.id) === true)) return allow;
  return forbidden('only ops, or a reseller that issued one of its licenses, may clear a detected clone of this installation');
}

/** An account's members and API keys: ops, and the persons who own it; a plain member is refused, anyone else does not learn it exists. */
function manageAccount(caller: Caller, resource: Of<'account'>): Decision {
  if (!resource.account) return notFound(`no account ${resource.id}`);
  if (caller.account?.kind === 'ops') return allow;
  if (caller.person && resource.role === 'owner') return allow;
  if (caller.person && resource.role === 'member') return forbidden("only the account's owners may do this");
  return notFound(`no account ${resource.id}`);
}

/** A reseller's budgets: that reseller, ops. */
function seeBudgets(caller: Caller, resource: Of<'reseller'>): Decision {
  const account = caller.account;
  const mayLook = account?.kind === 'ops' || (account?.kind === 'reseller' && account.id === resource.id);
  return mayLook && resource.account?.kind === 'reseller' ? allow : notFound(`no reseller ${resource.id}`);
}

/**
 * The owner a caller's webhook endpoints belong to (API.md §9): the account it acts as, or for ops the
 * vendor (vendor-wide endpoints). Its key names the owner's partition (`WEBHOOKS#<key>`).
 */
export function webhookOwnerKeyOf(caller: Caller): string | undefined {
  const account = caller.account;
  if (!account) return undefined;
  return account.kind === 'ops' ? vendorWebhookOwner : account.id;
}

/** The owner key of ops' endpoints: the vendor's, vendor-wide. */
export const vendorWebhookOwner = 'vendor';

/** Managing webhook endpoints: an account's API key, ops, or a person through an accepted **owner** membership (a plain member: 403). */
function manageWebhooks(caller: Caller): Decision {
  if (!caller.account) return unauthenticated('this route needs an API key');
  if (caller.person && caller.membership?.role !== 'owner') return forbidden("only an account's owners manage its webhook endpoints");
  return allow;
}

/** An endpoint: only its owner, as `manageWebhooks` admits it; another owner's endpoint is not found (ops' too). */
function ownWebhookEndpoint(caller: Caller, resource: Of<'webhookEndpoint'>): Decision {
  const managing = manageWebhooks(caller);
  if (managing.outcome !== 'allow') return managing;
  const { endpoint } = resource;
  return endpoint && endpoint.ownerKey === webhookOwnerKeyOf(caller) ? allow : notFound(`no webhook endpoint ${resource.id}`);
}

/** A person whose email the directory verified: only such an email may bind the person to an account. */
function verifiedPerson(caller: Caller): Decision {
  return caller.person?.emailVerified && caller.person.email ? allow : forbidden('verify your email address first');
}

const rules = {
  caller: { kind: 'none', decide: () => allow },
  verifiedPerson: { kind: 'none', decide: verifiedPerson },
  seeCustomer: { kind: 'customer', decide: seeCustomer },
  seeLicense: { kind: 'license', decide: seeLicense },
  changeLicense: { kind: 'license', decide: changeLicense },
  activateLicense: { kind: 'license', decide: activateLicense },
  seeInstallation: { kind: 'installation', decide: seeInstallation },
  restoreInstallation: { kind: 'installation', decide: restoreInstallation },
  clearClone: { kind: 'installationIssuers', decide: clearClone },
  manageAccount: { kind: 'account', decide: manageAccount },
  seeBudgets: { kind: 'reseller', decide: seeBudgets },
  manageWebhooks: { kind: 'none', decide: manageWebhooks },
  ownWebhookEndpoint: { kind: 'webhookEndpoint', decide: ownWebhookEndpoint },
} as const satisfies { [name: string]: { kind: Resource['kind']; decide: (caller: Caller, resource: never) => Decision } };

export type Rule = keyof typeof rules;
type RuleKind<R extends Rule> = (typeof rules)[R]['kind'];
type ResourceRule = { [R in Rule]: RuleKind<R> extends 'none' ? never : R }[Rule];
type CallerRule = Exclude<Rule, ResourceRule>;

// ---------------------------------------------------------------- every route's declaration

/** zod's output of a part of a request, as `httpHandler` validated it. */
export type Parsed<S> = S extends z.ZodMiniType ? z.output<S> : undefined;

/** The validated parts of a request that can name its resource. */
export interface RequestParts<R extends RouteRequest> {
  readonly params: Parsed<R['params']>;
  readonly query: Parsed<R['query']>;
  readonly body: Parsed<R['body']>;
}

/**
 * How a route's access is decided: a rule on the caller alone, or a rule over the resource the
 * request names (`id`). `optional`: a request may name none (the caller's own, or the domain scopes the list).
 */
export type RouteAccess<R extends RouteRequest> =
  | { readonly rule: CallerRule }
  | { readonly rule: ResourceRule; readonly id: (request: RequestParts<R>) => string; readonly optional?: false }
  | { readonly rule: ResourceRule; readonly id: (request: RequestParts<R>) => string | undefined; readonly optional: true };

type Requests = typeof routeRequests;

const anyone = { rule: 'caller' } as const;

export const routeAccess = {
  health: anyone,
  jwks: anyone,
  openapi: anyone,
  signInConfig: anyone,
  registerAccount: anyone,
  offlineActivate: anyone,
  // Ops alone (the contract's `allow`); what they name is checked by the domain as data, not access.
  createReseller: anyone,
  addAssociation: anyone,
  removeAssociation: anyone,
  setBudget: anyone,
  // A reseller's own customers, or ops' every customer: the list is the caller's.
  createCustomer: anyone,
  listCustomers: anyone,
  listCustomerEvents: { rule: 'seeCustomer', id: ({ params }) => params.customerId },
  issueLicense: { rule: 'seeCustomer', id: ({ body }) => body.customerId },
  listLicenses: { rule: 'seeCustomer', id: ({ query }) => query.customerId, optional: true },
  getLicense: { rule: 'seeLicense', id: ({ params }) => params.licenseId },
  listLicenseEvents: { rule: 'seeLicense', id: ({ params }) => params.licenseId },
  listLicenseInstallations: { rule: 'seeLicense', id: ({ params }) => params.licenseId },
  suspendLicense: { rule: 'changeLicense', id: ({ params }) => params.licenseId },
  reinstateLicense: { rule: 'changeLicense', id: ({ params }) => params.licenseId },
  revokeLicense: { rule: 'changeLicense', id: ({ params }) => params.licenseId },
  // An installation's proof names the installation itself (its key's thumbprint, checked by authentication).
  startTrial: anyone,
  heartbeat: anyone,
  startDeviceAuthorization: anyone,
  deviceToken: anyone,
  // By key the key is the credential; by licenseId the account must see the license.
  activate: { rule: 'activateLicense', id: ({ body }) => ('licenseId' in body ? body.licenseId : undefined), optional: true },
  releaseActivation: { rule: 'seeInstallation', id: ({ params }) => params.installationId },
  getInstallation: { rule: 'seeInstallation', id: ({ params }) => params.installationId },
  restoreInstallation: { rule: 'restoreInstallation', id: ({ params }) => params.installationId },
  clearClone: { rule: 'clearClone', id: ({ params }) => params.installationId },
  listBudgets: { rule: 'seeBudgets', id: ({ params }) => params.resellerId },
  // Usage history (API.md §11): whoever may read the license or the installation (the installation itself by its proof).
  getLicenseUsage: { rule: 'seeLicense', id: ({ params }) => params.licenseId },
  getInstallationUsage: { rule: 'seeInstallation', id: ({ params }) => params.installationId },
  // Insights: the caller's own scope, or the one customer `customerId` names among those it may see.
  getInsights: { rule: 'seeCustomer', id: ({ query }) => query.customerId, optional: true },
  getMe: anyone,
  // Only a verified email binds a person to an account; which invitation its email holds is the domain's (404).
  createMyAccount: { rule: 'verifiedPerson' },
  acceptInvitation: { rule: 'verifiedPerson' },
  declineInvitation: { rule: 'verifiedPerson' },
  listMembers: { rule: 'manageAccount', id: ({ params }) => params.accountId },
  addMember: { rule: 'manageAccount', id: ({ params }) => params.accountId },
  changeMemberRole: { rule: 'manageAccount', id: ({ params }) => params.accountId },
  removeMember: { rule: 'manageAccount', id: ({ params }) => params.accountId },
  listApiKeys: { rule: 'manageAccount', id: ({ params }) => params.accountId },
  createApiKey: { rule: 'manageAccount', id: ({ params }) => params.accountId },
  revokeApiKey: { rule: 'manageAccount', id: ({ params }) => params.accountId },
  // A user code is a secret shown by the installation: whoever signed in and holds it may look, and deny.
  getDeviceAuthorization: anyone,
  denyDeviceAuthorization: anyone,
  approveDeviceAuthorization: { rule: 'activateLicense', id: ({ body }) => body.licenseId },
  // Webhooks (API.md §9): the acting account's endpoints, or ops' vendor-wide ones; persons through an owner membership.
  createWebhookEndpoint: { rule: 'manageWebhooks' },
  listWebhookEndpoints: { rule: 'manageWebhooks' },
  getWebhookEndpoint: { rule: 'ownWebhookEndpoint', id: ({ params }) => params.endpointId },
  updateWebhookEndpoint: { rule: 'ownWebhookEndpoint', id: ({ params }) => params.endpointId },
  deleteWebhookEndpoint: { rule: 'ownWebhookEndpoint', id: ({ params }) => params.endpointId },
  rotateWebhookSecret: { rule: 'ownWebhookEndpoint', id: ({ params }) => params.endpointId },
  testWebhookEndpoint: { rule: 'ownWebhookEndpoint', id: ({ params }) => params.endpointId },
  listWebhookDeliveries: { rule: 'ownWebhookEndpoint', id: ({ params }) => params.endpointId },
  retryWebhookDelivery: { rule: 'ownWebhookEndpoint', id: ({ params }) => params.endpointId },
  recoverWebhookDeliveries: { rule: 'ownWebhookEndpoint', id: ({ params }) => params.endpointId },
} as const satisfies { readonly [K in DeclaredRouteId]: RouteAccess<Requests[K]> };

type Declarations = typeof routeAccess;

/** The declaration a route is decided by: an ops twin's is the route's it mirrors. */
export function accessOf(route: RouteDefinition): RouteAccess<RouteRequest> {
  return routeAccess[(route.twinOf ?? route.id) as DeclaredRouteId] as RouteAccess<RouteRequest>;
}

/** The resource a request names under its route's declaration; undefined when it names none. */
export function resourceNamed(route: RouteDefinition, request: RequestParts<RouteRequest>): ResourceRef | undefined {
  const access = accessOf(route);
  if (!('id' in access)) return undefined;
  const id = access.id(request);
  if (id === undefined && access.optional !== true) throw new TypeError(`${route.id} names no resource`);
  return id === undefined ? undefined : { kind: rules[access.rule].kind, id };
}

/** What a route's action receives, by its declaration. */
export type GrantedTo<K extends DeclaredRouteId> = Declarations[K] extends { readonly rule: infer R extends Rule }
  ? Granted[RuleKind<R>] | (Declarations[K] extends { readonly optional: true } ? undefined : never)
  : never;

// ---------------------------------------------------------------- the decision

/**
 * Whether `caller` may call route `action` on `resource` (read by `loadResource`; `{kind: 'none'}`
 * when the request names none). Pure: the same facts always give the same answer.
 */
export function decide(caller: Caller, action: RouteId, resource: Resource): Decision {
  const route = routeById(action);
  const admitted = admits(caller, route);
  if (admitted.outcome !== 'allow') return admitted;
  const access = accessOf(route);
  const rule = rules[access.rule];
  // A request that names no resource where its route may name one: the caller's own, or a list its domain scopes.
  if (resource.kind === 'none' && rule.kind !== 'none') {
    if ('optional' in access && access.optional) return allow;
    throw new TypeError(`${action} is decided on a ${rule.kind}`);
  }
  if (resource.kind !== rule.kind) throw new TypeError(`${action} is decided on a ${rule.kind}, not a ${resource.kind}`);
  // The kinds match (checked just above), which is the resource each rule's function takes.
  return (rule.decide as (caller: Caller, resource: Resource) => Decision)(caller, resource);
}

/** The problem a refusal answers. */
export function refusal(decision: Exclude<Decision, { outcome: 'allow' }>): ProblemError {
  return problem(decision.code, decision.detail);
}

/** The resource as the action receives it, once allowed. */
export function granted(resource: Resource): Granted[ResourceKind] | undefined {
  switch (resource.kind) {
    case 'none':
      return undefined;
    case 'customer':
      return { id: resource.id };
    case 'license':
      return resource.license;
    case 'installation':
    case 'installationIssuers':
      return resource.installation;
    case 'account':
    case 'reseller':
      return resource.account;
    case 'webhookEndpoint':
      return resource.endpoint;
  }
}

// ---------------------------------------------------------------- events, as the feeds show them

/**
 * The route of section 4 that lists a feed (an event partition), and the resource it names: whoever that
 * route lets read the feed reads the events in it. A feed no route lists (a trial installation's) has none.
 * What webhooks deliver is decided by the same rules (API.md §9: "events its owner could read").
 */
export function feedAccess(feed: string): { readonly route: RouteId; readonly ref: ResourceRef } | undefined {
  if (feed.startsWith(partitions.account)) return { route: 'listCustomerEvents', ref: { kind: 'customer', id: feed.slice(partitions.account.length) } };
  if (feed.startsWith(partitions.license)) return { route: 'listLicenseEvents', ref: { kind: 'license', id: feed.slice(partitions.license.length) } };
  return undefined;
}
