import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { calculateJwkThumbprint, importJWK, SignJWT } from 'jose';
import type { JWK } from 'jose';
import { config, readConfig } from '#lib/platform/config.js';
import { table } from '#lib/platform/dynamodb.js';
import { dpopProofType } from '@license-activation/contract/jws-types';
import { findRoute, routes } from '@license-activation/contract/routes';
import { readOrCreateKeyFile } from '@license-activation/contract/key-file';
import { headerValue } from '#lib/http/http-event.js';
import { startDynamodbLocal } from '#dev/dynamodb-local.js';
import { ensureTable } from '#dev/ensure-table.js';
import { lambdaContext } from '#dev/lambda-context.js';
import { ensureSampleWorld } from '#dev/sample-world.js';
import type { LocalUserPool } from '#dev/cognito-local.js';

/**
 * `npm run invoke -- <function> events/<route id>.json`: runs one function's handler in-process on a
 * sample API Gateway event, against `$DYNAMODB_ENDPOINT` or a DynamoDB Local of its own, and prints
 * the response. Installation events carry a placeholder instead of a DPoP proof, which must be fresh:
 * it is replaced by a proof signed with a P-256 key kept under `$DATA_DIR`. The accounts and license
 * the events name are created on first use (dev/sample-world.ts).
 */

/** The `DPoP` header value of the sample events that this script replaces with a fresh proof. */
export const dpopPlaceholder = '<fresh DPoP proof>';

const installationKeyFileName = 'invoke-installation-key.json';

export interface InstallationKey {
  readonly privateJwk: JWK;
  readonly publicJwk: JWK;
  /** RFC 7638 thumbprint of the public key: the installation id. */
  readonly id: string;
}

function generateInstallationKey(): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return JSON.stringify(privateKey.export({ format: 'jwk' }));
}

/** The installation key of local invocations, created on first use so that repeated calls act as one installation. */
export async function loadInstallationKey(dataDir: string): Promise<InstallationKey> {
  const privateJwk = JSON.parse(await readOrCreateKeyFile(join(dataDir, installationKeyFileName), generateInstallationKey)) as JWK;
  const publicJwk: JWK = { kty: privateJwk.kty, crv: privateJwk.crv, x: privateJwk.x, y: privateJwk.y };
  return { privateJwk, publicJwk, id: await calculateJwkThumbprint(publicJwk, 'sha256') };
}

export function needsFreshProof(event: APIGatewayProxyEvent): boolean {
  return headerValue(event, 'dpop') === dpopPlaceholder;
}

/**
 * The event about the installation of local invocations: any `{installationId}` of a sample event names
 * the key's own installation, the one the sample activation and trial create, whoever sends the event
 * (the installation itself, or its owner without a proof).
 */
export function asLocalInstallation(event: APIGatewayProxyEvent, key: InstallationKey): APIGatewayProxyEvent {
  const local = structuredClone(event);
  const sampleId = local.pathParameters?.installationId;
  if (local.pathParameters && sampleId !== undefined) {
    local.pathParameters.installationId = key.id;
    local.path = local.path.replace(sampleId, key.id);
    local.requestContext.path = local.requestContext.path.replace(sampleId, key.id);
  }
  return local;
}

/** The event as this installation would send it now: the placeholder replaced by a DPoP proof of `key` (RFC 9449) for the event's method and URL. */
export async function withFreshProof(event: APIGatewayProxyEvent, key: InstallationKey, now = new Date()): Promise<APIGatewayProxyEvent> {
  const fresh = asLocalInstallation(event, key);
  // The URL a function without PUBLIC_BASE_URL expects (lib/auth/dpop-proofs.ts): API Gateway's domain and full path.
  const htu = `https://${fresh.requestContext.domainName ?? headerValue(fresh, 'host') ?? 'localhost'}${fresh.requestContext.path || fresh.path}`;
  const proof = await new SignJWT({ htm: fresh.httpMethod, htu })
    .setProtectedHeader({ typ: dpopProofType, alg: 'ES256', jwk: key.publicJwk })
    .setJti(randomUUID())
    .setIssuedAt(Math.floor(now.getTime() / 1000))
    .sign(await importJWK(key.privateJwk, 'ES256'));
  for (const name of Object.keys(fresh.headers)) {
    if (name.toLowerCase() === 'dpop') fresh.headers[name] = proof;
  }
  for (const name of Object.keys(fresh.multiValueHeaders ?? {})) {
    if (name.toLowerCase() === 'dpop') fresh.multiValueHeaders[name] = [proof];
  }
  return fresh;
}


function printResponse(response: APIGatewayProxyResult): void {
  console.log(`HTTP ${response.statusCode}`);
  for (const [name, value] of Object.entries(response.headers ?? {})) console.log(`${name}: ${String(value)}`);
  if (!response.body) return;
  let body = response.body;
  try {
    body = JSON.stringify(JSON.parse(response.body), null, 2);
  } catch {
    // Not JSON: print it as it came.
  }
  console.log(`\n${body}`);
}

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** The user pool `npm start` made under `$DATA_DIR` (user-pool.json), for the routes that name it, unless one is configured. */
async function useLocalUserPool(dataDir: string): Promise<void> {
  if (process.env.USER_POOL_ID) return;
  const pool = await readFile(join(dataDir, 'user-pool.json'), 'utf8').then(
    (text) => JSON.parse(text) as LocalUserPool,
    () => undefined,
  );
  if (!pool) return;
  process.env.COGNITO_ENDPOINT ??= pool.endpoint;
  Object.assign(process.env, { USER_POOL_ID: pool.userPoolId, USER_POOL_CLIENT_ID: pool.clientId, USER_POOL_REGION: pool.region });
}

async function invoke(functionName: string, eventFile: string): Promise<void> {
  const event = JSON.parse(await readFile(eventFile, 'utf8')) as APIGatewayProxyEvent;
  const route = findRoute(event.httpMethod, event.resource);
  if (route?.function !== functionName) {
    console.error(`${eventFile} is for ${route ? `functions/${route.function}` : 'no route of the contract'}, not functions/${functionName}`);
    process.exitCode = 2;
    return;
  }
  // As `npm start` does: no KMS locally, keys live under $DATA_DIR.
  process.env.SIGNER = 'local';
  process.env.SECRET_BOX = 'local';
  // Read without caching: the process's configuration is final only once the endpoint is known.
  const { dataDir } = readConfig();
  await useLocalUserPool(dataDir);
  const database = process.env.DYNAMODB_ENDPOINT ? undefined : await startDynamodbLocal({ dbPath: join(dataDir, 'dynamodb') });
  if (database) process.env.DYNAMODB_ENDPOINT = database.endpoint;
  try {
    await ensureTable(table());
    // The accounts and license the sample events name, on a fresh database (dev/sample-world.ts).
    if (await ensureSampleWorld(table())) console.error('created the sample events\' accounts and license (dev/sample-world.ts)');
    const key = await loadInstallationKey(dataDir);
    const request = needsFreshProof(event) ? await withFreshProof(event, key) : asLocalInstallation(event, key);
    const { handler } = (await import(`../functions/${functionName}/index.js`)) as { handler: Handler };
    printResponse(await handler(request, lambdaContext(functionName, { region: config().region })));
  } finally {
    table().client.destroy();
    await database?.stop();
  }
}

async function main(args: readonly string[]): Promise<void> {
  const [functionName, eventFile] = args;
  const functionNames: readonly string[] = [...new Set(routes.map((route) => route.function))];
  if (!functionName || !eventFile || !functionNames.includes(functionName)) {
    console.error(`usage: npm run invoke -- <function> <event file>\n  functions: ${functionNames.join(', ')}\n  e.g. npm run invoke -- activate events/activate.json`);
    process.exitCode = 2;
    return;
  }
  await invoke(functionName, resolve(eventFile));
}

// Run only as a script: the tests import the proof helpers above.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main(process.argv.slice(2));
