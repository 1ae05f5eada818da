import * as z from 'zod';
import { isoTime } from './fields.js';
import { LicenseType } from './license-type.js';
import { LicenseMode, LimitedReason, WarningCode } from './license-mode.js';
import { eventTypes } from './event-types.js';

/**
 * The contract's resources and request bodies (../shared/API.md §4). These zod schemas are the
 * one definition of the types, of the handlers' validation and of the OpenAPI document; the on-prem
 * client parses the server's answers with them too. Responses only ever grow. The request schemas
 * live in one module per area (re-exported here); handlers import those modules, not this one.
 */

export * from './account-requests.js';
export * from './insights-requests.js';
export * from './installation-requests.js';
export * from './license-requests.js';
export * from './list-requests.js';
export * from './paths.js';
export * from './person-requests.js';

// ---------------------------------------------------------------- accounts

export const AccountKind = z.enum(['customer', 'reseller']);

export const Account = z.object({
  id: z.string(),
  kind: AccountKind,
  name: z.string(),
  email: z.string(),
  createdAt: isoTime,
});
export type Account = z.infer<typeof Account>;

export const AccountCreated = z.object({
  account: Account,
  /** Returned once; the server keeps only its hash. */
  apiKey: z.string(),
});

export const Association = z.object({ resellerId: z.string(), customerId: z.string(), createdAt: isoTime });
export type Association = z.infer<typeof Association>;

// ---------------------------------------------------------------- lists

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().optional() });

// ---------------------------------------------------------------- licenses

export const LicenseStatus = z.enum(['active', 'suspended', 'revoked', 'expired']);
export type LicenseStatus = z.infer<typeof LicenseStatus>;

export const License = z.object({
  id: z.string(),
  customerId: z.string(),
  productId: z.string(),
  type: LicenseType,
  quantity: z.number().int(),
  edition: z.string().optional(),
  status: LicenseStatus,
  /** The first group of the key, so people can tell their keys apart. */
  keyPrefix: z.string(),
  /** The id of the account that issued it (`ops` for the vendor). */
  issuedBy: z.string(),
  createdAt: isoTime,
  expiresAt: z.optional(isoTime),
  maxActivations: z.number().int(),
  activations: z.number().int(),
});
export type License = z.infer<typeof License>;

export const LicenseIssued = z.object({ license: License, key: z.string() });
export type LicenseIssued = z.infer<typeof LicenseIssued>;

// ---------------------------------------------------------------- audit events

export const EventType = z.enum(eventTypes);
export type EventType = z.infer<typeof EventType>;

export const Actor = z.object({
  kind: z.enum(['ops', 'reseller', 'customer', 'installation', 'person', 'anonymous', 'system']),
  /** An account's id, a person's `sub`, an installation's id; for ops on AWS the calling IAM principal's ARN, locally `ops`. */
  id: z.string(),
  /** Who acted, as it was named then: an account's name, a person's email, an installation's hostname; absent for the system and ops. */
  name: z.string().optional(),
});

export const AuditEvent = z.object({
  id: z.string(),
  type: EventType,
  createdAt: isoTime,
  actor: Actor,
  customerId: z.string().optional(),
  licenseId: z.string().optional(),
  installationId: z.string().optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});
export type AuditEvent = z.infer<typeof AuditEvent>;

// ---------------------------------------------------------------- installations

/**
 * How an activation was made: `online` with a key or a license id, `offline` with a request file
 * exchanged for a license file, `sign-in` by a person approving the code the installation showed.
 */
export const ActivationMethod = z.enum(['online', 'offline', 'sign-in']);
export type ActivationMethod = z.infer<typeof ActivationMethod>;

export const Activation = z.object({
  id: z.string(),
  licenseId: z.string(),
  installationId: z.string(),
  createdAt: isoTime,
  /** When the installation was last seen (activation, heartbeat, restore). */
  lastSeenAt: z.optional(isoTime),
  /** Since when the lease has lapsed: the activation no longer holds its slot. */
  lapsedAt: z.optional(isoTime),
  /** A release past the license's release allowance: the slot stays taken until `freesAt`. */
  releasedAt: z.optional(isoTime),
  freesAt: z.optional(isoTime),
  /** How the activation was made; absent on activations made before it was recorded (an addition to API.md). */
  method: ActivationMethod.optional(),
});
export type Activation = z.infer<typeof Activation>;

export const Installation = z.object({
  id: z.string(),
  productId: z.string(),
  customerId: z.string().optional(),
  hostname: z.string(),
  version: z.string(),
  virtual: z.boolean(),
  createdAt: isoTime,
  lastSeenAt: isoTime,
  trial: z.object({ startedAt: isoTime, endsAt: isoTime }).optional(),
  activations: z.array(Activation),
  usage: z.object({ activeUsers: z.number().int(), reportedAt: isoTime }).optional(),
  /** When the latest token issued to the installation expires (an addition to API.md). */
  tokenExpiresAt: z.optional(isoTime),
  /** While a second running copy of the installation is detected (API.md §10): since when, and how many forks it has seen. */
  clone: z.object({ detectedAt: isoTime, forks: z.number().int() }).optional(),
  /** On restore: the activated licenses, as the on-prem server lists them. */
  licenses: z.array(License).optional(),
  /** On restore: a fresh license token. */
  token: z.string().optional(),
});
export type Installation = z.infer<typeof Installation>;

/** An installation holding a license, with the mode its license token gives it now (the license site's license page). */
export const LicenseInstallation = z.object({
  installation: Installation,
  mode: LicenseMode,
  limitedReasons: z.array(LimitedReason),
  warnings: z.array(WarningCode),
});
export type LicenseInstallation = z.infer<typeof LicenseInstallation>;

export const TokenResult = z.object({ token: z.string() });
export const TrialResult = z.object({ token: z.string(), installation: Installation });
export const ActivationResult = z.object({ token: z.string(), installation: Installation, activation: Activation });
export const InstallationResult = z.object({ installation: Installation, token: z.string() });

// ---------------------------------------------------------------- reseller budgets

export const Budget = z.object({
  resellerId: z.string(),
  productId: z.string(),
  type: LicenseType,
  limit: z.number().int(),
  /** The quantity of the reseller's licenses of that product and type that are neither revoked nor expired. */
  used: z.number().int(),
});
export type Budget = z.infer<typeof Budget>;
export const BudgetResult = z.object({ budget: Budget });

// ---------------------------------------------------------------- usage history and insights (API.md §11)

const count = z.number().int().nonnegative();
/** A UTC date, `YYYY-MM-DD`. */
const utcDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/** A day of a license: its installations seen that day, the sum of each one's largest report, the seats it granted. */
export const LicenseUsageDay = z.object({ date: utcDay, installationsSeen: count, activeUsersPeak: count, seatsLicensed: count });
export type LicenseUsageDay = z.infer<typeof LicenseUsageDay>;
/** A day of an installation: its heartbeats, its largest report, the seats its token granted. */
export const InstallationUsageDay = z.object({ date: utcDay, heartbeats: count, activeUsersPeak: count, seatsLicensed: count });
export type InstallationUsageDay = z.infer<typeof InstallationUsageDay>;
export const LicenseUsage = z.object({ items: z.array(LicenseUsageDay) });
export const InstallationUsage = z.object({ items: z.array(InstallationUsageDay) });

/** An installation whose latest report exceeds the seats its token granted (customerId absent: a trial). */
export const OverSeat = z.object({
  installationId: z.string(),
  customerId: z.string().optional(),
  licenseIds: z.array(z.string()),
  seatsLicensed: count,
  activeUsers: count,
});
export type OverSeat = z.infer<typeof OverSeat>;

export const Insights = z.object({
  /** The figures include every change committed up to this instant; windows count whole UTC days back from its day. */
  asOf: isoTime,
  licenses: z.object({ active: count, suspended: count, revoked: count, expired: count, expiringWithin30Days: count }),
  installations: z.object({
    total: count,
    seenWithin7Days: count,
    seenWithin30Days: count,
    lapsed: count,
    /** Installations by the reasons of their newest token's limited mode. */
    limited: z.record(z.string(), count),
    clonesDetected: count,
  }),
  /** Ops' scope only: trials belong to no customer. */
  trials: z.object({ active: count, startedWithin30Days: count, convertedWithin30Days: count }).optional(),
  seats: z.object({ licensed: count, used: count }),
  overSeats: z.array(OverSeat),
  weekly: z.array(z.object({ week: z.string().regex(/^\d{4}-W\d{2}$/), activations: count, trialsStarted: count, trialsConverted: count })),
  byProduct: z.array(z.object({ productId: z.string(), licenses: count, installations: count, seats: count })),
});
export type Insights = z.infer<typeof Insights>;
export const InsightsResult = z.object({ insights: Insights });

export const HealthResult = z.object({ status: z.literal('ok') });
export const JwksResult = z.object({ keys: z.array(z.record(z.string(), z.unknown())) });

// ---------------------------------------------------------------- people (API.md §7)

export const SignInConfig = z.object({
  region: z.string(),
  userPoolId: z.string(),
  clientId: z.string(),
  /** Only when the directory is not AWS's own (cognito-local under `npm start`). */
  endpoint: z.string().optional(),
});
export type SignInConfig = z.infer<typeof SignInConfig>;

export const MemberRole = z.enum(['owner', 'member']);
export type MemberRole = z.infer<typeof MemberRole>;

export const Person = z.object({ id: z.string(), email: z.string().optional(), emailVerified: z.boolean() });

/** An invitation gives no rights until the person whose verified email it names accepts it (API.md §7). */
export const MemberStatus = z.enum(['invited', 'active']);
export type MemberStatus = z.infer<typeof MemberStatus>;

export const Membership = z.object({ account: Account, role: MemberRole, status: MemberStatus });
export type Membership = z.infer<typeof Membership>;

export const MeResult = z.object({ person: Person, memberships: z.array(Membership) });
export const MembershipResult = z.object({ membership: Membership });
export const MyAccountCreated = z.object({ account: Account });

export const Member = z.object({
  id: z.string(),
  accountId: z.string(),
  email: z.string(),
  role: MemberRole,
  status: MemberStatus,
  /** Once a person accepted it: the membership is that person's from then on, whatever their email. */
  personId: z.string().optional(),
  createdAt: isoTime,
});
export type Member = z.infer<typeof Member>;
export const MemberResult = z.object({ member: Member });

/** One of the API keys that act for an account; the key itself is shown only when it is made. */
export const ApiKey = z.object({
  id: z.string(),
  /** The key's first 8 characters, so its owners can tell the keys apart. */
  prefix: z.string(),
  createdAt: isoTime,
  /** When the key was last used, at most an hour stale. */
  lastUsedAt: z.optional(isoTime),
});
export type ApiKey = z.infer<typeof ApiKey>;
export const ApiKeyCreated = z.object({ apiKey: ApiKey.omit({ lastUsedAt: true }), key: z.string() });
export type ApiKeyCreated = z.infer<typeof ApiKeyCreated>;

export const DeviceAuthorizationStarted = z.object({
  deviceCode: z.string(),
  userCode: z.string(),
  verificationUri: z.string(),
  verificationUriComplete: z.string(),
  expiresIn: z.number().int(),
  interval: z.number().int(),
});
export type DeviceAuthorizationStarted = z.infer<typeof DeviceAuthorizationStarted>;

export const DeviceAuthorizationStatus = z.enum(['pending', 'approved', 'denied', 'expired']);
export type DeviceAuthorizationStatus = z.infer<typeof DeviceAuthorizationStatus>;

export const DeviceAuthorization = z.object({
  userCode: z.string(),
  installationId: z.string(),
  productId: z.string(),
  hostname: z.string(),
  version: z.string(),
  virtual: z.boolean(),
  status: DeviceAuthorizationStatus,
  expiresAt: isoTime,
});
export type DeviceAuthorization = z.infer<typeof DeviceAuthorization>;
export const DeviceAuthorizationResult = z.object({ authorization: DeviceAuthorization });
export const ApprovalResult = z.object({ activation: Activation });

// ---------------------------------------------------------------- webhooks (API.md §9)

export * from './webhook-requests.js';

/** Why the service disabled an endpoint: a 410 answer, 5 days without a successful attempt, its creating API key revoked. */
export const WebhookDisabledReason = z.enum(['GONE', 'FAILING', 'KEY_REVOKED']);
export type WebhookDisabledReason = z.infer<typeof WebhookDisabledReason>;

export const WebhookEndpoint = z.object({
  id: z.string(),
  /** The owning account; absent for a vendor-wide endpoint (created by ops), which receives every event. */
  accountId: z.string().optional(),
  url: z.string(),
  /** The event types it receives; absent: every type. */
  types: z.array(EventType).optional(),
  description: z.string().optional(),
  enabled: z.boolean(),
  /** Set when the service, not the owner, disabled it. */
  disabledReason: WebhookDisabledReason.optional(),
  createdAt: isoTime,
  secretRotatedAt: z.optional(isoTime),
});
export type WebhookEndpoint = z.infer<typeof WebhookEndpoint>;
export const WebhookEndpointResult = z.object({ endpoint: WebhookEndpoint });
/** The endpoint and its signing secret (`whsec_` + base64 of 32 bytes), shown only in this answer. */
export const WebhookEndpointWithSecret = z.object({ endpoint: WebhookEndpoint, secret: z.string() });

export const WebhookDeliveryStatus = z.enum(['pending', 'succeeded', 'failed']);
export type WebhookDeliveryStatus = z.infer<typeof WebhookDeliveryStatus>;

export const WebhookDelivery = z.object({
  /** Unique within its endpoint: it names the event it delivers there. */
  id: z.string(),
  endpointId: z.string(),
  eventId: z.string(),
  type: EventType,
  status: WebhookDeliveryStatus,
  attempts: z.number().int(),
  createdAt: isoTime,
  lastAttemptAt: z.optional(isoTime),
  nextAttemptAt: z.optional(isoTime),
  /** The HTTP status the endpoint last answered with. */
  lastResponseStatus: z.number().int().optional(),
  /** Why the last attempt failed, or why none was made: a status, a timeout, a reset connection, a refused address… */
  lastError: z.string().optional(),
});
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;
export const WebhookDeliveryResult = z.object({ delivery: WebhookDelivery });
export const WebhookDeliveries = z.object({ deliveries: z.array(WebhookDelivery) });

/** What a delivery POSTs: the event exactly as the event routes answer it, and its time. */
export const WebhookPayload = z.object({ type: EventType, timestamp: isoTime, data: AuditEvent });
export type WebhookPayload = z.infer<typeof WebhookPayload>;
