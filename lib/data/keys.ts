/**
 * The partition key prefixes of the table (its indexes' included), by what lives under them. IAM lets
 * each function reach only the ones it names (cdk/function-permissions.ts, `dynamodb:LeadingKeys`),
 * so a new kind of item is one line here, and one name in the permissions of the functions that use it.
 */
export const partitions = {
  health: 'HEALTH',
  account: 'ACCOUNT#',
  apiKey: 'APIKEY#',
  license: 'LICENSE#',
  installation: 'INSTALLATION#',
  trial: 'TRIAL#',
  idempotency: 'IDEMPOTENCY#',
  offlineRequest: 'OFFLINE#',
  budget: 'BUDGET#',
  email: 'EMAIL#',
  userCode: 'USERCODE#',
  deviceCode: 'DEVICECODE#',
  person: 'PERSON#',
  /** An owner's webhook endpoints (an account id, or `vendor` for ops'), their count, and which resellers have any. */
  webhooks: 'WEBHOOKS#',
  /** An endpoint's deliveries. */
  deliveries: 'DELIVERIES#',
  /** gsi3: licenses whose quantity a budget holds until they expire. */
  budgetExpiries: 'BUDGET_EXPIRIES',
  /** gsi3: events not yet handed to webhooks and the event bus (the outbox the dispatcher sweeps). */
  undispatchedEvents: 'EVENTS_UNDISPATCHED',
  /** gsi3: pending webhook deliveries by the time of their next attempt. */
  dueDeliveries: 'DELIVERIES_DUE',
  /** gsi3: licenses by the time of their next expiry notice (`license.expiring`, `license.expired`). */
  licenseExpiries: 'LICENSE_EXPIRIES',
  /** Per-source daily counters of the brakes on anonymous creation (lib/net/source-brakes.ts). */
  trialSource: 'TRIALS_FROM#',
  registrationSource: 'REGISTRATIONS_FROM#',
  /** gsi1: accounts by kind. */
  accountsByKind: 'ACCOUNTS#',
  /** gsi1: a customer's licenses. */
  licensesOfCustomer: 'CUSTOMER#',
  /** gsi2: every license. */
  allLicenses: 'LICENSES',
  /** Insights per scope (the vendor, a customer, a reseller), kept from the change stream (lib/insights/). */
  insights: 'INSIGHTS#',
  /** Daily usage history of installations and licenses, kept from the change stream (lib/insights/). */
  usage: 'USAGE#',
} as const;
export type Partition = keyof typeof partitions;
/** The partitions of per-source daily counters. */
export type SourceCountPartition = Extract<Partition, 'trialSource' | 'registrationSource'>;

/**
 * Every key of the single table, built in one place. Each entity's data module uses these
 * builders; nothing else spells a key. See docs/ARCHITECTURE.md for the access patterns.
 */
export const keys = {
  account: (accountId: string) => ({ pk: `${partitions.account}${accountId}`, sk: 'ACCOUNT' }),
  accountsByKind: (kind: string) => `${partitions.accountsByKind}${kind}`,
  apiKey: (apiKeyHash: string) => ({ pk: `${partitions.apiKey}${apiKeyHash}`, sk: 'APIKEY' }),
  /** The same key in its account's list of keys. */
  accountApiKey: (accountId: string, keyId: string) => ({ pk: `${partitions.account}${accountId}`, sk: `APIKEY#${keyId}` }),
  accountApiKeyPrefix: 'APIKEY#',
  /** How many keys an account has (at most 5). */
  apiKeyCount: (accountId: string) => ({ pk: `${partitions.account}${accountId}`, sk: 'APIKEYS' }),
  association: (resellerId: string, customerId: string) => ({ pk: `${partitions.account}${resellerId}`, sk: `CUSTOMER#${customerId}` }),
  associationPrefix: 'CUSTOMER#',
  license: (licenseId: string) => ({ pk: `${partitions.license}${licenseId}`, sk: 'LICENSE' }),
  licensesOfCustomer: (customerId: string) => `${partitions.licensesOfCustomer}${customerId}#LICENSES`,
  allLicenses: partitions.allLicenses,
  activation: (licenseId: string, installationId: string) => ({ pk: `${partitions.license}${licenseId}`, sk: `ACTIVATION#${installationId}` }),
  activationPrefix: 'ACTIVATION#',
  installation: (installationId: string) => ({ pk: `${partitions.installation}${installationId}`, sk: 'INSTALLATION' }),
  /** The DPoP proofs an installation spent before it had an item (starting a sign-in activation). */
  proofLedger: (installationId: string) => ({ pk: `${partitions.installation}${installationId}`, sk: 'PROOFS' }),
  keyFailures: (installationId: string) => ({ pk: `${partitions.installation}${installationId}`, sk: 'KEY_FAILURES' }),
  trialFingerprint: (productId: string, fingerprintHash: string) => ({ pk: `${partitions.trial}${productId}#${fingerprintHash}`, sk: 'TRIAL' }),
  /** What one brake counted from one source (an address or a network) on one UTC day. */
  sourceCount: (partition: SourceCountPartition, source: string, day: string) => ({ pk: `${partitions[partition]}${source}#${day}`, sk: 'COUNT' }),
  idempotency: (callerId: string, idempotencyKeyHash: string) => ({ pk: `${partitions.idempotency}${callerId}#${idempotencyKeyHash}`, sk: 'IDEMPOTENCY' }),
  offlineRequest: (installationId: string, jti: string) => ({ pk: `${partitions.offlineRequest}${installationId}#${jti}`, sk: 'OFFLINE' }),
  /** A reseller's issued quantity (and, once ops set one, its limit) per product and license type. */
  budget: (resellerId: string, productId: string, type: string) => ({ pk: `${partitions.budget}${resellerId}`, sk: `BUDGET#${productId}#${type}` }),
  budgetsOfReseller: (resellerId: string) => `${partitions.budget}${resellerId}`,
  budgetPrefix: 'BUDGET#',
  /** gsi3 partition of licenses whose quantity a budget holds until they expire (sparse: removed once given back). */
  budgetExpiries: partitions.budgetExpiries,
  member: (accountId: string, memberId: string) => ({ pk: `${partitions.account}${accountId}`, sk: `MEMBER#${memberId}` }),
  memberPrefix: 'MEMBER#',
  /** The same membership under its email: one per account and email, and an email's invitations in one strongly consistent Query. */
  membershipOfEmail: (email: string, accountId: string) => ({ pk: `${partitions.email}${email}`, sk: `ACCOUNT#${accountId}` }),
  membershipsOfEmail: (email: string) => `${partitions.email}${email}`,
  /** How many invitations an email holds (at most 20). */
  invitationsOfEmail: (email: string) => ({ pk: `${partitions.email}${email}`, sk: 'INVITATIONS' }),
  /** An accepted membership under its person: what a person acts through, one strongly consistent Query. */
  membershipOfPerson: (personId: string, accountId: string) => ({ pk: `${partitions.person}${personId}`, sk: `ACCOUNT#${accountId}` }),
  membershipsOfPerson: (personId: string) => `${partitions.person}${personId}`,
  membershipPrefix: 'ACCOUNT#',
  /** How many active owners an account has (the last one is neither removed nor demoted). */
  owners: (accountId: string) => ({ pk: `${partitions.account}${accountId}`, sk: 'OWNERS' }),
  deviceAuthorization: (userCode: string) => ({ pk: `${partitions.userCode}${userCode}`, sk: 'DEVICE_AUTHORIZATION' }),
  deviceCode: (deviceCodeHash: string) => ({ pk: `${partitions.deviceCode}${deviceCodeHash}`, sk: 'DEVICE_CODE' }),
  userCodeFailures: (personId: string) => ({ pk: `${partitions.person}${personId}`, sk: 'USER_CODE_FAILURES' }),
  /** Event feeds live in the partition of what they describe: an account, a license, an installation. */
  eventFeed: {
    account: (accountId: string) => `${partitions.account}${accountId}`,
    license: (licenseId: string) => `${partitions.license}${licenseId}`,
    installation: (installationId: string) => `${partitions.installation}${installationId}`,
  },
  event: (eventId: string) => `EVENT#${eventId}`,
  eventPrefix: 'EVENT#',
  /** One scope's insights (`VENDOR`, `CUSTOMER#<id>`, `RESELLER#<id>`): counters, what each source added, the over-seats index. */
  insightsScope: (scope: string) => `${partitions.insights}${scope}`,
  /** The consumer's clock: the scheduled tick, and how far it has applied the stream (`asOf`). */
  insightsClock: `${partitions.insights}CLOCK`,
  /** An installation's or a license's day of usage history (`date` as YYYY-MM-DD). */
  installationUsageDay: (installationId: string, date: string) => ({ pk: `${partitions.usage}INSTALLATION#${installationId}`, sk: `DAY#${date}` }),
  licenseUsageDay: (licenseId: string, date: string) => ({ pk: `${partitions.usage}LICENSE#${licenseId}`, sk: `DAY#${date}` }),
  /** A license's status changes (from its events), which give the seats it granted each day. */
  licenseStatusHistory: (licenseId: string) => ({ pk: `${partitions.usage}LICENSE#${licenseId}`, sk: 'STATUS' }),
  usageDayPrefix: 'DAY#',
  /** gsi3 partition of events whose webhooks and bus entry are still to be made. */
  undispatchedEvents: partitions.undispatchedEvents,
  /** The expiry notices a license with an `expiresAt` still has to give. */
  licenseExpiryNotices: (licenseId: string) => ({ pk: `${partitions.license}${licenseId}`, sk: 'EXPIRY_NOTICES' }),
  licenseExpiries: partitions.licenseExpiries,
  /** `vendor` owns the endpoints ops create; account ids cannot collide with it. */
  webhookOwner: (ownerKey: string) => `${partitions.webhooks}${ownerKey}`,
  webhookEndpoint: (ownerKey: string, endpointId: string) => ({ pk: `${partitions.webhooks}${ownerKey}`, sk: `ENDPOINT#${endpointId}` }),
  webhookEndpointPrefix: 'ENDPOINT#',
  /** The owner's calls of `test`, `retry` and `recover` on an endpoint within one minute (ttl). */
  webhookCalls: (ownerKey: string, endpointId: string, minute: string) => ({ pk: `${partitions.webhooks}${ownerKey}`, sk: `CALLS#${endpointId}#${minute}` }),
  /** How many endpoints an owner holds (at most 10). */
  webhookCount: (ownerKey: string) => ({ pk: `${partitions.webhooks}${ownerKey}`, sk: 'COUNT' }),
  /** The resellers that have endpoints: the dispatcher checks their associations with an event's customer. */
  webhookResellers: `${partitions.webhooks}RESELLERS`,
  webhookReseller: (resellerId: string) => ({ pk: `${partitions.webhooks}RESELLERS`, sk: `RESELLER#${resellerId}` }),
  /** A delivery is named by its event: an event reaches an endpoint once (`recover` and `retry` send the same delivery again). */
  delivery: (endpointId: string, eventId: string) => ({ pk: `${partitions.deliveries}${endpointId}`, sk: `DELIVERY#${eventId}` }),
  deliveriesOf: (endpointId: string) => `${partitions.deliveries}${endpointId}`,
  deliveryPrefix: 'DELIVERY#',
  dueDeliveries: partitions.dueDeliveries,
} as const;

/**
 * Whether an id from a request can be part of a key. DynamoDB rejects keys over 2 KB with a
 * ValidationException; an id that long names nothing, so lookups answer "not found" without asking.
 */
export function isStorableId(id: string): boolean {
  return id.length > 0 && id.length <= 256;
}
