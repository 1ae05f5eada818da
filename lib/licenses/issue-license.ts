import { createHash } from 'node:crypto';
import type { Table } from '../platform/dynamodb.js';
import { customerAccessGuard } from '../auth/access-facts.js';
import type { AccountPrincipal, Actor } from '../auth/principal.js';
import type { Catalog } from '@license-activation/contract/catalog-schema';
import { problem } from '@license-activation/contract/problem';
import type { IssueLicenseInput, LicenseIssued } from '@license-activation/contract/schemas';
import type { SecretBox } from '../keys/secret-box.js';
import { retry, retryOnContention } from '../data/contention.js';
import { getIdempotencyRecord, idempotencyPut } from '../data/idempotency.js';
import type { IdempotencyRecord } from '../data/idempotency.js';
import { getLicense, putLicense } from '../data/licenses.js';
import { budgetTake } from '../data/budgets.js';
import type { LicenseRecord } from '../data/licenses.js';
import { newId } from '../ids.js';
import { generateLicenseKey, keyPrefixOf, licenseIdOf, normalizeLicenseKey } from './license-key.js';
import { licenseTermsFor } from './license-terms.js';
import { toLicense } from './license-view.js';
import { canonicalJson } from '../canonical-json.js';

export interface IssueLicenseDeps {
  readonly table: Table;
  readonly catalog: Catalog;
  readonly secretBox: SecretBox;
}

/** How long a replay of the same `Idempotency-Key` answers the same license and key. */
export const idempotencyWindowMs = 24 * 60 * 60 * 1000;

export interface IssueLicenseRequest {
  readonly issuer: AccountPrincipal;
  /** Who acted: the issuer, or the person acting through its membership. */
  readonly actor: Actor;
  readonly input: IssueLicenseInput;
  /** The `Idempotency-Key` header, when the client sent one (validated by the route's request: `IdempotencyKey`). */
  readonly idempotencyKey?: string;
  readonly now: Date;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('base64url');

async function replay(deps: IssueLicenseDeps, record: IdempotencyRecord, requestHash: string, now: Date): Promise<LicenseIssued> {
  if (record.requestHash !== requestHash) {
    throw problem('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used with another request in the last 24 hours');
  }
  const license = await getLicense(deps.table, record.licenseId);
  if (!license) throw new Error(`idempotency record names a missing license ${record.licenseId}`);
  // The key goes out again only to an issuer that may still act for the customer, as at issuance: the
  // route's access decided so for the body's customer, which the same request hash makes this license's.
  const key = await deps.secretBox.open(record.sealedKey, { licenseId: record.licenseId });
  return { license: toLicense(license, now), key };
}

function budgetDetail(record: LicenseRecord, budget: Record<string, unknown> | undefined): string {
  const limit = budget?.limit;
  const used = budget?.used;
  return `issuing ${record.quantity} more ${record.productId} ${record.type} would pass the budget (${String(used)} of ${String(limit)} used)`;
}

/**
 * `POST /v1/licenses`: issues a license key for a customer the issuer manages. The key is returned
 * once and never stored; with an `Idempotency-Key`, a sealed copy answers replays for 24 hours.
 * Concurrent retries with one key create one license: the idempotency record is claimed in the
 * same transaction as the license, and the loser answers the winner's license.
 */
export async function issueLicense(deps: IssueLicenseDeps, request: IssueLicenseRequest): Promise<{ issued: LicenseIssued; replayed: boolean }> {
  const { issuer, input, now } = request;
  const terms = licenseTermsFor(deps.catalog, input, now);
  const keyHash = request.idempotencyKey === undefined ? undefined : sha256(request.idempotencyKey);
  const requestHash = sha256(canonicalJson(input));
  const guard = customerAccessGuard(deps.table, issuer, input.customerId);

  return retryOnContention(async () => {
    if (keyHash) {
      const existing = await getIdempotencyRecord(deps.table, issuer.id, keyHash, now);
      if (existing) return { issued: await replay(deps, existing, requestHash, now), replayed: true };
    }
    const key = generateLicenseKey();
    const normalizedKey = normalizeLicenseKey(key) as string;
    const record: LicenseRecord = {
      id: licenseIdOf(normalizedKey),
      customerId: input.customerId,
      ...terms,
      status: 'active',
      keyPrefix: keyPrefixOf(normalizedKey),
      issuedBy: issuer.id,
      createdAt: now.toISOString(),
      activations: 0,
      // A reseller's issues count against its budget for the product and type (API.md §8); ops' do not.
      ...(issuer.kind === 'reseller' ? { budgetHeld: true } : {}),
    };
    const idempotencyRecord: IdempotencyRecord | undefined = keyHash
      ? {
          callerId: issuer.id,
          keyHash,
          requestHash,
          licenseId: record.id,
          sealedKey: await deps.secretBox.seal(key, { licenseId: record.id }),
          expiresAt: new Date(now.getTime() + idempotencyWindowMs).toISOString(),
        }
      : undefined;
    const issued = await putLicense(deps.table, {
      record,
      guard,
      idempotencyPut: idempotencyRecord && idempotencyPut(deps.table, idempotencyRecord, now),
      // In the license's own transaction: a replay (answered above) or a lost race never counts twice.
      ...(record.budgetHeld ? { budgetTake: budgetTake(deps.table, { resellerId: issuer.id, productId: record.productId, type: record.type }, record.quantity) } : {}),
      event: {
        id: newId('evt', now),
        type: 'license.issued',
        createdAt: record.createdAt,
        actor: request.actor,
        customerId: record.customerId,
        licenseId: record.id,
        data: { productId: record.productId, type: record.type, quantity: record.quantity, keyPrefix: record.keyPrefix },
      },
    });
    switch (issued.outcome) {
      case 'created':
        return { issued: { license: toLicense(record, now), key }, replayed: false };
      case 'guard-failed':
        throw problem('NOT_FOUND', `no customer ${input.customerId}`);
      case 'budget-exceeded':
        throw problem('BUDGET_EXCEEDED', budgetDetail(record, issued.budget));
      case 'idempotency-key-taken':
      case 'contention':
        // Another request with the same key won, or the items were busy: read again and replay or retry.
        return retry;
    }
  });
}
