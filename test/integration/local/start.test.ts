import { chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createTable } from '#lib/platform/dynamodb.js';
import { newInstallation } from '../../support/api.js';
import { machine } from '../../support/scenario.js';
import { cleanUpServices, newDataDir, startService, stopService } from '../../support/npm-start.js';

// `npm start` (scripts/start.ts) as a child process, the way a developer runs it.

const newAccount = { name: 'Example Ltd', email: 'it@example.com' };

afterEach(cleanUpServices);

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

    const exit = await stopService(service, 'SIGINT');

    expect(exit).toEqual({ code: 0, signal: null });
    expect(processesNaming(join(dataDir, 'dynamodb'))).toEqual([]);
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
    const reseller = await fetch(`${first.baseUrl}/v1/admin/resellers`, { method: 'POST', headers: { authorization: `Bearer ${printed}` }, body: JSON.stringify(newAccount) });
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
    const reseller = await fetch(`${first.baseUrl}/v1/admin/resellers`, { method: 'POST', headers: { authorization: `Bearer ${opsKey}` }, body: JSON.stringify(newAccount) });
    const { apiKey } = (await reseller.json()) as { apiKey: string };
    await stopService(first, 'SIGTERM');
    // What an earlier version left: one shared database file, and no access key.
    const accessKeyFile = join(dataDir, 'dynamodb-access-key');
    renameSync(join(dataDir, 'dynamodb', `${readFileSync(accessKeyFile, 'utf8').trim()}_us-east-1.db`), join(dataDir, 'dynamodb', 'shared-local-instance.db'));
    unlinkSync(accessKeyFile);

    const second = await startService({ DATA_DIR: dataDir });
    const customers = await fetch(`${second.baseUrl}/v1/customers`, { headers: { authorization: `Bearer ${apiKey}` } });

    expect(customers.status).toBe(200);
    expect(readdirSync(join(dataDir, 'dynamodb'))).toEqual([`${readFileSync(accessKeyFile, 'utf8').trim()}_us-east-1.db`]);
  });

  it('uses $DYNAMODB_ENDPOINT and $OPS_API_KEY when set: creates the table there, leaves that DynamoDB running, writes no key', async () => {
    const dataDir = newDataDir();
    const endpoint = inject('dynamodbEndpoint');
    const tableName = `${process.env.TABLE_NAME}-start`;
    const service = await startService({ DATA_DIR: dataDir, DYNAMODB_ENDPOINT: endpoint, TABLE_NAME: tableName, OPS_API_KEY: 'lak_given-ops-key' });

    const reseller = await fetch(`${service.baseUrl}/v1/admin/resellers`, { method: 'POST', headers: { authorization: 'Bearer lak_given-ops-key' }, body: JSON.stringify(newAccount) });
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
});
