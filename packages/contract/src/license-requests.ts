import * as z from './zod.js';
import { displayText, id, IdempotencyKey, isoTime } from './fields.js';
import { LicenseType } from './license-type.js';
import { ListLicensesQuery, ListQuery } from './list-requests.js';
import { LicensePath } from './paths.js';
import type { RouteRequests } from './route-request.js';

/**
 * What license routes accept: the issuance body, the optional reason of a status change, and each
 * route's request. Each handler imports only its own area's module, so a function builds only the
 * schemas it validates with: building zod schemas is a good part of a cold start.
 */

const count = z.int().check(z.minimum(1), z.maximum(1_000_000));

export const IssueLicenseInput = z.strictObject({
  customerId: id,
  productId: id,
  type: LicenseType,
  quantity: z.optional(count),
  edition: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  expiresAt: z.optional(isoTime),
  maxActivations: z.optional(count),
});
export type IssueLicenseInput = z.infer<typeof IssueLicenseInput>;

/** Optional body of suspend / reinstate / revoke: a reason kept in the audit event. */
export const LicenseStatusChangeInput = z.optional(z.strictObject({ reason: z.optional(displayText) }));

/** `PUT /v1/admin/resellers/{resellerId}/budgets/{productId}/{type}`: the cap on what the reseller may issue. */
export const BudgetInput = z.strictObject({ limit: z.int().check(z.minimum(1), z.maximum(1_000_000_000)) });
export type BudgetInput = z.infer<typeof BudgetInput>;

export const BudgetPath = z.object({ resellerId: id, productId: id, type: id });
export const ResellerPath = z.object({ resellerId: id });

const statusChange = { params: LicensePath, body: LicenseStatusChangeInput };

export const licenseRequests = {
  issueLicense: { body: IssueLicenseInput, headers: z.object({ 'Idempotency-Key': z.optional(IdempotencyKey) }) },
  listLicenses: { query: ListLicensesQuery },
  getLicense: { params: LicensePath },
  listLicenseInstallations: { params: LicensePath, query: ListQuery },
  suspendLicense: statusChange,
  reinstateLicense: statusChange,
  revokeLicense: statusChange,
  setBudget: { params: BudgetPath, body: BudgetInput },
  listBudgets: { params: ResellerPath, query: ListQuery },
} as const satisfies RouteRequests;
