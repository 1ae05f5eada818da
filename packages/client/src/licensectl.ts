/**
 * `licensectl`: the licensing client on the command line, for administrators and for trying the
 * service out. Every command works on one installation, kept in a state directory. See docs/CLIENT.md.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { renderUnicodeCompact } from 'uqr';
import * as z from 'zod';
import { JwksResult, TokenResult } from '@license-activation/contract/schemas';
import type { InstallationUsageDay } from '@license-activation/contract/schemas';
import { ApiTransport, serviceUrl } from './api-transport.js';
import { systemClock } from './clock.js';
import { licenseIdOf, typedLicenseKey } from '@license-activation/contract/license-keys';
import { LicenseClientError } from './errors.js';
import { LicenseClient } from './license-client.js';
import { keyFileName } from './installation-key.js';
import { StateStore } from './state-store.js';
import type { LicenseStatus } from './license-status.js';
import type { KeySetDocument } from './trusted-keys.js';
import { usageLine } from './usage-sparkline.js';

const usage = `Usage: licensectl <command> [options]

Commands:
  init [--new-key]          create the installation key and remember the settings below; --new-key makes this
                            machine a new installation (a copy of another server: a cloned virtual machine, a
                            backup restored beside the original): a new key, and no license until activated
  trial                     start the product's trial (online)
  activate <key>            activate a license key (online); spaces, any case, O for 0 and I or L for 1 are fine
  activate --sign-in        activate through a person who signs in to the license site and approves
                            the code shown (online; Ctrl-C stops waiting)
  heartbeat                 report usage and refresh the license token (online)
  release <licenseId>       release a license from this installation (online)
  restore                   fetch this installation's current token (online)
  request-file <key>        write an offline activation request file (--out F, or stdout)
  import-file <file>        verify and store a license file
  offline-exchange <file>   on a connected machine: post a request file, write the license file (--out F, or stdout)
  status                    show what the installation may do now (offline)

Options:
  --state-dir DIR           the installation's state (default: $LICENSECTL_STATE_DIR or ./.licensectl)
  --server URL              the licensing service (HTTPS; plain HTTP only to this machine)
  --product ID              the product id, e.g. vault
  --product-version V       the product version reported to the service (default 0.0.0)
  --issuer NAME             the tokens' issuer (default license-activation)
  --jwks FILE               pin the token signing keys of this JWKS file
  --pin-server-keys         init only, for development: pin the keys the service publishes now
  --active-users N          heartbeat: the number of active users (default 0)
  --out FILE                request-file, offline-exchange: where to write the file
  --json                    status: print JSON
  --usage                   status: also the last 7 days of active users as the service kept them, as a
                            sparkline (online: it counts among the installation's 20 requests a 10 minutes)
  -h, --help                show this help

init stores --server, --product, --product-version, --issuer and the pinned keys in the state directory;
later commands use them unless given again. offline-exchange needs only --server: it runs on the machine
that carries the request file, not on the installation.`;

/** What `init` remembers in the state directory. */
const CliSettings = z.object({
  serverUrl: z.string().optional(),
  productId: z.string().min(1),
  productVersion: z.string().min(1),
  issuer: z.string().optional(),
});
type CliSettings = z.infer<typeof CliSettings>;

const settingsFileName = 'licensectl.json';
const pinnedKeysFileName = 'pinned-jwks.json';

/** A mistake in the command line: answered with exit code 2. */
class UsageError extends Error {}

const write = (text: string): void => {
  process.stdout.write(`${text}\n`);
};

/** Options that take a value: `--active-users -5` passes -5 to the option (parseArgs alone reads it as an option). */
const valueOptions = new Set(['--state-dir', '--server', '--product', '--product-version', '--issuer', '--jwks', '--active-users', '--out']);

function withNegativeValues(argv: readonly string[]): string[] {
  const args: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] as string;
    const next = argv[index + 1];
    if (valueOptions.has(arg) && next !== undefined && /^-\d/.test(next)) {
      args.push(`${arg}=${next}`);
      index += 1;
    } else {
      args.push(arg);
    }
  }
  return args;
}

function parseCommandLine(argv: readonly string[]) {
  return parseArgs({
    args: withNegativeValues(argv),
    allowPositionals: true,
    options: {
      'state-dir': { type: 'string' },
      server: { type: 'string' },
      product: { type: 'string' },
      'product-version': { type: 'string' },
      issuer: { type: 'string' },
      jwks: { type: 'string' },
      'pin-server-keys': { type: 'boolean', default: false },
      'new-key': { type: 'boolean', default: false },
      'sign-in': { type: 'boolean', default: false },
      'active-users': { type: 'string', default: '0' },
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
      usage: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}
type CommandLine = ReturnType<typeof parseCommandLine>;

async function storedSettings(stateDir: string): Promise<CliSettings | undefined> {
  const text = await readFile(join(stateDir, settingsFileName), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : CliSettings.parse(JSON.parse(text));
}

/** The settings of this run: the command line over what `init` stored. */
function settingsFrom(line: CommandLine, stored: CliSettings | undefined): CliSettings {
  const { values } = line;
  const productId = values.product ?? stored?.productId;
  if (!productId) throw new UsageError('run licensectl init --product <id> first, or pass --product');
  const serverUrl = values.server ?? stored?.serverUrl;
  const issuer = values.issuer ?? stored?.issuer;
  return {
    productId,
    productVersion: values['product-version'] ?? stored?.productVersion ?? '0.0.0',
    ...(serverUrl === undefined ? {} : { serverUrl }),
    ...(issuer === undefined ? {} : { issuer }),
  };
}

const requestTimeoutMs = 30_000;

/** The keys the service publishes right now: trust on first use, which only suits a development service. */
function fetchServiceKeys(serverUrl: string): Promise<KeySetDocument> {
  const transport = new ApiTransport({ serverUrl: serviceUrl(serverUrl), fetch, clock: systemClock, timeoutMs: requestTimeoutMs });
  return transport.send({ route: 'jwks' }, JwksResult);
}

async function pinnedKeys(line: CommandLine, stateDir: string): Promise<KeySetDocument> {
  const path = line.values.jwks ?? join(stateDir, pinnedKeysFileName);
  const text = await readFile(path, 'utf8').catch(() => {
    throw new UsageError(line.values.jwks ? `cannot read the JWKS file ${path}` : 'no pinned keys: pass --jwks FILE, or run licensectl init with --jwks FILE or --pin-server-keys');
  });
  return JwksResult.parse(JSON.parse(text));
}

function clientFor(settings: CliSettings, stateDir: string, keys: KeySetDocument): LicenseClient {
  return new LicenseClient({
    productId: settings.productId,
    productVersion: settings.productVersion,
    stateDir,
    pinnedKeys: keys,
    ...(settings.serverUrl === undefined ? {} : { serverUrl: settings.serverUrl }),
    ...(settings.issuer === undefined ? {} : { issuer: settings.issuer }),
  });
}

/** What `status` says when a second server runs with this installation's key (API.md §10), and what to do. */
export const cloneAdvice: readonly string[] = [
  'a copy of this installation was detected: another server runs with its key (a cloned virtual machine, or a backup restored beside the original)',
  'each server needs its own installation: `licensectl init --new-key` on the copy and activate it; your reseller clears the detection',
];

function summary(status: LicenseStatus, usage?: readonly InstallationUsageDay[]): string {
  const rows: [string, string][] = [
    ['installation', status.installationId],
    ['mode', status.mode === 'full' ? 'full' : `limited (${status.reasons.join(', ')})`],
  ];
  if (status.edition) rows.push(['edition', status.edition]);
  if (status.seats) rows.push(['seats', `${status.seats.consumed} in use of ${status.seats.users}`]);
  if (status.restricted.length > 0) rows.push(['restricted', status.restricted.join(', ')]);
  if (status.trialEndsAt) rows.push(['trial ends', status.trialEndsAt]);
  // A license file asks for no refresh before it ends (its refreshAfter is its expiry): the time once.
  if (status.expiresAt) rows.push(['token expires', status.refreshAfter && status.refreshAfter !== status.expiresAt ? `${status.expiresAt} (refresh after ${status.refreshAfter})` : status.expiresAt]);
  if (status.tokenProblem) rows.push(['token', status.tokenProblem.detail]);
  for (const warning of status.warnings) {
    if (warning.code === 'CLONE_DETECTED') rows.push(['clone', cloneAdvice[0] ?? ''], ['', cloneAdvice[1] ?? '']);
    else rows.push(['warning', `${warning.code}: ${warning.detail}`]);
  }
  if (usage) rows.push([`last ${usage.length} days`, usageLine(usage)]);
  return rows.map(([label, value]) => `${label.padEnd(14)}${value}`).join('\n');
}

function positional(line: CommandLine, name: string): string {
  const value = line.positionals[1];
  if (value === undefined) throw new UsageError(`${line.positionals[0] ?? 'this command'} needs <${name}>`);
  if (line.positionals.length > 2) throw new UsageError(`${line.positionals[0]} takes one <${name}>, not ${line.positionals.length - 1} words`);
  return value;
}

/** A license key, typed in one word or in its five groups with spaces between (`ABCDE FGHJK …`). */
function keyArgument(line: CommandLine): string {
  const words = line.positionals.slice(1);
  if (words.length === 0) throw new UsageError(`${line.positionals[0] ?? 'this command'} needs <key>`);
  return words.join(' ');
}

function activeUsers(line: CommandLine): number {
  const text = line.values['active-users'];
  if (/^-\d+$/.test(text)) throw new UsageError(`--active-users must be 0 or more, not ${text}`);
  if (!/^\d+$/.test(text)) throw new UsageError(`--active-users must be a whole number (0 or more), not ${text}`);
  return Number(text);
}

/**
 * Makes this machine a new installation: a copy of a server (a cloned virtual machine, a backup restored
 * beside the original) carries the original's key, and the service tells the two apart only as a detected
 * clone. The key and the license state go (the clock watermark stays); `init` then creates a new key.
 */
async function forgetInstallation(stateDir: string): Promise<void> {
  await rm(join(stateDir, keyFileName), { force: true });
  await new StateStore(stateDir).update(({ highestTimeSeen }) => (highestTimeSeen === undefined ? {} : { highestTimeSeen }));
}

async function init(line: CommandLine, stateDir: string): Promise<void> {
  const settings = settingsFrom(line, await storedSettings(stateDir));
  if (line.values['new-key']) await forgetInstallation(stateDir);
  let keys: KeySetDocument;
  if (line.values['pin-server-keys']) {
    if (!settings.serverUrl) throw new UsageError('--pin-server-keys needs --server');
    keys = await fetchServiceKeys(settings.serverUrl);
    write(`pinned the ${keys.keys.length} key(s) ${settings.serverUrl} publishes now: trust on first use, for development only`);
  } else {
    keys = await pinnedKeys(line, stateDir);
  }
  const client = clientFor(settings, stateDir, keys);
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  await writeFile(join(stateDir, pinnedKeysFileName), `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  await writeFile(join(stateDir, settingsFileName), `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
  const facts = await client.machineFacts();
  write(`${line.values['new-key'] ? 'new installation' : 'installation'} ${await client.installationId()} for ${settings.productId}, state in ${stateDir}`);
  if (line.values['new-key']) write('activate it: licensectl activate <key> (or activate --sign-in)');
  write(`fingerprint from ${facts.fingerprintSource}; hostname ${facts.hostname}; virtual machine: ${facts.virtual ? 'yes' : 'no'}`);
  for (const evidence of facts.virtualEvidence) write(`  ${evidence}`);
  write(summary(await client.status()));
}

const commands = ['init', 'trial', 'activate', 'heartbeat', 'release', 'restore', 'request-file', 'import-file', 'offline-exchange', 'status'] as const;
type Command = (typeof commands)[number];

function commandOf(line: CommandLine): Command {
  const command = commands.find((name) => name === line.positionals[0]);
  if (!command) throw new UsageError(line.positionals[0] === undefined ? 'no command' : `unknown command ${line.positionals[0]}`);
  return command;
}

/**
 * Posts an offline request file to the service and writes the answer, the license file, for
 * `import-file` on the installation. The file is single-use: a refusal is reported and nothing written.
 */
async function offlineExchange(line: CommandLine, stateDir: string): Promise<void> {
  const serverUrl = line.values.server ?? (await storedSettings(stateDir))?.serverUrl;
  if (!serverUrl) throw new UsageError('offline-exchange needs --server');
  const path = positional(line, 'request-file');
  const request = (await readFile(path, 'utf8').catch(() => {
    throw new UsageError(`cannot read the request file ${path}`);
  })).trim();
  const transport = new ApiTransport({ serverUrl: serviceUrl(serverUrl), fetch, clock: systemClock, timeoutMs: requestTimeoutMs });
  const { token } = await transport.send({ route: 'offlineActivate', body: { request } }, TokenResult).catch((error: unknown) => {
    const key = keyInRequestFile(request);
    if (error instanceof LicenseClientError && error.code === 'TOO_MANY_ACTIVATIONS' && key) throw withAdvice(error, freeSlotAdvice(key, serverUrl));
    throw error;
  });
  if (line.values.out === undefined) return write(token);
  await writeFile(line.values.out, `${token}\n`, { mode: 0o600 });
  write(`license file written to ${line.values.out}: take it to the installation and run licensectl import-file ${line.values.out}`);
}

/** The license key a request file carries (its claims, read without verifying: only to give advice). */
function keyInRequestFile(request: string): string | undefined {
  try {
    const claims: unknown = JSON.parse(Buffer.from(request.split('.')[1] ?? '', 'base64url').toString('utf8'));
    return typeof claims === 'object' && claims !== null && typeof (claims as { key?: unknown }).key === 'string' ? (claims as { key: string }).key : undefined;
  } catch {
    return undefined;
  }
}

/** Shows the code (and a QR code of the link that carries it) and waits for the person; Ctrl-C stops. */
async function activateBySignIn(client: LicenseClient) {
  const stop = new AbortController();
  const onInterrupt = () => stop.abort();
  process.once('SIGINT', onInterrupt);
  try {
    return await client.activateBySignIn({
      signal: stop.signal,
      onCode: async (code) => {
        write(terminalQrCode(code.verificationUriComplete));
        write(`Open ${code.verificationUri} and enter ${code.userCode} (valid ${Math.round(code.expiresIn / 60)} minutes); waiting for approval…`);
      },
    });
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}

/**
 * A QR code for a terminal: dark modules as half blocks in black on white, so that it reads dark on light,
 * as scanners expect, on a dark or a light terminal alike.
 */
function terminalQrCode(text: string): string {
  return renderUnicodeCompact(text, { invert: true })
    .split('\n')
    .map((line) => `\u001b[47m\u001b[30m${line}\u001b[0m`)
    .join('\n');
}

/** A refusal of the service, told in other words. */
function withDetail(error: LicenseClientError, detail: string): LicenseClientError {
  return new LicenseClientError(error.code, detail, {
    ...(error.status === undefined ? {} : { status: error.status }),
    ...(error.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: error.retryAfterSeconds }),
    ...(error.requestId === undefined ? {} : { requestId: error.requestId }),
  });
}

/** A refusal of the service, with what to do about it added to its detail. */
function withAdvice(error: LicenseClientError, advice: string): LicenseClientError {
  return withDetail(error, `${error.detail}. ${advice}`);
}

/** Where a full license's slot is freed: on its page of the license site (served by the service's own address). */
function freeSlotAdvice(key: string, serverUrl: string | undefined): string {
  const normalized = typedLicenseKey(key).replaceAll('-', '');
  const page = serverUrl ? `${serverUrl.replace(/\/+$/, '')}/licenses/${licenseIdOf(normalized)}` : 'the license site';
  return `Free a slot: release the license on a server that no longer needs it (licensectl release ${licenseIdOf(normalized)} there), or on its page of the license site, ${page}`;
}

async function activateByKey(client: LicenseClient, key: string, serverUrl: string | undefined) {
  try {
    return await client.activate(key);
  } catch (error) {
    if (error instanceof LicenseClientError && error.code === 'TOO_MANY_ACTIVATIONS') throw withAdvice(error, freeSlotAdvice(key, serverUrl));
    throw error;
  }
}

/** Releases a license of this installation; one it does not hold (or an id of nothing) is said to be so, whatever the service's words. */
async function releaseLicense(client: LicenseClient, licenseId: string) {
  try {
    return await client.release(licenseId);
  } catch (error) {
    if (error instanceof LicenseClientError && error.code === 'NOT_FOUND') {
      throw withDetail(error, `license ${licenseId} is not activated on this installation: check the id (lic_ and 26 letters and digits) on the license's page of the license site`);
    }
    throw error;
  }
}

async function run(line: CommandLine, stateDir: string): Promise<void> {
  const command = commandOf(line);
  if (command === 'init') return init(line, stateDir);
  if (command === 'offline-exchange') return offlineExchange(line, stateDir);
  const settings = settingsFrom(line, await storedSettings(stateDir));
  const client = clientFor(settings, stateDir, await pinnedKeys(line, stateDir));
  switch (command) {
    case 'trial':
      await client.trial();
      break;
    case 'activate': {
      const answer = line.values['sign-in'] ? await activateBySignIn(client) : await activateByKey(client, keyArgument(line), settings.serverUrl);
      write(`activated license ${answer.activation.licenseId}`);
      break;
    }
    case 'heartbeat':
      await client.heartbeat({ activeUsers: activeUsers(line) });
      break;
    case 'release': {
      const licenseId = positional(line, 'licenseId');
      await releaseLicense(client, licenseId);
      write(`released license ${licenseId}`);
      break;
    }
    case 'restore':
      await client.restore();
      break;
    case 'request-file': {
      const file = await client.createRequestFile(keyArgument(line));
      if (line.values.out === undefined) return write(file);
      // It carries the license key: readable by its owner only.
      await writeFile(line.values.out, `${file}\n`, { mode: 0o600 });
      return write(`request file written to ${line.values.out}: within 7 days, on a connected machine, run licensectl offline-exchange ${line.values.out} --server <url> --out license.jwt (or POST it to /v1/offline-activations as {"request": "<file>"})`);
    }
    case 'import-file':
      await client.importLicenseFile(await readFile(positional(line, 'file'), 'utf8'));
      write('license file imported');
      break;
    case 'status':
      break;
  }
  const status = await client.status();
  // `status --usage`: the one status that goes online, for the installation's days as the service kept them.
  const usage = command === 'status' && line.values.usage ? await client.usageHistory() : undefined;
  write(line.values.json ? JSON.stringify(usage ? { ...status, usage } : status, null, 2) : summary(status, usage));
}

function describeFailure(error: LicenseClientError): string {
  const facts = [error.status === undefined ? undefined : `status ${error.status}`, error.retryAfterSeconds === undefined ? undefined : `retry after ${error.retryAfterSeconds} s`, error.requestId === undefined ? undefined : `request ${error.requestId}`];
  const extra = facts.filter((fact) => fact !== undefined).join(', ');
  return `licensectl: ${error.code}: ${error.detail}${extra ? ` (${extra})` : ''}`;
}

/**
 * Runs one `licensectl` command line and returns the process exit code: 0 on success, 1 when the
 * command failed (the service's `code` and `detail` go to stderr), 2 for a mistake in the command line.
 *
 * @example
 * ```ts
 * process.exitCode = await main(process.argv.slice(2));
 * ```
 */
export async function main(argv: readonly string[]): Promise<number> {
  let line: CommandLine;
  try {
    line = parseCommandLine(argv);
  } catch (error) {
    process.stderr.write(`licensectl: ${error instanceof Error ? error.message : String(error)} (licensectl --help lists the commands and options)\n`);
    return 2;
  }
  if (line.values.help) {
    write(usage);
    return 0;
  }
  const stateDir = resolve(line.values['state-dir'] ?? process.env.LICENSECTL_STATE_DIR ?? '.licensectl');
  try {
    await run(line, stateDir);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`licensectl: ${error.message} (licensectl --help lists the commands and options)\n`);
      return 2;
    }
    // Ctrl-C while waiting for a sign-in approval: the code stays valid until it expires.
    if (error instanceof Error && error.name === 'AbortError') {
      process.stderr.write('licensectl: stopped waiting for approval\n');
      return 130;
    }
    process.stderr.write(`${error instanceof LicenseClientError ? describeFailure(error) : `licensectl: ${error instanceof Error ? error.message : String(error)}`}\n`);
    return 1;
  }
}
