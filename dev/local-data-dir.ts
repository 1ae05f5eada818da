import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readOrCreateKeyFile } from '@license-activation/contract/key-file';
import { secretBoxKeyFileName } from '#lib/keys/local-secret-box.js';
import { signingKeyFileName } from '#lib/keys/local-signer.js';

/** `$DATA_DIR/ops-api-key`: the ops API key `npm start` generates when `$OPS_API_KEY` is unset. */
export const opsApiKeyFileName = 'ops-api-key';
/** `$DATA_DIR/dynamodb-access-key`: the access key id under which DynamoDB Local keeps the data. */
export const dynamodbAccessKeyFileName = 'dynamodb-access-key';
/** Where DynamoDB Local keeps its database files. */
export const dynamodbFolderName = 'dynamodb';
/** Where cognito-local keeps its pools and people (their passwords in clear). */
export const cognitoFolderName = 'cognito';
/** Where `npm start` keeps each stream consumer's position in the table's change stream. */
export const streamCheckpointFileName = 'stream-checkpoints.json';

/** Every secret file `npm start` and the local keys keep under `$DATA_DIR`. */
const secretFileNames = [opsApiKeyFileName, dynamodbAccessKeyFileName, signingKeyFileName, secretBoxKeyFileName];
const ownerOnlyFolder = 0o700;
const ownerOnlyFile = 0o600;

async function modeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mode & 0o777;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Everything under `folder` (none if it does not exist), each with the owner-only mode it should have. */
async function ownerOnlyTree(folder: string): Promise<Array<[path: string, mode: number]>> {
  let entries;
  try {
    entries = await readdir(folder, { recursive: true, withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return entries.map((entry) => [join(entry.parentPath, entry.name), entry.isDirectory() ? ownerOnlyFolder : ownerOnlyFile]);
}

/**
 * Creates `$DATA_DIR` owner-only (0700), and brings it, its DynamoDB folder, every secret file in
 * it and everything cognito-local keeps there back to owner-only where an older version, a copy or
 * an umask left them readable by others. Returns what it had to tighten, for `npm start` to say so.
 */
export async function secureDataDir(dataDir: string): Promise<string[]> {
  await mkdir(dataDir, { recursive: true, mode: ownerOnlyFolder });
  const wanted: Array<[path: string, mode: number]> = [
    [dataDir, ownerOnlyFolder],
    [join(dataDir, dynamodbFolderName), ownerOnlyFolder],
    ...secretFileNames.map((name): [string, number] => [join(dataDir, name), ownerOnlyFile]),
    [join(dataDir, cognitoFolderName), ownerOnlyFolder],
    ...(await ownerOnlyTree(join(dataDir, cognitoFolderName))),
  ];
  const tightened: string[] = [];
  for (const [path, mode] of wanted) {
    const current = await modeOf(path);
    if (current === undefined || current === mode) continue;
    await chmod(path, mode);
    tightened.push(`${path} (was ${current.toString(8).padStart(4, '0')}, now ${mode.toString(8).padStart(4, '0')})`);
  }
  return tightened;
}

/**
 * The access key id `npm start` talks to its DynamoDB Local with: 160 random bits, generated on first
 * start into `$DATA_DIR/dynamodb-access-key` (0600). DynamoDB Local keeps one database per access key
 * id and region and checks no signature, so this id is the one secret that opens the data: a client
 * with any other id sees an empty database. Hex: DynamoDB Local takes letters and digits only.
 */
export async function dynamodbLocalAccessKeyId(dataDir: string, region: string): Promise<string> {
  const file = join(dataDir, dynamodbAccessKeyFileName);
  const isFirstStart = (await modeOf(file)) === undefined;
  const accessKeyId = (await readOrCreateKeyFile(file, () => `${randomBytes(20).toString('hex')}\n`)).trim();
  if (isFirstStart) await adoptSharedDatabase(join(dataDir, dynamodbFolderName), accessKeyId, region);
  return accessKeyId;
}

/**
 * Data kept by earlier versions, which ran DynamoDB Local with `-sharedDb` (one database for every
 * credential), moves under the new access key id instead of vanishing from view.
 */
async function adoptSharedDatabase(folder: string, accessKeyId: string, region: string): Promise<void> {
  try {
    await rename(join(folder, 'shared-local-instance.db'), join(folder, `${accessKeyId}_${region}.db`));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
