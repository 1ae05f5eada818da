/**
 * Every key of the single table, built in one place. Each entity's data module uses these
 * builders; nothing else spells a key. See docs/ARCHITECTURE.md for the access patterns.
 */
export const keys = {
  account: (accountId: string) => ({ pk: `ACCOUNT#${accountId}`, sk: 'ACCOUNT' }),
  accountsByKind: (kind: string) => `ACCOUNTS#${kind}`,
  apiKey: (apiKeyHash: string) => ({ pk: `APIKEY#${apiKeyHash}`, sk: 'APIKEY' }),
  association: (resellerId: string, customerId: string) => ({ pk: `ACCOUNT#${resellerId}`, sk: `CUSTOMER#${customerId}` }),
  associationPrefix: 'CUSTOMER#',
  license: (licenseId: string) => ({ pk: `LICENSE#${licenseId}`, sk: 'LICENSE' }),
  licensesOfCustomer: (customerId: string) => `CUSTOMER#${customerId}#LICENSES`,
  allLicenses: 'LICENSES',
  activation: (licenseId: string, installationId: string) => ({ pk: `LICENSE#${licenseId}`, sk: `ACTIVATION#${installationId}` }),
  activationPrefix: 'ACTIVATION#',
  installation: (installationId: string) => ({ pk: `INSTALLATION#${installationId}`, sk: 'INSTALLATION' }),
  proof: (installationId: string, jti: string) => ({ pk: `INSTALLATION#${installationId}`, sk: `JTI#${jti}` }),
  keyFailures: (installationId: string) => ({ pk: `INSTALLATION#${installationId}`, sk: 'KEY_FAILURES' }),
  trialFingerprint: (productId: string, fingerprintHash: string) => ({ pk: `TRIAL#${productId}#${fingerprintHash}`, sk: 'TRIAL' }),
  idempotency: (callerId: string, idempotencyKeyHash: string) => ({ pk: `IDEMPOTENCY#${callerId}#${idempotencyKeyHash}`, sk: 'IDEMPOTENCY' }),
  offlineRequest: (installationId: string, jti: string) => ({ pk: `OFFLINE#${installationId}#${jti}`, sk: 'OFFLINE' }),
  /** A reseller's issued quantity (and, once ops set one, its limit) per product and license type. */
  budget: (resellerId: string, productId: string, type: string) => ({ pk: `BUDGET#${resellerId}`, sk: `BUDGET#${productId}#${type}` }),
  budgetsOfReseller: (resellerId: string) => `BUDGET#${resellerId}`,
  budgetPrefix: 'BUDGET#',
  /** gsi3 partition of licenses whose quantity a budget holds until they expire (sparse: removed once given back). */
  budgetExpiries: 'BUDGET_EXPIRIES',
  member: (accountId: string, memberId: string) => ({ pk: `ACCOUNT#${accountId}`, sk: `MEMBER#${memberId}` }),
  memberPrefix: 'MEMBER#',
  /** The same membership under its email: a person's memberships are one strongly consistent Query. */
  membershipOfEmail: (email: string, accountId: string) => ({ pk: `EMAIL#${email}`, sk: `ACCOUNT#${accountId}` }),
  membershipsOfEmail: (email: string) => `EMAIL#${email}`,
  owners: (accountId: string) => ({ pk: `ACCOUNT#${accountId}`, sk: 'OWNERS' }),
  deviceAuthorization: (userCode: string) => ({ pk: `USERCODE#${userCode}`, sk: 'DEVICE_AUTHORIZATION' }),
  deviceCode: (deviceCodeHash: string) => ({ pk: `DEVICECODE#${deviceCodeHash}`, sk: 'DEVICE_CODE' }),
  userCodeFailures: (personId: string) => ({ pk: `PERSON#${personId}`, sk: 'USER_CODE_FAILURES' }),
  /** Event feeds live in the partition of what they describe: an account, a license, an installation. */
  eventFeed: {
    account: (accountId: string) => `ACCOUNT#${accountId}`,
    license: (licenseId: string) => `LICENSE#${licenseId}`,
    installation: (installationId: string) => `INSTALLATION#${installationId}`,
  },
  event: (eventId: string) => `EVENT#${eventId}`,
  eventPrefix: 'EVENT#',
} as const;

/**
 * Whether an id from a request can be part of a key. DynamoDB rejects keys over 2 KB with a
 * ValidationException; an id that long names nothing, so lookups answer "not found" without asking.
 */
export function isStorableId(id: string): boolean {
  return id.length > 0 && id.length <= 256;
}
