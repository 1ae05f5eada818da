import type { routes } from '@license-activation/contract/routes';
import { partitions } from '#lib/data/keys.js';
import type { Partition } from '#lib/data/keys.js';
import { insightsStreamChanges } from '#lib/insights/insights-stream.js';
import { dispatcherStreamChanges } from '#lib/webhooks/table-changes.js';

/** Every Lambda function of the service: one per `function` of the route table, the API key authorizer, the scheduled job and the stream consumers. */
export type FunctionName = (typeof routes)[number]['function'] | 'authorizer' | 'return-budgets' | 'insights-stream' | 'webhook-dispatcher';

/** What a function may touch. Anything not listed here, it may not. */
export interface TableNeeds {
  /** Read-only (GetItem, BatchGetItem, Query) or read-write (and PutItem, UpdateItem, DeleteItem, BatchWriteItem, ConditionCheckItem). Never Scan. */
  readonly access: 'RO' | 'RW';
  /** The partitions (lib/data/keys.ts) it may touch, as `dynamodb:LeadingKeys` conditions: no other item, read or written. */
  readonly partitions: readonly Partition[];
}

export interface FunctionNeeds {
  /** The single table. */
  readonly table?: TableNeeds;
  /**
   * The token signing key. `sign`: kms:Sign and kms:GetPublicKey on the current key;
   * `publish`: kms:GetPublicKey on the current key and on every former key still published in the JWKS.
   */
  readonly signingKey?: 'sign' | 'publish';
  /** kms:Encrypt and kms:Decrypt on the symmetric key that keeps license keys for idempotent replays. */
  readonly secretBox?: true;
  /** The user pool and app client (no IAM: a person's token is its own credential), for the functions that authenticate persons or publish sign-in settings. */
  readonly userDirectory?: true;
  /** `SITE_URL`, for the functions that tell where people enter user codes. */
  readonly siteUrl?: true;
  /** A consumer of the table's change stream (docs/ARCHITECTURE.md, "After a commit"): what it is given, and how late it may run. */
  readonly stream?: StreamNeeds;
  /** Longer than a request's 10 seconds: a job's or a stream consumer's time. */
  readonly timeoutSeconds?: number;
}

/**
 * The changes of the table a stream consumer is given (on AWS, its event source mapping's filters): whole
 * partitions by prefix, single items, and Lambda filter patterns on what keys cannot tell
 * (`{eventName, dynamodb: {NewImage, OldImage}}`: an insert into a sparse index, a removal). At most 5 filters in all.
 */
export interface StreamChanges {
  readonly partitionPrefixes?: readonly string[];
  readonly items?: readonly { readonly pk: string; readonly sk: string }[];
  readonly patterns?: readonly Record<string, unknown>[];
}

export interface StreamNeeds {
  readonly changes: StreamChanges;
  /** How late it may apply the stream before ops are told (its lag alarm). */
  readonly maxLagSeconds: number;
}

/**
 * Least privilege, as data: the stack grants exactly this and the tests read it back from the template.
 * `satisfies Record<FunctionName, …>` makes a route whose function is missing here a type error.
 */
export const functionNeeds = {
  health: { table: { access: 'RO', partitions: ['health'] } },
  'public-documents': { signingKey: 'publish', userDirectory: true },
  'register-account': { table: { access: 'RW', partitions: ['account', 'apiKey', 'email', 'registrationSource'] } },
  'create-reseller': { table: { access: 'RW', partitions: ['account', 'apiKey', 'email'] } },
  'add-association': { table: { access: 'RW', partitions: ['account'] } },
  'remove-association': { table: { access: 'RW', partitions: ['account'] } },
  'create-customer': { table: { access: 'RW', partitions: ['account', 'apiKey', 'email', 'person'] } },
  'list-customers': { table: { access: 'RO', partitions: ['account', 'person', 'accountsByKind'] } },
  'list-events': { table: { access: 'RO', partitions: ['account', 'person', 'license', 'installation'] } },
  'issue-license': { table: { access: 'RW', partitions: ['account', 'person', 'license', 'idempotency', 'budget'] }, secretBox: true },
  'list-licenses': { table: { access: 'RO', partitions: ['account', 'person', 'licensesOfCustomer', 'allLicenses'] } },
  'get-license': { table: { access: 'RO', partitions: ['account', 'person', 'license'] } },
  'list-license-installations': { table: { access: 'RO', partitions: ['account', 'person', 'license', 'installation'] } },
  'change-license-status': { table: { access: 'RW', partitions: ['account', 'person', 'license', 'budget'] } },
  'start-trial': { table: { access: 'RW', partitions: ['account', 'license', 'installation', 'trial', 'trialSource'] }, signingKey: 'sign' },
  activate: { table: { access: 'RW', partitions: ['account', 'apiKey', 'person', 'license', 'installation', 'trial'] }, signingKey: 'sign', userDirectory: true },
  heartbeat: { table: { access: 'RW', partitions: ['account', 'license', 'installation'] }, signingKey: 'sign' },
  'release-activation': { table: { access: 'RW', partitions: ['account', 'apiKey', 'person', 'license', 'installation'] }, userDirectory: true },
  'get-installation': { table: { access: 'RW', partitions: ['account', 'apiKey', 'person', 'license', 'installation'] }, signingKey: 'sign', userDirectory: true },
  'offline-activate': { table: { access: 'RW', partitions: ['account', 'license', 'installation', 'trial', 'offlineRequest'] }, signingKey: 'sign' },
  people: { table: { access: 'RW', partitions: ['account', 'accountsByKind', 'email', 'person'] } },
  members: { table: { access: 'RW', partitions: ['account', 'apiKey', 'email', 'person'] } },
  'device-authorizations': { table: { access: 'RW', partitions: ['account', 'license', 'installation', 'trial', 'userCode', 'deviceCode'] }, signingKey: 'sign', siteUrl: true },
  'device-approvals': { table: { access: 'RW', partitions: ['account', 'person', 'license', 'installation', 'trial', 'userCode', 'deviceCode'] }, signingKey: 'sign' },
  // Writes only when a key was last used over an hour ago: its lookup and its listing (`lastUsedAt`).
  authorizer: { table: { access: 'RW', partitions: ['apiKey', 'account'] }, userDirectory: true },
  'set-budget': { table: { access: 'RW', partitions: ['account', 'email', 'budget'] } },
  'list-budgets': { table: { access: 'RO', partitions: ['account', 'person', 'budget'] } },
  /** Scheduled (hourly): gives budgets back the quantity of expired licenses. */
  'return-budgets': { table: { access: 'RW', partitions: ['license', 'budget', 'budgetExpiries'] } },
  /** RW for the proof an installation spends reading its own usage: into its installation item (or its proof ledger). */
  'usage-insights': { table: { access: 'RW', partitions: ['account', 'apiKey', 'person', 'license', 'installation', 'insights', 'usage'] }, userDirectory: true },
  /** The stream consumer that keeps usage history and insights: it reads only the records it is given. */
  'insights-stream': { table: { access: 'RW', partitions: ['insights', 'usage'] }, stream: { changes: insightsStreamChanges, maxLagSeconds: 60 } },
  // Endpoints (their secrets sealed) and their deliveries: one function for the family, as `members` is.
  webhooks: { table: { access: 'RW', partitions: ['person', 'webhooks', 'deliveries'] }, secretBox: true },
  /**
   * The table's stream, a schedule and its own invocations: events become deliveries (reading endpoints and
   * what decides who reads an event, taking each event out of the outbox in its feed), deliveries are attempted
   * (opening secrets); each minute's sweep also gives the expiry notices due (`license.expiring`, `license.expired`).
   * Its first attempts are due within 5 seconds of a commit.
   */
  'webhook-dispatcher': {
    table: { access: 'RW', partitions: ['account', 'license', 'installation', 'webhooks', 'deliveries', 'undispatchedEvents', 'dueDeliveries', 'licenseExpiries'] },
    secretBox: true,
    stream: { changes: dispatcherStreamChanges, maxLagSeconds: 60 },
    // A run of deliveries waits up to a minute for an attempt falling due, then sends for up to 15 seconds, more than once.
    timeoutSeconds: 300,
  },
} as const satisfies Record<FunctionName, FunctionNeeds>;

export const functionNames = Object.keys(functionNeeds) as FunctionName[];

/**
 * The consumers of the table's change stream: the functions whose needs say `stream`. The stack puts each
 * behind its own event source mapping (cdk/constructs/table-stream-consumer.ts) and `npm start` runs each on
 * the local stream (dev/stream-consumers.ts): a consumer is added by its `stream` line above, nowhere else.
 */
export type StreamConsumerName = { [N in FunctionName]: (typeof functionNeeds)[N] extends { readonly stream: StreamNeeds } ? N : never }[FunctionName];

const consumesStream = (name: FunctionName): name is StreamConsumerName => 'stream' in functionNeeds[name];
export const streamConsumerNames: readonly StreamConsumerName[] = functionNames.filter(consumesStream);

/** The `dynamodb:LeadingKeys` patterns of a set of partitions: a prefix ending in `#` matches its ids, others exactly. */
export function leadingKeyPatterns(names: readonly Partition[]): string[] {
  return names.map((name) => (partitions[name].endsWith('#') ? `${partitions[name]}*` : partitions[name]));
}
