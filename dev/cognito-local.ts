import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import {
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolClientCommand,
  UpdateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { cognitoPasswordPolicy } from '@license-activation/contract/password-policy';
import { findFreePort } from './dynamodb-local.js';

/** What cognito-local "e-mails": it prints the message instead, and we pass it on. */
export interface ConfirmationCode {
  readonly username: string;
  readonly destination: string;
  readonly code: string;
}

export interface CognitoLocalOptions {
  /** cognito-local keeps its pools under `<dataDir>/.cognito`. */
  readonly dataDir: string;
  readonly port?: number;
  /** A fixed confirmation code for every message (tests); random codes otherwise. */
  readonly fixedCode?: string;
  readonly onConfirmationCode?: (message: ConfirmationCode) => void;
  readonly readyTimeoutMs?: number;
}

export interface CognitoLocal {
  readonly endpoint: string;
  /** SIGTERM, then SIGKILL after a few seconds. Safe to call twice. */
  stop(): Promise<void>;
}

/** The pool and app client the service and the site use, as `GET /v1/sign-in-config` answers them. */
export interface LocalUserPool {
  readonly endpoint: string;
  readonly region: string;
  readonly userPoolId: string;
  readonly clientId: string;
}

const launcher = new URL('./cognito-local-launcher.mjs', import.meta.url);
/** The launcher's line for each code it "sends", written the moment the call that sent it has saved it. */
const codeLinePrefix = 'confirmation-code ';
const readyLine = 'Cognito Local running on';
const localRegion = 'local';
const killAfterMs = 5_000;

/**
 * Starts cognito-local as a child process and resolves once it says it is listening. Like DynamoDB
 * Local it never outlives this process: the launcher exits when its stdin closes.
 */
export async function startCognitoLocal(options: CognitoLocalOptions): Promise<CognitoLocal> {
  const port = options.port ?? (await findFreePort());
  // Its people's password hashes and tokens' keys: owner-only, like the rest of $DATA_DIR.
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [launcher.pathname], {
    cwd: options.dataDir,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      // cognito-local runs on the SDK v2; its end-of-support notice is noise here.
      AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1',
      ...(options.fixedCode ? { CODE: options.fixedCode } : {}),
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let pending = '';
  let ready = false;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    const lines = `${pending}${chunk}`.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line.includes(readyLine)) ready = true;
      if (line.startsWith(codeLinePrefix)) options.onConfirmationCode?.(JSON.parse(line.slice(codeLinePrefix.length)) as ConfirmationCode);
    }
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = `${stderr}${chunk}`.slice(-2_000);
  });
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exit.then(() => (exited = true));
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as Socket).unref();

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (!exited) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        await exit;
        clearTimeout(killer);
      }
      for (const stream of [child.stdin, child.stdout, child.stderr]) stream.destroy();
    })();
    return stopping;
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 20_000);
  while (!ready) {
    if (exited) throw new Error(`cognito-local exited before it was ready: ${stderr.trim()}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`cognito-local did not start on ${endpoint}: ${stderr.trim()}`);
    }
    await delay(25);
  }
  return { endpoint, stop };
}

/** An SDK client for a local directory: one attempt (it answers at once or not at all), dummy credentials. */
export function localCognitoClient(endpoint: string): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    endpoint,
    region: localRegion,
    maxAttempts: 1,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/** Whether the pool and client remembered from an earlier start still exist in that directory. */
async function stillExists(client: CognitoIdentityProviderClient, pool: LocalUserPool): Promise<boolean> {
  try {
    await client.send(new DescribeUserPoolClientCommand({ UserPoolId: pool.userPoolId, ClientId: pool.clientId }));
    return true;
  } catch (error) {
    if (error instanceof Error && error.name === 'ResourceNotFoundException') return false;
    throw error;
  }
}

/** As the CDK stack's pool: email verified by a code, and the same password policy (the launcher enforces it). */
const poolSettings = {
  AutoVerifiedAttributes: ['email' as const],
  Policies: { PasswordPolicy: cognitoPasswordPolicy() },
};

/**
 * The user pool and app client of a local directory: created on first start (email sign-in, email
 * verified by a code, as the CDK stack's pool), remembered in `stateFile` afterwards. Tokens carry
 * the endpoint in their issuer, so after a restart on another port people sign in again.
 */
export async function ensureLocalUserPool(endpoint: string, stateFile: string): Promise<LocalUserPool> {
  const client = localCognitoClient(endpoint);
  try {
    const remembered = await readFile(stateFile, 'utf8').then(
      (text) => JSON.parse(text) as LocalUserPool,
      () => undefined,
    );
    // The directory may listen on another port than last time: its pools are the same.
    if (remembered && (await stillExists(client, remembered))) {
      // A pool made by an earlier version of this code gets today's settings (its password policy).
      await client.send(new UpdateUserPoolCommand({ UserPoolId: remembered.userPoolId, ...poolSettings }));
      return { ...remembered, endpoint };
    }
    const { UserPool } = await client.send(new CreateUserPoolCommand({ PoolName: 'license-site', UsernameAttributes: ['email'], ...poolSettings }));
    const userPoolId = UserPool?.Id;
    if (!userPoolId) throw new Error('cognito-local created a user pool without an id');
    const { UserPoolClient } = await client.send(
      new CreateUserPoolClientCommand({
        UserPoolId: userPoolId,
        ClientName: 'license-site',
        ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      }),
    );
    const clientId = UserPoolClient?.ClientId;
    if (!clientId) throw new Error('cognito-local created an app client without an id');
    const pool: LocalUserPool = { endpoint, region: localRegion, userPoolId, clientId };
    await mkdir(join(stateFile, '..'), { recursive: true, mode: 0o700 });
    await writeFile(stateFile, `${JSON.stringify(pool, null, 2)}\n`, { mode: 0o600 });
    return pool;
  } finally {
    client.destroy();
  }
}
