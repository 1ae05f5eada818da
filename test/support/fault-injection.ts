import {
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
  TransactionConflictException,
} from '@aws-sdk/client-dynamodb';
import { DecryptCommand, DisabledException, EncryptCommand, KMSClient, KMSInvalidStateException, KMSServiceException, NotFoundException } from '@aws-sdk/client-kms';
import type { Table } from '#lib/platform/dynamodb.js';
import { fakeKms } from './fake-kms.js';

/**
 * What goes wrong with one AWS call:
 * - `throttled`: DynamoDB `ProvisionedThroughputExceededException` or KMS `ThrottlingException`, as
 *   the caller sees it once the SDK's own retries are spent;
 * - `conflict`: DynamoDB cancels a transaction for `TransactionConflict` (another `TransactionConflictException`);
 * - `timeout`: the request never reaches the service and the connection resets (the SDK retries it);
 * - `lost-answer`: DynamoDB commits the write, then the answer is lost on the way back (the SDK retries
 *   it with the same `ClientRequestToken`);
 * - `invalid-key-state`: KMS `KMSInvalidStateException` (the key is disabled or pending deletion);
 * - `key-disabled`, `key-not-found`, `key-access-denied`: KMS `DisabledException`, `NotFoundException`
 *   (the key or its alias deleted), `AccessDeniedException` (the function's grant removed).
 */
export type FaultKind = 'throttled' | 'conflict' | 'timeout' | 'lost-answer' | 'invalid-key-state' | KeyFaultKind;
type KeyFaultKind = 'key-disabled' | 'key-not-found' | 'key-access-denied';
const keyFaults: Record<KeyFaultKind, () => Error> = {
  'key-disabled': () => new DisabledException({ message: 'the key is disabled', $metadata: { httpStatusCode: 400 } }),
  'key-not-found': () => new NotFoundException({ message: 'the key does not exist', $metadata: { httpStatusCode: 400 } }),
  'key-access-denied': () => new KMSServiceException({ name: 'AccessDeniedException', $fault: 'client', message: 'not authorized to perform kms:Sign', $metadata: { httpStatusCode: 400 } }),
};

export interface AwsCall {
  readonly service: 'dynamodb' | 'kms';
  readonly operation: string;
  /** Whether a successful call changes the table. */
  readonly write: boolean;
}

export interface Fault {
  readonly kind: FaultKind;
  /** Index of the call that fails, counting every AWS call since `arm`. */
  readonly at: number;
  /**
   * An outage rather than a glitch: every attempt of that call fails, and so does every later call
   * of the same operation. A glitch fails the call once (one attempt, for faults the SDK retries).
   */
  readonly persistent?: boolean;
}

const dynamodbWrites = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'TransactWriteItems', 'BatchWriteItem']);

/**
 * Whether a DynamoDB call can change the table: a write, but not a transaction of condition checks
 * alone (a good key's answer asks that way whether the failure limit still admits it).
 */
export function changesTable(operation: string, input: unknown): boolean {
  const transactItems = (input as { TransactItems?: readonly object[] }).TransactItems;
  return dynamodbWrites.has(operation) && !(transactItems?.every((item) => 'ConditionCheck' in item) ?? false);
}

/** The faults that make sense for a call: KMS calls have no transactions and no side effects to lose. */
export function faultsFor(call: AwsCall): FaultKind[] {
  if (call.service === 'kms') return ['throttled', 'invalid-key-state', 'timeout', ...(Object.keys(keyFaults) as KeyFaultKind[])];
  // A read meets a conflict as a retryable error just like throttling: one of the two says it all.
  return call.write ? ['throttled', 'conflict', 'timeout', 'lost-answer'] : ['throttled', 'timeout'];
}

const connectionReset = () => Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ECONNRESET', $metadata: {} });

function dynamodbFault(kind: FaultKind, operation: string, input: unknown): Error {
  if (kind === 'throttled') return new ProvisionedThroughputExceededException({ message: 'The level of configured provisioned throughput was exceeded', $metadata: { httpStatusCode: 400 } });
  if (kind === 'conflict' && operation === 'TransactWriteItems') {
    const count = ((input as { TransactItems?: unknown[] }).TransactItems ?? []).length;
    return new TransactionCanceledException({
      message: 'Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict]',
      $metadata: { httpStatusCode: 400 },
      CancellationReasons: Array.from({ length: count }, (_, index) => ({ Code: index === 0 ? 'TransactionConflict' : 'None' })),
    });
  }
  if (kind === 'conflict') return new TransactionConflictException({ message: 'Transaction is ongoing for the item', $metadata: { httpStatusCode: 400 } });
  throw new TypeError(`${kind} is not raised before the SDK's retries`);
}

function kmsFault(kind: FaultKind): Error {
  if (Object.hasOwn(keyFaults, kind)) return keyFaults[kind as KeyFaultKind]();
  if (kind === 'invalid-key-state') return new KMSInvalidStateException({ message: 'the key is pending deletion', $metadata: { httpStatusCode: 400 } });
  if (kind === 'throttled') return new KMSServiceException({ name: 'ThrottlingException', $fault: 'client', message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
  return connectionReset();
}

type Send = (this: KMSClient, command: { constructor: { name: string } }, ...rest: unknown[]) => Promise<unknown>;

/**
 * Fails chosen AWS calls while an operation really runs: a middleware on the real DynamoDB client
 * (DynamoDB Local answers every other call), and a KMS that signs for real (`fakeKms`) with a
 * toy Encrypt/Decrypt for the secret box. Faults the SDK retries (`timeout`, `lost-answer`) are
 * raised inside its retry loop, the others as the SDK would raise them once its retries are spent.
 */
export class FaultInjector {
  /** The calls made since `arm`, in order. */
  readonly calls: AwsCall[] = [];
  /** How many faults were raised in all. */
  injected = 0;
  private plan: Fault | undefined;
  private readonly attemptsToFail = new WeakMap<object, { kind: FaultKind; remaining: number }>();
  private readonly kms: ReturnType<typeof fakeKms>['kms'];
  private readonly stubbedSend: Send;
  private watched: Table | undefined;

  constructor() {
    this.kms = fakeKms().kms;
    this.kms.on(EncryptCommand).callsFake((input: { Plaintext?: Uint8Array; EncryptionContext?: Record<string, string> }) => ({
      CiphertextBlob: Buffer.from(JSON.stringify({ sealed: Buffer.from(input.Plaintext ?? []).toString('base64'), context: input.EncryptionContext })),
    }));
    this.kms.on(DecryptCommand).callsFake((input: { CiphertextBlob?: Uint8Array; EncryptionContext?: Record<string, string> }) => {
      const { sealed, context } = JSON.parse(Buffer.from(input.CiphertextBlob ?? []).toString('utf8')) as { sealed: string; context: unknown };
      if (JSON.stringify(context) !== JSON.stringify(input.EncryptionContext)) throw new Error('the fake KMS decrypts under the sealing context only');
      return { Plaintext: Buffer.from(sealed, 'base64') };
    });
    const prototype = KMSClient.prototype as unknown as { send: Send };
    const stubbedSend = prototype.send;
    this.stubbedSend = stubbedSend;
    const hit = (call: AwsCall) => this.hit(call);
    const injected = () => {
      this.injected += 1;
    };
    prototype.send = function sendWithFaults(command, ...rest) {
      const kind = hit({ service: 'kms', operation: command.constructor.name.replace(/Command$/, ''), write: false });
      if (!kind) return stubbedSend.call(this, command, ...rest);
      injected();
      return Promise.reject(kmsFault(kind));
    };
  }

  /** Puts the fault middlewares on the client of `table` (and takes them off the one watched before). */
  watch(table: Table): void {
    this.unwatch();
    this.watched = table;
    table.client.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = String(context.commandName).replace(/Command$/, '');
        const kind = this.hit({ service: 'dynamodb', operation, write: changesTable(operation, args.input) });
        if (kind === 'throttled' || kind === 'conflict') {
          this.injected += 1;
          throw dynamodbFault(kind, operation, args.input);
        }
        if (kind) this.attemptsToFail.set(context, { kind, remaining: this.plan?.persistent ? Infinity : 1 });
        return next(args);
      },
      { step: 'initialize', name: 'faultsAfterRetries' },
    );
    table.client.middlewareStack.add(
      (next, context) => async (args) => {
        const pending = this.attemptsToFail.get(context);
        if (!pending || pending.remaining <= 0) return next(args);
        pending.remaining -= 1;
        this.injected += 1;
        if (pending.kind === 'lost-answer') await next(args);
        throw connectionReset();
      },
      { step: 'deserialize', name: 'faultsWithinRetries' },
    );
  }

  unwatch(): void {
    this.watched?.client.middlewareStack.remove('faultsAfterRetries');
    this.watched?.client.middlewareStack.remove('faultsWithinRetries');
    this.watched = undefined;
  }

  /** Starts recording calls afresh, with `fault` planned (or none). */
  arm(fault?: Fault): void {
    this.calls.length = 0;
    this.plan = fault;
  }

  disarm(): void {
    this.plan = undefined;
  }

  /** Puts the clients back as they were. */
  remove(): void {
    this.unwatch();
    (KMSClient.prototype as unknown as { send: Send }).send = this.stubbedSend;
    this.kms.restore();
  }

  /** Records a call and says which fault, if any, it meets. */
  private hit(call: AwsCall): FaultKind | undefined {
    const index = this.calls.push(call) - 1;
    const plan = this.plan;
    if (!plan) return undefined;
    const first = this.calls[plan.at];
    const planned = index === plan.at || (plan.persistent === true && index > plan.at && first?.service === call.service && first.operation === call.operation);
    return planned ? plan.kind : undefined;
  }
}
