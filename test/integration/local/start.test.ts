import { connect } from 'node:net';
import { chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ConfirmSignUpCommand, InitiateAuthCommand, ResendConfirmationCodeCommand, SignUpCommand } from '@aws-sdk/client-cognito-identity-provider';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createTable } from '#lib/platform/dynamodb.js';
import { localCognitoClient } from '#dev/cognito-local.js';
import { newInstallation } from '../../support/api.js';
import { machine } from '../../support/scenario.js';
import { cleanUpServices, newDataDir, startService, stopService } from '../../support/npm-start.js';
import type { Service } from '../../support/npm-start.js';

// `npm start` (scripts/start.ts) as a child process, the way a developer runs it.

const newAccount = { name: 'Example Ltd', email: 'it@example.com' };

afterEach(cleanUpServices);

/** The first line printed from `since` on that matches, waiting for it up to `withinMs`. */
async function printed(service: Service, pattern: RegExp, since: number, withinMs: number): Promise<RegExpMatchArray | undefined> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const match = service.stdout.slice(since).map((line) => line.match(pattern)).find((found) => found !== null);
    if (match || Date.now() > deadline) return match ?? undefined;
    await new Promise((wait) => setTimeout(wait, 20));
  }
}

/** `npm start` with its own cognito-local, as a developer runs it (the tests' environment names the run's own). */
const ownDirectory = { COGNITO_ENDPOINT: '' };

/** The user directory `npm start` runs, as its output names it, and a client of it (as any SDK user would have). */
function directoryOf(service: Service) {
  const [, endpoint = '', clientId = ''] = service.stdout.map((line) => /^user directory: (\S+) \(pool \S+, client (\S+)\)$/.exec(line)).find(Boolean) ?? [];
  return { endpoint, clientId, client: localCognitoClient(endpoint) };
}

/** The processes whose command line names `text`: the DynamoDB Local java and its watchdog shell, for a data folder. */
function processesNaming(text: string): string[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
        return commandLine.includes(text) ? [`${pid} ${commandLine}`] : [];
      } catch {
        return []; // gone meanwhile
      }
    });
}

/** The port of the DynamoDB Local that keeps its data in `dbPath`, from its command line. */
function dynamodbLocalPort(dbPath: string): number {
  const java = processesNaming(dbPath).find((line) => / java /.test(` ${line}`)) ?? '';
  return Number(/ -port (\d+) /.exec(java)?.[1]);
}

async function eventuallyNone(text: string, withinMs: number): Promise<string[]> {
  const deadline = Date.now() + withinMs;
  let remaining = processesNaming(text);
  while (remaining.length > 0 && Date.now() < deadline) {
    await new Promise((wait) => setTimeout(wait, 100));
    remaining = processesNaming(text);
  }
  return remaining;
}

describe('npm start', () => {
  it('serves the API on 127.0.0.1, then on SIGINT exits 0 with its DynamoDB Local stopped', async () => {
    const dataDir = newDataDir();
    const service = await startService({ DATA_DIR: dataDir });

    const health = await fetch(`${service.baseUrl}/health`);
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('{"status":"ok"}');
    expect(service.stdout.filter((line) => line.startsWith('listening on'))).toEqual([`listening on ${service.baseUrl}`]);
    expect(processesNaming(join(dataDir, 'dynamodb')).some((line) => / java /.test(` ${line}`))).toBe(true);
    // DPoP proofs name the URL it listens on (PUBLIC_BASE_URL defaults to it), and no other.
    const installation = await newInstallation();
    const trial = (htu: string) =>
      installation.proof('POST', '/v1/trials', { htu }).then((dpop) =>
        fetch(`${service.baseUrl}/v1/trials`, { method: 'POST', headers: { dpop, 'content-type': 'application/json' }, body: JSON.stringify({ productId: 'authserver', ...machine() }) }),
      );
    expect((await trial('http://127.0.0.1:3000/v1/trials')).status).toBe(service.baseUrl === 'http://127.0.0.1:3000' ? 201 : 401);
    expect((await trial(`${service.baseUrl}/v1/trials`)).status).toBe(201);
    // Quiet by default: what it printed on starting, and no line per request (LOG_LEVEL asks for them).
    expect(service.stdout.filter((line) => !/^(> |ops API key: |user directory: |listening on )/.test(line))).toEqual([]);

    const exit = await stopService(service, 'SIGINT');

    expect(exit).toEqual({ code: 0, signal: null });
    expect(processesNaming(join(dataDir, 'dynamodb'))).toEqual([]);
  });

  it('prints a line per request with LOG_LEVEL=info, and the handlers\' JSON log lines too with LOG_LEVEL=debug', async () => {
    const linesOf = async (level: string) => {
      const service = await startService({ DATA_DIR: newDataDir(), LOG_LEVEL: level });
      const since = service.stdout.length;
      expect((await fetch(`${service.baseUrl}/health`)).status).toBe(200);
      expect((await fetch(`${service.baseUrl}/v1/licenses`)).status).toBe(401);
      await printed(service, /GET \/v1\/licenses 401/, since, 5_000);
      await stopService(service, 'SIGINT');
      return service.stdout.slice(since);
    };

    const info = await linesOf('info');
    expect(info.filter((line) => !line.startsWith('{'))).toEqual([expect.stringMatching(/^\d\d:\d\d:\d\d GET \/health 200 \d+ ms$/), expect.stringMatching(/^\d\d:\d\d:\d\d GET \/v1\/licenses 401 \d+ ms$/)]);
    expect(info.filter((line) => line.startsWith('{'))).toEqual([]);
    const debug = await linesOf('debug');
    expect(debug.filter((line) => line.startsWith('{')).map((line) => (JSON.parse(line) as { function_name?: string }).function_name)).toContain('health');
  });

  it('leaves no DynamoDB Local behind when node dies by SIGKILL', async () => {
    const dataDir = newDataDir();
    const service = await startService({ DATA_DIR: dataDir });
    expect(processesNaming(join(dataDir, 'dynamodb'))).not.toEqual([]);

    const exit = await stopService(service, 'SIGKILL');

    expect(exit.signal).toBe('SIGKILL');
    expect(await eventuallyNone(join(dataDir, 'dynamodb'), 8_000)).toEqual([]);
  });

  it('generates, stores (0600) and prints an ops API key, then keeps it and the data across restarts', async () => {
    const dataDir = newDataDir();
    const first = await startService({ DATA_DIR: dataDir });
    const printed = first.stdout.find((line) => line.startsWith('ops API key: '))?.slice('ops API key: '.length);
    const keyFile = join(dataDir, 'ops-api-key');
    expect(printed).toMatch(/^lak_[\w-]{43}$/);
    expect(readFileSync(keyFile, 'utf8').trim()).toBe(printed);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const reseller = await fetch(`${first.baseUrl}/v1/admin/resellers`, { method: 'POST', headers: { authorization: `Bearer ${printed}`, 'content-type': 'application/json' }, body: JSON.stringify(newAccount) });
    expect(reseller.status).toBe(201);
    const { apiKey } = (await reseller.json()) as { apiKey: string };
    expect(await stopService(first, 'SIGTERM')).toEqual({ code: 0, signal: null });

    const second = await startService({ DATA_DIR: dataDir });
    const customers = await fetch(`${second.baseUrl}/v1/customers`, { headers: { authorization: `Bearer ${apiKey}` } });

    expect(second.stdout).toContain(`ops API key: ${printed}`);
    expect(customers.status).toBe(200);
  });

  it('keeps $DATA_DIR owner-only, and its DynamoDB Local shows no table to a client with other credentials', async () => {
    const dataDir = newDataDir();
    chmodSync(dataDir, 0o755);
    mkdirSync(join(dataDir, 'dynamodb'), { mode: 0o755 });
    // A key file left readable by others (an older version, a copy): tightened at start, and said so.
    writeFileSync(join(dataDir, 'ops-api-key'), 'lak_an-old-ops-key-kept-readable\n', { mode: 0o644 });
    chmodSync(join(dataDir, 'ops-api-key'), 0o644);
    const service = await startService({ DATA_DIR: dataDir });
    const modes = Object.fromEntries(readdirSync(dataDir).map((name) => [name, statSync(join(dataDir, name)).mode & 0o777]));
    const accessKeyId = readFileSync(join(dataDir, 'dynamodb-access-key'), 'utf8').trim();
    const endpoint = `http://127.0.0.1:${dynamodbLocalPort(join(dataDir, 'dynamodb'))}`;
    const tablesFor = async (credential: string) => {
      const probe = createTable({ endpoint, region: 'us-east-1', tableName: '', accessKeyId: credential });
      try {
        return (await probe.client.send(new ListTablesCommand({}))).TableNames;
      } finally {
        probe.client.destroy();
      }
    };

    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(modes).toEqual({ 'dynamodb': 0o700, 'dynamodb-access-key': 0o600, 'ops-api-key': 0o600, 'user-pool.json': 0o600 });
    expect(service.stderr.join('\n')).toMatch(/made owner-only: .*ops-api-key \(was 0644, now 0600\)/);
    expect(accessKeyId).toMatch(/^[0-9a-f]{40}$/);
    expect(await tablesFor(accessKeyId)).toEqual(['activations']);
    expect(await tablesFor('local')).toEqual([]);
    expect(await tablesFor('AKIAIOSFODNN7EXAMPLE')).toEqual([]);
  });

  it('keeps the data of a DynamoDB Local that ran with -sharedDb: the first start moves it under its access key', async () => {
    const dataDir = newDataDir();
    const first = await startService({ DATA_DIR: dataDir });
    const opsKey = readFileSync(join(dataDir, 'ops-api-key'), 'utf8').trim();
    const reseller = await fetch(`${first.baseUrl}/v1/admin/resellers`, { method: 'POST', headers: { authorization: `Bearer ${opsKey}`, 'content-type': 'application/json' }, body: JSON.stringify(newAccount) });
    const { apiKey } = (await reseller.json()) as { apiKey: string };
    await stopService(first, 'SIGTERM');
    // What an earlier version left: one shared database file, and no access key.
    const accessKeyFile = join(dataDir, 'dynamodb-access-key');
    renameSync(join(dataDir, 'dynamodb', `${readFileSync(accessKeyFile, 'utf8').trim()}_us-east-1.db`), join(dataDir, 'dynamodb', 'shared-local-instance.db'));
    unlinkSync(accessKeyFile);

    const second = await startService({ DATA_DIR: dataDir });
    const customers = await fetch(`${second.baseUrl}/v1/customers`, { headers: { authorization: `Bearer ${apiKey}` } });

    expect(customers.status).toBe(200);
    // The stream's consumers write while the service runs: SQLite's journal may sit beside the database meanwhile.
    const databases = readdirSync(join(dataDir, 'dynamodb')).filter((name) => !name.endsWith('-journal'));
    expect(databases).toEqual([`${readFileSync(accessKeyFile, 'utf8').trim()}_us-east-1.db`]);
  });

  it('uses $DYNAMODB_ENDPOINT and $OPS_API_KEY when set: creates the table there, leaves that DynamoDB running, writes no key', async () => {
    const dataDir = newDataDir();
    const endpoint = inject('dynamodbEndpoint');
    const tableName = `${process.env.TABLE_NAME}-start`;
    const service = await startService({ DATA_DIR: dataDir, DYNAMODB_ENDPOINT: endpoint, TABLE_NAME: tableName, OPS_API_KEY: 'lak_given-ops-key' });

    const reseller = await fetch(`${service.baseUrl}/v1/admin/resellers`, { method: 'POST', headers: { authorization: 'Bearer lak_given-ops-key', 'content-type': 'application/json' }, body: JSON.stringify(newAccount) });
    expect(reseller.status).toBe(201);
    expect(service.stdout.some((line) => line.startsWith('ops API key'))).toBe(false);
    expect(await stopService(service, 'SIGTERM')).toEqual({ code: 0, signal: null });

    const shared = createTable({ endpoint, region: 'us-east-1', tableName });
    const { TableNames } = await shared.client.send(new ListTablesCommand({}));
    shared.client.destroy();
    expect(TableNames).toContain(tableName);
    expect(readdirSync(dataDir)).not.toContain('ops-api-key');
    expect(readdirSync(dataDir)).not.toContain('dynamodb');
  });

  it('prints every confirmation code at once: an independent client gets the codes of 10 sign-ups in a row within 5 s each', async () => {
    const service = await startService({ DATA_DIR: newDataDir(), ...ownDirectory });
    const { clientId, client } = directoryOf(service);
    const password = 'Correct-Horse-Battery-9';
    const waits: number[] = [];
    try {
      for (let person = 0; person < 10; person += 1) {
        const email = `person-${person}@example.com`;
        const since = service.stdout.length;
        const started = Date.now();
        await client.send(new SignUpCommand({ ClientId: clientId, Username: email, Password: password, UserAttributes: [{ Name: 'email', Value: email }] }));
        const code = (await printed(service, new RegExp(`confirmation code for ${email.replace('.', '\\.')}: (\\d+)$`), since, 5_000))?.[1];
        waits.push(Date.now() - started);
        expect(code, `no code for ${email} within 5 s`).toBeDefined();
        await client.send(new ConfirmSignUpCommand({ ClientId: clientId, Username: email, ConfirmationCode: code }));
      }
    } finally {
      client.destroy();
    }
    console.log(`confirmation codes printed within ${Math.max(...waits)} ms of the sign-up (10 in a row)`);
    // Quiet by default: no request log lines (LOG_LEVEL=info or debug asks for them).
    expect(service.stdout.filter((line) => line.startsWith('{'))).toEqual([]);
  });

  it('answers the sign-in calls the site makes as Cognito does: a new code on request, wrong passwords, the password policy', async () => {
    const service = await startService({ DATA_DIR: newDataDir(), ...ownDirectory });
    const { clientId, client } = directoryOf(service);
    const email = 'new@example.com';
    const codeFor = async (since: number) => (await printed(service, /confirmation code for new@example\.com: (\d+)$/, since, 5_000))?.[1] ?? '';
    try {
      const tooShort = client.send(new SignUpCommand({ ClientId: clientId, Username: email, Password: 'Short-pw-1' }));
      await expect(tooShort).rejects.toMatchObject({ name: 'InvalidPasswordException', message: expect.stringMatching(/not long enough/) });
      let since = service.stdout.length;
      await client.send(new SignUpCommand({ ClientId: clientId, Username: email, Password: 'Correct-Horse-Battery-9' }));
      const first = await codeFor(since);
      since = service.stdout.length;
      await client.send(new ResendConfirmationCodeCommand({ ClientId: clientId, Username: email }));
      const second = await codeFor(since);
      expect(second).toMatch(/^\d{6}$/);
      if (second !== first) await expect(client.send(new ConfirmSignUpCommand({ ClientId: clientId, Username: email, ConfirmationCode: first }))).rejects.toMatchObject({ name: 'CodeMismatchException' });
      await client.send(new ConfirmSignUpCommand({ ClientId: clientId, Username: email, ConfirmationCode: second }));
      await expect(client.send(new ResendConfirmationCodeCommand({ ClientId: clientId, Username: email }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
      const signIn = (password: string) => client.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD: password } }));
      await expect(signIn('Wrong-Horse-Battery-9')).rejects.toMatchObject({ name: 'NotAuthorizedException', message: 'Incorrect username or password.' });
      expect((await signIn('Correct-Horse-Battery-9')).AuthenticationResult?.AccessToken).toEqual(expect.any(String));
    } finally {
      client.destroy();
    }
  });

  it('exits within 2 s of Ctrl-C with a browser\'s connections open, closing them, its DynamoDB Local and its cognito-local', async () => {
    const dataDir = newDataDir();
    const service = await startService({ DATA_DIR: dataDir, ...ownDirectory });
    const { endpoint } = directoryOf(service);
    // What a browser tab holds: a connection that carried a request, and one it opened ahead and never used.
    expect((await fetch(`${service.baseUrl}/health`)).status).toBe(200);
    const unused = connect(Number(new URL(service.baseUrl).port), '127.0.0.1');
    await new Promise((opened) => unused.once('connect', opened));
    const closedByServer = new Promise((closed) => unused.once('close', closed));

    const pressed = performance.now();
    const exit = await stopService(service, 'SIGINT');
    const exitMs = performance.now() - pressed;

    expect(exit).toEqual({ code: 0, signal: null });
    expect(exitMs).toBeLessThan(2_000);
    await closedByServer;
    expect(processesNaming(join(dataDir, 'dynamodb'))).toEqual([]);
    await expect(fetch(`${endpoint}/health`)).rejects.toThrow();
  });
});
