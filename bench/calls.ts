import { EncryptCommand, GetPublicKeyCommand, SignCommand } from '@aws-sdk/client-kms';
import type { Table } from '#lib/platform/dynamodb.js';
import { resetConfig } from '#lib/platform/config.js';
import { resetSecretBox } from '#lib/keys/process-secret-box.js';
import { resetSigner } from '#lib/keys/process-signer.js';
import { fakeKms } from '#test/support/fake-kms.js';
import { billedWriteUnits } from './billed-units.js';
import { countTableCalls } from './call-counter.js';
import type { TableCalls } from './call-counter.js';
import { inProcessCall, sendExpecting } from './operations.js';
import type { Operation } from './operations.js';
import { spread } from './stats.js';
import type { Spread } from './stats.js';

export interface CallsPerOperation {
  readonly dynamodbRoundTrips: Spread;
  /** The commands of the last execution, in order. */
  readonly commands: readonly string[];
  readonly itemsWritten: Spread;
  readonly conditionChecks: Spread;
  readonly readUnits: Spread;
  readonly writeUnits: Spread;
  /** The write units AWS bills for the same items, by its published rules (billed-units.ts). */
  readonly billedWriteUnits: Spread;
  readonly kmsSign: Spread;
  readonly kmsGetPublicKey: Spread;
  readonly kmsEncrypt: Spread;
}

const kmsEnvironment = {
  SIGNER: 'kms',
  SECRET_BOX: 'kms',
  SIGNING_KEY_ID: 'alias/license-activation-bench-signing',
  ENCRYPTION_KEY_ID: 'alias/license-activation-bench-secrets',
};

/**
 * Runs each operation `executions` times with the KMS signer and secret box against a KMS mock that
 * really signs, and counts what each execution sent: DynamoDB calls by SDK middleware on the table
 * client, KMS calls from the mock. The first execution pays the per-container public key fetch.
 */
export async function countCallsPerOperation(operations: readonly Operation[], table: Table, executions: number): Promise<Record<string, CallsPerOperation>> {
  const saved = Object.fromEntries(Object.keys(kmsEnvironment).map((name) => [name, process.env[name]]));
  Object.assign(process.env, kmsEnvironment);
  const resetAdapters = () => {
    resetConfig();
    resetSigner();
    resetSecretBox();
  };
  resetAdapters();
  const { kms, keyArn } = fakeKms();
  kms.on(EncryptCommand).callsFake((input: { Plaintext?: Uint8Array }) => ({ KeyId: keyArn, CiphertextBlob: Buffer.from(input.Plaintext ?? []).reverse() }));
  const counter = countTableCalls(table);
  const kmsCalls = () => ({
    sign: kms.commandCalls(SignCommand).length,
    getPublicKey: kms.commandCalls(GetPublicKeyCommand).length,
    encrypt: kms.commandCalls(EncryptCommand).length,
  });
  try {
    const result: Record<string, CallsPerOperation> = {};
    for (const operation of operations) {
      const measured: { table: TableCalls; billed: number; sign: number; getPublicKey: number; encrypt: number }[] = [];
      for (const request of await operation.prepare(executions)) {
        const call = await inProcessCall(request);
        counter.take();
        const before = kmsCalls();
        await sendExpecting(call);
        const after = kmsCalls();
        const tableCalls = counter.take();
        measured.push({
          table: tableCalls,
          billed: await billedWriteUnits(table, tableCalls.written),
          sign: after.sign - before.sign,
          getPublicKey: after.getPublicKey - before.getPublicKey,
          encrypt: after.encrypt - before.encrypt,
        });
      }
      const of = (pick: (sample: (typeof measured)[number]) => number) => spread(measured.map(pick));
      result[operation.id] = {
        dynamodbRoundTrips: of((sample) => sample.table.roundTrips),
        commands: measured.at(-1)?.table.commands ?? [],
        itemsWritten: of((sample) => sample.table.itemsWritten),
        conditionChecks: of((sample) => sample.table.conditionChecks),
        readUnits: of((sample) => sample.table.readUnits),
        writeUnits: of((sample) => sample.table.writeUnits),
        billedWriteUnits: of((sample) => sample.billed),
        kmsSign: of((sample) => sample.sign),
        kmsGetPublicKey: of((sample) => sample.getPublicKey),
        kmsEncrypt: of((sample) => sample.encrypt),
      };
    }
    return result;
  } finally {
    counter.stop();
    kms.restore();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    resetAdapters();
  }
}
