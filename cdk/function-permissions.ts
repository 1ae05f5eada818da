import type { routes } from '@license-activation/contract/routes';

/** Every Lambda function of the service: one per `function` of the route table, plus the API key authorizer. */
export type FunctionName = (typeof routes)[number]['function'] | 'authorizer' | 'return-budgets';

/** What a function may touch. Anything not listed here, it may not. */
export interface FunctionNeeds {
  /** The single table: read-only or read-write. */
  readonly table?: 'RO' | 'RW';
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
}

/**
 * Least privilege, as data: the stack grants exactly this and the tests read it back from the template.
 * `satisfies Record<FunctionName, …>` makes a route whose function is missing here a type error.
 */
export const functionNeeds = {
  health: { table: 'RO' },
  'public-documents': { signingKey: 'publish', userDirectory: true },
  'register-account': { table: 'RW' },
  'create-reseller': { table: 'RW' },
  'add-association': { table: 'RW' },
  'remove-association': { table: 'RW' },
  'create-customer': { table: 'RW' },
  'list-customers': { table: 'RO' },
  'list-events': { table: 'RO' },
  'issue-license': { table: 'RW', secretBox: true },
  'list-licenses': { table: 'RO' },
  'get-license': { table: 'RO' },
  'change-license-status': { table: 'RW' },
  'start-trial': { table: 'RW', signingKey: 'sign' },
  activate: { table: 'RW', signingKey: 'sign', userDirectory: true },
  heartbeat: { table: 'RW', signingKey: 'sign' },
  'release-activation': { table: 'RW', userDirectory: true },
  'get-installation': { table: 'RW', signingKey: 'sign', userDirectory: true },
  'offline-activate': { table: 'RW', signingKey: 'sign' },
  people: { table: 'RW' },
  members: { table: 'RW' },
  'device-authorizations': { table: 'RW', signingKey: 'sign', siteUrl: true },
  'device-approvals': { table: 'RW', signingKey: 'sign' },
  authorizer: { table: 'RO', userDirectory: true },
  'set-budget': { table: 'RW' },
  'list-budgets': { table: 'RO' },
  /** Scheduled (hourly): gives budgets back the quantity of expired licenses. */
  'return-budgets': { table: 'RW' },
} as const satisfies Record<FunctionName, FunctionNeeds>;

export const functionNames = Object.keys(functionNeeds) as FunctionName[];
