import * as z from 'zod';
import { LicenseType } from '../catalog/catalog-schema.js';

/**
 * The contract's resources and request bodies (../shared/API.md §4). These zod schemas are the
 * one definition of the types, of the handlers' validation and of the OpenAPI document; the on-prem
 * client parses the server's answers with them too. Responses only ever grow.
 */

const isoTime = z.iso.datetime({ offset: true });
const id = z.string().min(1).max(128);

// ---------------------------------------------------------------- accounts

export const AccountKind = z.enum(['customer', 'reseller']);

export const AccountInput = z.strictObject({
  name: z.string().trim().min(1).max(200),
  email: z.email().max(254),
});
export type AccountInput = z.infer<typeof AccountInput>;

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

export const AssociationInput = z.strictObject({ resellerId: id, customerId: id });
export type AssociationInput = z.infer<typeof AssociationInput>;

export const Association = z.object({ resellerId: z.string(), customerId: z.string(), createdAt: isoTime });
export type Association = z.infer<typeof Association>;

export const AssociationPath = z.object({ resellerId: z.string(), customerId: z.string() });
export const CustomerPath = z.object({ customerId: z.string() });

// ---------------------------------------------------------------- lists

const limit = z
  .string()
  .regex(/^\d{1,3}$/, 'an integer from 1 to 100')
  .transform(Number)
  .pipe(z.number().int().min(1, 'an integer from 1 to 100').max(100, 'an integer from 1 to 100'));

export const ListQuery = z.strictObject({
  limit: limit.default(50),
  cursor: z.string().min(1).max(4096).optional(),
});
export type ListQuery = z.infer<typeof ListQuery>;

export const ListLicensesQuery = ListQuery.extend({ customerId: id.optional() });
export type ListLicensesQuery = z.infer<typeof ListLicensesQuery>;

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().optional() });

// ---------------------------------------------------------------- licenses

export const LicenseStatus = z.enum(['active', 'suspended', 'revoked', 'expired']);
export type LicenseStatus = z.infer<typeof LicenseStatus>;

export const IssueLicenseInput = z.strictObject({
  customerId: id,
  productId: id,
  type: LicenseType,
  quantity: z.number().int().min(1).max(1_000_000).optional(),
  edition: z.string().min(1).max(64).optional(),
  expiresAt: isoTime.optional(),
  maxActivations: z.number().int().min(1).max(1_000_000).optional(),
});
export type IssueLicenseInput = z.infer<typeof IssueLicenseInput>;

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
  expiresAt: isoTime.optional(),
  maxActivations: z.number().int(),
  activations: z.number().int(),
});
export type License = z.infer<typeof License>;

export const LicenseIssued = z.object({ license: License, key: z.string() });
export type LicenseIssued = z.infer<typeof LicenseIssued>;

export const LicensePath = z.object({ licenseId: z.string() });

/** Optional body of suspend / reinstate / revoke: a reason kept in the audit event. */
export const LicenseStatusChangeInput = z.strictObject({ reason: z.string().max(500).optional() }).optional();

// ---------------------------------------------------------------- audit events

export const EventType = z.enum([
  'account.created',
  'association.added',
  'association.removed',
  'license.issued',
  'license.suspended',
  'license.reinstated',
  'license.revoked',
  'trial.started',
  'activation.created',
  'activation.released',
]);
export type EventType = z.infer<typeof EventType>;

export const Actor = z.object({
  kind: z.enum(['ops', 'reseller', 'customer', 'installation', 'anonymous']),
  id: z.string(),
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

/** What an installation reports about the machine it runs on. */
const machineReport = {
  fingerprint: z.string().min(1).max(512),
  hostname: z.string().min(1).max(255),
  version: z.string().min(1).max(64),
  virtual: z.boolean(),
};

export const TrialInput = z.strictObject({ productId: id, ...machineReport });
export type TrialInput = z.infer<typeof TrialInput>;

export const ActivationInput = z
  .strictObject({
    key: z.string().max(256).optional(),
    licenseId: id.optional(),
    customerId: id.optional(),
    productId: id,
    ...machineReport,
  })
  .superRefine((input, context) => {
    if ((input.key === undefined) === (input.licenseId === undefined)) {
      context.addIssue({ code: 'custom', path: ['key'], message: 'give either key or licenseId' });
    }
    if (input.customerId !== undefined && input.licenseId === undefined) {
      context.addIssue({ code: 'custom', path: ['customerId'], message: 'customerId goes with licenseId' });
    }
  });
export type ActivationInput = z.infer<typeof ActivationInput>;

export const HeartbeatInput = z.strictObject({
  version: machineReport.version,
  usage: z.strictObject({ activeUsers: z.number().int().min(0).max(100_000_000) }),
});
export type HeartbeatInput = z.infer<typeof HeartbeatInput>;

export const InstallationPath = z.object({ installationId: z.string() });
export const ActivationPath = z.object({ installationId: z.string(), licenseId: z.string() });

export const OfflineActivationInput = z.strictObject({ request: z.string().min(1).max(16_384) });

/** The claims of an offline request file (a JWS signed by the installation key). */
export const OfflineRequestClaims = z.object({
  key: z.string().max(256),
  productId: id,
  ...machineReport,
  iat: z.number(),
  jti: z.string().min(1).max(256),
});
export type OfflineRequestClaims = z.infer<typeof OfflineRequestClaims>;

export const Activation = z.object({
  id: z.string(),
  licenseId: z.string(),
  installationId: z.string(),
  createdAt: isoTime,
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
  /** On restore: the activated licenses, as the on-prem server lists them. */
  licenses: z.array(License).optional(),
  /** On restore: a fresh license token. */
  token: z.string().optional(),
});
export type Installation = z.infer<typeof Installation>;

export const TokenResult = z.object({ token: z.string() });
export const TrialResult = z.object({ token: z.string(), installation: Installation });
export const ActivationResult = z.object({ token: z.string(), installation: Installation, activation: Activation });
export const InstallationResult = z.object({ installation: Installation, token: z.string() });

export const HealthResult = z.object({ status: z.literal('ok') });
export const JwksResult = z.object({ keys: z.array(z.record(z.string(), z.unknown())) });
