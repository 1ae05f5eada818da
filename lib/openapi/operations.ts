import * as z from 'zod';
import type { ErrorCode } from '@license-activation/contract/problem';
import { routes } from '@license-activation/contract/routes';
import type { DeclaredRouteId, RouteId } from '@license-activation/contract/routes';
import {
  Account,
  AccountCreated,
  ActivationResult,
  Association,
  AuditEvent,
  HealthResult,
  Installation,
  InstallationResult,
  JwksResult,
  License,
  LicenseInstallation,
  LicenseIssued,
  pageOf,
  TokenResult,
  TrialResult,
  Budget,
  BudgetResult,
  SignInConfig,
  MeResult,
  MyAccountCreated,
  Member,
  MemberResult,
  MembershipResult,
  ApiKey,
  ApiKeyCreated,
  DeviceAuthorizationStarted,
  DeviceAuthorizationResult,
  ApprovalResult,
  InsightsResult,
  InstallationUsage,
  LicenseUsage,
  WebhookDeliveries,
  WebhookDelivery,
  WebhookDeliveryResult,
  WebhookEndpoint,
  WebhookEndpointResult,
  WebhookEndpointWithSecret,
} from '@license-activation/contract/schemas';

/**
 * What the OpenAPI document says about each route beyond the route table and its request (the
 * contract's `routeRequests`, which its handler validates with): what it answers, and the refusals
 * of its own logic. Authentication, validation, throttling and fault codes are derived from the
 * route itself (./openapi.ts).
 */

/** The answers the handlers wrap around a single resource (they hold no field of their own). */
export const LicenseResult = z.object({ license: License });
export const AssociationResult = z.object({ association: Association });
export const AccountPage = pageOf(Account);
export const LicensePage = pageOf(License);
export const AuditEventPage = pageOf(AuditEvent);
export const MemberPage = pageOf(Member);
export const ApiKeyPage = pageOf(ApiKey);
export const LicenseInstallationPage = pageOf(LicenseInstallation);
export const BudgetPage = pageOf(Budget);
/** `GET /v1/installations/{id}`: the token only to the installation itself (API.md §10). */
export const InstallationRead = z.object({ installation: Installation, token: z.string().optional() });
export const InstallationOnly = z.object({ installation: Installation });
export const WebhookEndpointPage = pageOf(WebhookEndpoint);
export const WebhookDeliveryPage = pageOf(WebhookDelivery);

/** Response headers an operation adds to the ones every response carries. */
export type SuccessHeader = 'Idempotent-Replayed' | 'Cache-Control';

export interface SuccessResponse {
  readonly status: 200 | 201 | 202 | 204;
  readonly description: string;
  /** A zod schema, or a plain JSON Schema for a document no zod schema describes. */
  readonly schema?: z.core.$ZodType | { readonly type: 'object'; readonly description: string };
  readonly headers?: readonly SuccessHeader[];
}

export type OperationTag = 'Accounts' | 'Licenses' | 'Installations' | 'Audit' | 'People' | 'Insights' | 'Webhooks' | 'Service';

export interface OperationDoc {
  readonly tag: OperationTag;
  /** What the contract leaves to the implementation, and the route's own rules. */
  readonly description?: string;
  readonly responses: readonly SuccessResponse[];
  /** Codes the route's own logic answers with. */
  readonly refusals?: readonly ErrorCode[];
  /**
   * Fields whose well-formed values the server still judges by what it holds (the catalog, the
   * clock): such a value may be 400 `VALIDATION_FAILED` naming the field. A list's `cursor` is one by itself.
   */
  readonly serverChecked?: readonly string[];
}

const webhookOwners = 'For the owning account (a person through an owner membership; a plain member is 403 `FORBIDDEN`) or, for vendor-wide endpoints, ops.';
const webhookUrlRules =
  '`url`: `https://`, a host name, port 443 or 8443, at most 2,048 characters, no user or password; a host that is or resolves to an address ' +
  'not globally reachable (loopback, private, link-local, shared, reserved, multicast, IPv4-mapped or translated forms, cloud metadata) ' +
  'is 400 `VALIDATION_FAILED` (a host that does not resolve yet is accepted, and checked at every attempt). Under `npm start`, `http://` to any port and loopback addresses on any port are allowed; `https://` to any other host keeps to 443 and 8443.';
const webhookCallLimit = '`test`, `retry` and `recover` take at most 10 calls a minute per endpoint, then 429 `RATE_LIMITED` with `Retry-After`.';
const accountCreated = (description: string): SuccessResponse => ({ status: 201, description, schema: AccountCreated });
const licenseChanged: SuccessResponse = { status: 200, description: 'The license as it is now.', schema: LicenseResult };

const activationRefusals: readonly ErrorCode[] = [
  'KEY_MALFORMED',
  'PRODUCT_MISMATCH',
  'LICENSE_REVOKED',
  'LICENSE_SUSPENDED',
  'LICENSE_EXPIRED',
  'VIRTUAL_MACHINE_NOT_ALLOWED',
  'LICENSE_NOT_FOUND',
  'TOO_MANY_ACTIVATIONS',
  'CONFLICT',
  'RATE_LIMITED',
];

const activationOrder =
  'Checks run in this order, and the first that fails answers: `KEY_MALFORMED` → `LICENSE_NOT_FOUND` → `PRODUCT_MISMATCH` → ' +
  '`LICENSE_REVOKED` / `LICENSE_SUSPENDED` / `LICENSE_EXPIRED` → `VIRTUAL_MACHINE_NOT_ALLOWED` → `TOO_MANY_ACTIVATIONS`. ' +
  'A repeat of an existing activation answers 200 before the limit is counted. After 10 failed key activations ' +
  '(malformed or unknown keys) from one installation within 10 minutes, every further key activation in the window is ' +
  '429 `RATE_LIMITED`. `CONFLICT`: the installation already runs another product, or belongs to another customer ' +
  '(release its licenses first).';

const listDescription = (what: string) =>
  `${what} \`nextCursor\` is absent on the last page; a bad \`limit\` or a cursor this server did not issue is 400 \`VALIDATION_FAILED\`.`;

const usageRangeDescription =
  '`from` and `to` are UTC dates (YYYY-MM-DD), both included, `to` not before `from`, at most 366 days: by default the 90 days up to ' +
  'today; `from` alone runs to today, `to` alone starts 89 days before it; anything else is 400 `VALIDATION_FAILED`. Every day of the ' +
  'range is present, with zeros where nothing was seen; history is kept 400 days, and a heartbeat shows within 60 s.';

const declaredOperations: Readonly<Record<DeclaredRouteId, OperationDoc>> = {
  health: {
    tag: 'Service',
    description: 'Answers 200 once the service can reach its table, 503 `UNAVAILABLE` while it cannot.',
    responses: [{ status: 200, description: 'The service and its table are reachable.', schema: HealthResult }],
  },
  jwks: {
    tag: 'Service',
    description:
      'The public keys (ES256, `use: "sig"`) that verify license tokens and license files, the signing key first. ' +
      'Cacheable for five minutes; a verifier that meets an unknown `kid` fetches the set again.',
    responses: [{ status: 200, description: 'The key set.', schema: JwksResult, headers: ['Cache-Control'] }],
  },
  openapi: {
    tag: 'Service',
    description: 'This document. Cacheable for five minutes.',
    responses: [
      { status: 200, description: 'The OpenAPI document.', schema: { type: 'object', description: 'An OpenAPI 3.1 document.' }, headers: ['Cache-Control'] },
    ],
  },
  registerAccount: {
    tag: 'Accounts',
    description: 'Anyone registers a customer account for themselves.',
    responses: [accountCreated('The new customer account and its API key, shown this once.')],
  },
  createReseller: {
    tag: 'Accounts',
    responses: [accountCreated('The new reseller account and its API key, shown this once.')],
  },
  addAssociation: {
    tag: 'Accounts',
    description:
      'Lets a reseller manage an existing customer (a customer may have several resellers). Repeating it answers the existing ' +
      'association with 200, so retries are safe. An unknown reseller or customer is 404 `NOT_FOUND`.',
    responses: [
      { status: 201, description: 'The association was made.', schema: AssociationResult },
      { status: 200, description: 'The association existed already: it is answered as it was made.', schema: AssociationResult },
    ],
    refusals: ['NOT_FOUND'],
  },
  removeAssociation: {
    tag: 'Accounts',
    description: 'The reseller loses access to the customer at once. 404 `NOT_FOUND` when the reseller does not manage that customer.',
    responses: [{ status: 204, description: 'The association is gone.' }],
    refusals: ['NOT_FOUND'],
  },
  createCustomer: {
    tag: 'Accounts',
    description: 'Creates a customer account associated with the calling reseller, in one step.',
    responses: [accountCreated('The new customer account and its API key, shown this once.')],
  },
  listCustomers: {
    tag: 'Accounts',
    description: listDescription("A reseller's associated customers; for ops, every customer."),
    responses: [{ status: 200, description: 'One page of customer accounts.', schema: AccountPage }],
  },
  listCustomerEvents: {
    tag: 'Audit',
    description: listDescription('The audit events of a customer, newest first, for the customer itself, its resellers and ops.'),
    responses: [{ status: 200, description: 'One page of events, newest first.', schema: AuditEventPage }],
    refusals: ['NOT_FOUND'],
  },
  issueLicense: {
    tag: 'Licenses',
    description:
      'Issues a license of a catalog product to a customer the caller manages; a license that does not fit the catalog is 400 ' +
      '`VALIDATION_FAILED`. The key is returned only here. With an `Idempotency-Key`, the same key and body within 24 hours answer ' +
      'the same `{license, key}` (201, with `Idempotent-Replayed: true`), and the same key with another body is 422 ' +
      '`IDEMPOTENCY_KEY_REUSED`; meanwhile the server keeps the key encrypted, never in clear. A reseller issuing past its budget ' +
      'for the product and type is 409 `BUDGET_EXCEEDED` (a replay never counts twice).',
    responses: [
      {
        status: 201,
        description: 'The new license and its key (or, for a replayed `Idempotency-Key`, the license and key it issued).',
        schema: LicenseIssued,
        headers: ['Idempotent-Replayed'],
      },
    ],
    refusals: ['NOT_FOUND', 'IDEMPOTENCY_KEY_REUSED', 'BUDGET_EXCEEDED'],
    serverChecked: ['productId', 'type', 'edition', 'expiresAt'],
  },
  listLicenses: {
    tag: 'Licenses',
    description: listDescription(
      "The licenses the caller may see: a customer's own, a reseller's customers' (customer by customer), or every license for ops; " +
        '`customerId` narrows the list to one customer (404 `NOT_FOUND` if the caller may not see that customer).',
    ),
    responses: [{ status: 200, description: 'One page of licenses.', schema: LicensePage }],
    refusals: ['NOT_FOUND'],
  },
  getLicense: {
    tag: 'Licenses',
    responses: [{ status: 200, description: 'The license.', schema: LicenseResult }],
    refusals: ['NOT_FOUND'],
  },
  suspendLicense: {
    tag: 'Licenses',
    description:
      'Installations holding it fall to limited mode at their next token. Suspending a suspended license changes nothing. ' +
      'The optional body gives a reason, kept in the audit event. 409 `CONFLICT` when the license is revoked or expired.',
    responses: [licenseChanged],
    refusals: ['NOT_FOUND', 'CONFLICT'],
  },
  reinstateLicense: {
    tag: 'Licenses',
    description:
      'Reinstating an active license changes nothing. The optional body gives a reason, kept in the audit event. ' +
      '409 `CONFLICT` when the license is revoked.',
    responses: [licenseChanged],
    refusals: ['NOT_FOUND', 'CONFLICT'],
  },
  revokeLicense: {
    tag: 'Licenses',
    description:
      'Final: a revoked license is never reinstated. Revoking a revoked license changes nothing. The optional body gives a ' +
      'reason, kept in the audit event.',
    responses: [licenseChanged],
    refusals: ['NOT_FOUND'],
  },
  listLicenseInstallations: {
    tag: 'Licenses',
    description: listDescription(
      'An addition to API.md (for the license site\'s license page): the installations holding the license, in the order of ' +
        'their ids, each with the mode and warnings its license token gives it now. Read-only: the installations are not marked ' +
        "as seen. For the license's owner, the owner's resellers and ops.",
    ),
    responses: [{ status: 200, description: 'One page of installations.', schema: LicenseInstallationPage }],
    refusals: ['NOT_FOUND'],
  },
  listLicenseEvents: {
    tag: 'Audit',
    description: listDescription("The audit events of a license, newest first, for its owner, the owner's resellers and ops."),
    responses: [{ status: 200, description: 'One page of events, newest first.', schema: AuditEventPage }],
    refusals: ['NOT_FOUND'],
  },
  startTrial: {
    tag: 'Installations',
    description:
      "Starts the product's trial on a new installation. A second call from the same installation answers its current state " +
      '(200), its trial expired or not, never a fresh one. An unknown product is 400 `VALIDATION_FAILED`; a product without a ' +
      'trial is 403 `FORBIDDEN`; another installation reporting a fingerprint that already had a trial of the product is 409 ' +
      '`TRIAL_ALREADY_USED`; an installation that runs another product is 409 `CONFLICT`.',
    responses: [
      { status: 201, description: 'The trial started.', schema: TrialResult },
      { status: 200, description: 'The installation existed already: its current state and a fresh token.', schema: TrialResult },
    ],
    refusals: ['FORBIDDEN', 'TRIAL_ALREADY_USED', 'CONFLICT'],
    serverChecked: ['productId'],
  },
  activate: {
    tag: 'Installations',
    description:
      'An installation activates a license by its `key`. An account (customer, reseller or ops) may instead send its API key ' +
      'in `Authorization` next to the DPoP proof and name the license by `licenseId` (and optionally `customerId`). ' +
      `The first license activated on an installation ends its trial. ${activationOrder}`,
    responses: [
      { status: 201, description: 'The license is activated on the installation.', schema: ActivationResult },
      { status: 200, description: 'The license was already activated here: the same activation, nothing more consumed.', schema: ActivationResult },
    ],
    refusals: activationRefusals,
  },
  heartbeat: {
    tag: 'Installations',
    description:
      'Records the version and active users the installation reports and answers a fresh token, whose mode follows any ' +
      'change to its licenses since the last one. 404 `NOT_FOUND` for an installation that never started a trial or activated. ' +
      'Copies of one installation (API.md §10): the body presents the `chain` of the newest token the installation holds, with an ' +
      '`Idempotency-Key` that the client saves with the pending heartbeat before sending it and sends again with every retry. ' +
      'The head (the newest chain issued) is an ordinary step: a token with a new head, or the head\'s token again while it is at most ' +
      '7 days old and a new one would decide the same (the brake). The chain that obtained the head, with the same key (while that head ' +
      'stands) or another within 30 s of its issue, is a retry: the head\'s token again, nothing counted. A head that a fork replaced ' +
      'is a clone (`installation.clone_detected`; the tokens then carry the warning `CLONE_DETECTED`, and where the product ' +
      'limits clones the limited reason too). Anything else — an older or unknown chain, or none from an installation that presented ' +
      'one before — is a fork: a token with a new head (`installation.forked`). The same key with another body is 422 ' +
      '`IDEMPOTENCY_KEY_REUSED`. A product whose catalog entry says `clones: "limit"` (`modeler`) requires `chain` and ' +
      '`Idempotency-Key` (400 `VALIDATION_FAILED` without them).',
    responses: [{ status: 200, description: 'A fresh license token, or the head\'s token again.', schema: TokenResult }],
    refusals: ['NOT_FOUND', 'IDEMPOTENCY_KEY_REUSED'],
    serverChecked: ['chain', 'Idempotency-Key'],
  },
  releaseActivation: {
    tag: 'Installations',
    description:
      'Frees the activation slot at once. The installation calls it with its DPoP proof; the owning customer, its resellers ' +
      'and ops call it with their API key and no proof. 404 `NOT_FOUND` when the license is not activated on that installation.',
    responses: [{ status: 204, description: 'The activation is released.' }],
    refusals: ['NOT_FOUND'],
  },
  getInstallation: {
    tag: 'Installations',
    description:
      'Everything an on-prem server needs to restore its license state: the installation, its activations and the activated ' +
      'licenses as they are now (`installation.licenses`). To the installation itself (its DPoP proof) also a fresh token, answered ' +
      'both as `token` and inside `installation`, judged like a heartbeat on the `chain` it presents as `?chain=` (API.md §10; it ' +
      'has no `Idempotency-Key`, so only the 30 s rule makes a repeat of it a retry). Its owners and ops read it without a token: ' +
      'nothing is written or counted.',
    responses: [{ status: 200, description: 'The installation, and to the installation itself a fresh token.', schema: InstallationRead }],
    refusals: ['NOT_FOUND'],
  },
  restoreInstallation: {
    tag: 'Installations',
    description:
      'A token for a server rebuilt from nothing, which takes the installation\'s key from its owner\'s backup: the owning customer, ' +
      'a reseller managing it (or a person through either) and ops. A fork (API.md §10): the token carries a new head, so a server ' +
      'still running with the old state is a clone at its next heartbeat (`installation.forked`). The request renews no lease.',
    responses: [{ status: 200, description: 'The installation and a token with a new head.', schema: InstallationResult }],
    refusals: ['NOT_FOUND'],
  },
  clearClone: {
    tag: 'Installations',
    description:
      'Forgets a detected clone, the fork count and the replaced heads (`installation.clone_cleared`), once each copy has an ' +
      'installation of its own: for ops and a reseller that issued one of the licenses the installation holds (or a person through ' +
      'that reseller). The customer itself may not (403 `FORBIDDEN`), nor another reseller of the customer. An installation with ' +
      'nothing detected is answered as it is.',
    responses: [{ status: 200, description: 'The installation, without `clone`.', schema: InstallationOnly }],
    refusals: ['NOT_FOUND'],
  },
  setBudget: {
    tag: 'Licenses',
    description:
      "Caps what a reseller may issue of a product and license type: `used` is the quantity of its licenses of that product and type that are " +
      'neither revoked nor expired (1 for types without a quantity). Issuing past `limit` is 409 `BUDGET_EXCEEDED`, atomically; ' +
      'revocation gives the quantity back at once, expiry within 24 hours; lowering `limit` below `used` revokes nothing and blocks new issues. ' +
      'No budget means no cap. A `limit` that is not a positive integer, an unknown product or a type the product does not sell is 400 ' +
      '`VALIDATION_FAILED`; an id that names no reseller is 404. Records a `budget.set` event in the reseller\'s feed.',
    responses: [{ status: 200, description: 'The budget as it is now.', schema: BudgetResult }],
    refusals: ['NOT_FOUND'],
    serverChecked: ['productId', 'type'],
  },
  listBudgets: {
    tag: 'Licenses',
    description: 'A reseller (its own) or ops: every budget ops set for that reseller, with what it has used. Another reseller is 404.',
    responses: [{ status: 200, description: "One page of the reseller's budgets, by product and type.", schema: BudgetPage }],
    refusals: ['NOT_FOUND'],
  },
  getLicenseUsage: {
    tag: 'Insights',
    description:
      `${usageRangeDescription} A day of a license: its installations seen that day (an activation, heartbeat or restore), the sum over ` +
      'them of each one\'s largest report that day, and the seats it granted that day (`quantity` when the license was active at any ' +
      'moment of the day, else 0). For whoever may read the license.',
    responses: [{ status: 200, description: 'Every day of the range, oldest first.', schema: LicenseUsage }],
    refusals: ['NOT_FOUND'],
    serverChecked: ['from', 'to'],
  },
  getInstallationUsage: {
    tag: 'Insights',
    description:
      `${usageRangeDescription} A day of an installation: its heartbeats, its largest report, and the seats its newest token of the ` +
      'day granted (on a day it was not seen, those of the last day it was). For the installation itself (DPoP), its owning ' +
      'customer, that customer\'s resellers and ops.',
    responses: [{ status: 200, description: 'Every day of the range, oldest first.', schema: InstallationUsage }],
    refusals: ['NOT_FOUND'],
    serverChecked: ['from', 'to'],
  },
  getInsights: {
    tag: 'Insights',
    description:
      "The caller's figures: a customer's own, a reseller's associated customers', ops' the vendor's; `customerId` narrows them to one " +
      'customer the caller may see (404 otherwise). Kept from the table\'s change stream: in normal operation a change shows within 60 s ' +
      'of its commit, and `asOf` says up to when. Windows are whole UTC days counted back from `asOf`\'s day, today included ' +
      '(`seenWithin7Days`: seen on one of the last 7 days): a license expiring today is still active and expiring, expired from tomorrow; ' +
      'an installation counts as lapsed from the day after its lease would lapse unseen. `limited` counts installations by their ' +
      "newest token's reasons; `overSeats` lists at most 100 installations whose latest report exceeds the seats their token granted, " +
      'largest excess first; `weekly` the last 12 ISO weeks, the current one last (trials only in ops\' scope, 0 elsewhere). ' +
      "`trials` is present in ops' scope only.",
    responses: [{ status: 200, description: 'The figures of the scope.', schema: InsightsResult }],
    refusals: ['NOT_FOUND'],
  },
  offlineActivate: {
    tag: 'Installations',
    description:
      'Exchanges an offline request file (see `OfflineRequestClaims`) for a license file: the same activation as online, ' +
      'answered with a token valid for 365 days or to the license end. A file is valid for 7 days after its `iat` and once: ' +
      'a bad signature or header is 401 `INVALID_PROOF`, an older file 401 `PROOF_EXPIRED`, a file used before 409 `CONFLICT`. ' +
      `A new file for a license already activated on that installation answers 200. ${activationOrder}`,
    responses: [
      { status: 201, description: 'The license file.', schema: TokenResult },
      { status: 200, description: 'The license was already activated on this installation: a fresh license file.', schema: TokenResult },
    ],
    refusals: [...activationRefusals, 'INVALID_PROOF', 'PROOF_EXPIRED'],
  },
  signInConfig: {
    tag: 'People',
    description: 'Where a site or CLI signs a person in with the Cognito API (SignUp, ConfirmSignUp, InitiateAuth). `endpoint` only when the directory is not AWS\'s.',
    responses: [{ status: 200, description: 'The user pool and app client.', schema: SignInConfig }],
  },
  getMe: {
    tag: 'People',
    description:
      'The person, the memberships it holds (`status: "active"`: accepted, the person\'s from then on whatever their email) and the ' +
      'invitations waiting for its verified email (`status: "invited"`, which give no rights until accepted). No `Account-Id` needed.',
    responses: [{ status: 200, description: 'The person, its memberships and its invitations.', schema: MeResult }],
  },
  acceptInvitation: {
    tag: 'People',
    description:
      'Accepts the invitation to the account that the person\'s verified email holds: the membership is the person\'s from then on ' +
      '(its `sub`), whatever their email becomes. An unverified email is 403 `FORBIDDEN`; an account with no invitation for this ' +
      'person is 404; a person who already holds a membership of the account (through another email) is 409 `CONFLICT`.',
    responses: [{ status: 200, description: 'The membership, now active.', schema: MembershipResult }],
    refusals: ['NOT_FOUND', 'CONFLICT'],
  },
  declineInvitation: {
    tag: 'People',
    description:
      'Declines the invitation to the account that the person\'s verified email holds: it is gone (an owner may invite again), with a ' +
      '`member.removed` event. An unverified email is 403 `FORBIDDEN`; an account with no invitation for this person is 404.',
    responses: [{ status: 204, description: 'The invitation is gone.' }],
    refusals: ['NOT_FOUND'],
  },
  createMyAccount: {
    tag: 'People',
    description: 'Registers a customer account with the person\'s verified email, the person its active owner at once. An unverified email is 403 `FORBIDDEN`.',
    responses: [{ status: 201, description: 'The new customer account.', schema: MyAccountCreated }],
  },
  listMembers: {
    tag: 'People',
    description: listDescription("The account's members, for its owners and ops. A member who is not an owner is 403 `FORBIDDEN`; a non-member 404."),
    responses: [{ status: 200, description: 'A page of members.', schema: MemberPage }],
    refusals: ['NOT_FOUND'],
  },
  addMember: {
    tag: 'People',
    description:
      'Invites a person by email (`status: "invited"`): the invitation gives no rights until the person whose verified email it is ' +
      'accepts it. The same email twice is 409 `CONFLICT`, and so is an email that already holds 20 pending invitations.',
    responses: [{ status: 201, description: 'The new member, invited.', schema: MemberResult }],
    refusals: ['NOT_FOUND', 'CONFLICT'],
  },
  changeMemberRole: {
    tag: 'People',
    description:
      "Changes a member's role in place (an invitation's too), with a `member.role_changed` event; the same role changes nothing. " +
      'Demoting the last active owner is 409 `CONFLICT`, however many demotions race. 404 when the member is not of this account.',
    responses: [{ status: 200, description: 'The member as it is now.', schema: MemberResult }],
    refusals: ['NOT_FOUND', 'CONFLICT'],
  },
  removeMember: {
    tag: 'People',
    description:
      'Removes a member (or withdraws an invitation), who loses access on their next request. Removing the last active owner is ' +
      '409 `CONFLICT`, however many removals race.',
    responses: [{ status: 204, description: 'The member was removed.' }],
    refusals: ['NOT_FOUND', 'CONFLICT'],
  },
  listApiKeys: {
    tag: 'People',
    description: listDescription(
      "The API keys that act for the account (at most 5), for its owners and ops, each with its `prefix` (its first 8 characters) and when " +
        'it was last used (at most an hour stale). A member who is not an owner is 403 `FORBIDDEN`; a non-member 404.',
    ),
    responses: [{ status: 200, description: 'A page of API keys.', schema: ApiKeyPage }],
    refusals: ['NOT_FOUND'],
  },
  createApiKey: {
    tag: 'People',
    description:
      'Adds an API key to the account; the key is in this answer only (the server keeps its hash). An account keeps at most 5 keys: ' +
      'the sixth is 409 `CONFLICT`. Records an `api_key.created` event.',
    responses: [{ status: 201, description: 'The new key, shown this once, and its listing.', schema: ApiKeyCreated }],
    refusals: ['NOT_FOUND', 'CONFLICT'],
  },
  revokeApiKey: {
    tag: 'People',
    description:
      'Revokes one of the account\'s keys: every request with it is 401 `UNAUTHENTICATED` within 60 seconds (at once where the function ' +
      'looks keys up itself, and once the API-key authorizer\'s 60-second cache of it ends). Records an `api_key.revoked` event.',
    responses: [{ status: 204, description: 'The key is revoked.' }],
    refusals: ['NOT_FOUND'],
  },
  startDeviceAuthorization: {
    tag: 'People',
    description:
      "RFC 8628's device authorization, bound to the installation's key: a user code (8 letters of `BCDFGHJKLMNPQRSTVWXZ`, shown `XXXX-XXXX`) " +
      'for a person to approve on the site, and a device code only this installation can collect with. `expiresIn` 600 s, `interval` 5 s.',
    responses: [{ status: 201, description: 'The codes and where to enter the user code.', schema: DeviceAuthorizationStarted }],
  },
  deviceToken: {
    tag: 'People',
    description:
      'Collects the approved activation: 201 the first time, 200 with the same on a repeat. Before that 400 `AUTHORIZATION_PENDING`, ' +
      '400 `SLOW_DOWN` when polled sooner than `interval` after the last poll, 403 `AUTHORIZATION_DENIED`, 410 `AUTHORIZATION_EXPIRED`. ' +
      "A device code polled with another installation's key is 404 `NOT_FOUND`.",
    responses: [
      { status: 201, description: 'The activation the person approved, with a license token.', schema: ActivationResult },
      { status: 200, description: 'The same, collected again.', schema: ActivationResult },
    ],
    refusals: ['AUTHORIZATION_PENDING', 'SLOW_DOWN', 'AUTHORIZATION_DENIED', 'AUTHORIZATION_EXPIRED', 'NOT_FOUND'],
  },
  getDeviceAuthorization: {
    tag: 'People',
    description: 'What a user code asks to activate (case and the dash ignored). 10 unknown user codes from one person within 10 minutes make every further lookup 429 `RATE_LIMITED`.',
    responses: [{ status: 200, description: 'The authorization.', schema: DeviceAuthorizationResult }],
    refusals: ['NOT_FOUND', 'RATE_LIMITED'],
  },
  approveDeviceAuthorization: {
    tag: 'People',
    description:
      'Activates `licenseId` on the waiting installation through the person\'s customer or reseller membership, with every check of ' +
      '`POST /v1/activations` in its order (from `LICENSE_NOT_FOUND` on) and its limits; the first failure answers and the authorization ' +
      'stays `pending`. A code already approved, denied or expired is 409 `CONFLICT`.',
    responses: [{ status: 200, description: 'The activation made.', schema: ApprovalResult }],
    refusals: [...activationRefusals.filter((code) => code !== 'KEY_MALFORMED'), 'NOT_FOUND'],
  },
  denyDeviceAuthorization: {
    tag: 'People',
    description: 'Denies a pending authorization: the installation\'s next poll is 403 `AUTHORIZATION_DENIED`. A code no longer pending is 409 `CONFLICT`.',
    responses: [{ status: 200, description: 'The authorization, denied.', schema: DeviceAuthorizationResult }],
    refusals: ['NOT_FOUND', 'CONFLICT', 'RATE_LIMITED'],
  },
  createWebhookEndpoint: {
    tag: 'Webhooks',
    description:
      `${webhookOwners} An account holds at most 10 endpoints (the 11th is 409 \`CONFLICT\`); so do ops, whose endpoints are vendor-wide and receive ` +
      `every event. ${webhookUrlRules} The secret (\`whsec_\` + base64 of 32 random bytes) signs every delivery (Standard Webhooks) and is shown ` +
      'only in this answer and in a rotation\'s. The endpoint remembers the API key that created it: revoking that key disables it (`KEY_REVOKED`).',
    responses: [{ status: 201, description: 'The endpoint and its signing secret.', schema: WebhookEndpointWithSecret }],
    refusals: ['CONFLICT'],
    serverChecked: ['url'],
  },
  listWebhookEndpoints: {
    tag: 'Webhooks',
    description: listDescription(`The acting account's endpoints, oldest first (ops: the vendor-wide ones). ${webhookOwners}`),
    responses: [{ status: 200, description: 'A page of endpoints.', schema: WebhookEndpointPage }],
  },
  getWebhookEndpoint: {
    tag: 'Webhooks',
    description: `${webhookOwners} Another owner's endpoint is 404.`,
    responses: [{ status: 200, description: 'The endpoint.', schema: WebhookEndpointResult }],
    refusals: ['NOT_FOUND'],
  },
  updateWebhookEndpoint: {
    tag: 'Webhooks',
    description:
      `Changes what is given; \`types: null\` means every type again, \`description: null\` removes it. \`enabled: true\` clears \`disabledReason\` ` +
      `but resends nothing (\`recover\` does). ${webhookUrlRules}`,
    responses: [{ status: 200, description: 'The endpoint as it is now.', schema: WebhookEndpointResult }],
    refusals: ['NOT_FOUND'],
    serverChecked: ['url'],
  },
  deleteWebhookEndpoint: {
    tag: 'Webhooks',
    description: 'Nothing more is sent to it, pending deliveries included; its delivery log goes with it.',
    responses: [{ status: 204, description: 'The endpoint was deleted.' }],
    refusals: ['NOT_FOUND'],
  },
  rotateWebhookSecret: {
    tag: 'Webhooks',
    description:
      'A new secret, shown only here. Deliveries carry two signatures (separated by a space) while the old secret keeps signing, for 24 hours; ' +
      'after two rotations within 24 hours the oldest stops signing.',
    responses: [{ status: 200, description: 'The endpoint and its new secret.', schema: WebhookEndpointWithSecret }],
    refusals: ['NOT_FOUND'],
  },
  testWebhookEndpoint: {
    tag: 'Webhooks',
    description: `A \`webhook.test\` event, sent to this endpoint only (enabled or not) and stored in no feed: its first attempt starts within seconds. ${webhookCallLimit}`,
    responses: [{ status: 202, description: 'The delivery, pending.', schema: WebhookDeliveryResult }],
    refusals: ['NOT_FOUND', 'RATE_LIMITED'],
  },
  listWebhookDeliveries: {
    tag: 'Webhooks',
    description: listDescription('The endpoint\'s deliveries of the last 30 days, newest event first.'),
    responses: [{ status: 200, description: 'A page of deliveries.', schema: WebhookDeliveryPage }],
    refusals: ['NOT_FOUND'],
  },
  retryWebhookDelivery: {
    tag: 'Webhooks',
    description: `One more attempt now, whatever the delivery's status (and whether or not the endpoint is enabled). A delivery that was pending keeps its schedule after it. ${webhookCallLimit}`,
    responses: [{ status: 202, description: 'The delivery, pending its attempt.', schema: WebhookDeliveryResult }],
    refusals: ['NOT_FOUND', 'RATE_LIMITED'],
  },
  recoverWebhookDeliveries: {
    tag: 'Webhooks',
    description:
      'Every event since `since` (at most 7 days back) that the endpoint should have received and did not — its failed deliveries, those made ' +
      `while it was disabled included — sent again on a fresh schedule. A disabled endpoint is 409 \`CONFLICT\`: enable it first. ${webhookCallLimit}`,
    responses: [{ status: 202, description: 'The deliveries sent again.', schema: WebhookDeliveries }],
    refusals: ['NOT_FOUND', 'CONFLICT', 'RATE_LIMITED'],
    serverChecked: ['since'],
  },
};

/** Every route's documentation; an ops twin under `/v1/admin/` is documented as the route it mirrors. */
export const operations = Object.fromEntries(
  routes.map((route) => [route.id, declaredOperations[(route.twinOf ?? route.id) as DeclaredRouteId]]),
) as Readonly<Record<RouteId, OperationDoc>>;
