import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { createTable } from '#lib/platform/dynamodb.js';

export interface DynamodbLocalOptions {
  /** Keep the tables in this folder (created if missing) across restarts; without it they live in memory. */
  readonly dbPath?: string;
  /** Defaults to a free port on 127.0.0.1. */
  readonly port?: number;
  readonly readyTimeoutMs?: number;
  /** The credential the readiness probe uses: DynamoDB Local opens a database file for each one it meets. */
  readonly accessKeyId?: string;
}

export interface DynamodbLocal {
  readonly endpoint: string;
  readonly port: number;
  /** SIGTERM, then SIGKILL if it has not exited after a few seconds. Safe to call twice. */
  stop(): Promise<void>;
}

interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly spawnError?: Error;
}

const killAfterSeconds = 5;
const defaultReadyTimeoutMs = 20_000;
const probeTimeoutMs = 1_000;
const stderrTailLines = 15;
const commandNotFound = 127;

/**
 * Runs "$@" (java) in the background and kills it once this shell's stdin reaches EOF. Node holds
 * the only writer of that pipe, so EOF comes however Node ends, SIGKILL included, which exit
 * handlers cannot promise. A SIGTERM to the shell is passed on to java; the shell exits with
 * java's status once java is gone.
 */
const watchdogScript = `
exec 3<&0 </dev/null
"$@" 3<&- &
server=$!
trap 'kill -TERM "$server" 2>/dev/null' TERM
(
  while read -r _ <&3; do :; done
  kill -TERM "$server" 2>/dev/null
  sleep ${killAfterSeconds}
  kill -KILL "$server" 2>/dev/null
) &
watcher=$!
exec 3<&-
wait "$server"; status=$?
# A trapped SIGTERM interrupts wait: wait again until java has really exited.
while kill -0 "$server" 2>/dev/null; do wait "$server"; status=$?; done
kill "$watcher" 2>/dev/null
exit "$status"
`;

/** Whether `promise` settles within `ms`. The timer keeps Node alive meanwhile and is cleared after. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(resolve, ms, false);
  });
  try {
    return await Promise.race([promise.then(() => true), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** The DynamoDB Local distribution shipped inside the `amplify-dynamodb-simulator` npm package. */
function emulatorFolder(): string {
  const packageMain = createRequire(import.meta.url).resolve('amplify-dynamodb-simulator');
  return join(dirname(packageMain), 'emulator');
}

/** A TCP port that was free on 127.0.0.1 a moment ago (the OS picks it). */
export async function findFreePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new TypeError('a TCP server has a port');
  return address.port;
}

function javaArguments(emulator: string, port: number, dbPath: string | undefined): string[] {
  const storage = dbPath === undefined ? ['-inMemory'] : ['-dbPath', dbPath];
  return [
    // A stand-in for development and tests: starting fast matters more than peak throughput.
    '-XX:TieredStopAtLevel=1',
    '-XX:+UseSerialGC',
    `-Djava.library.path=${join(emulator, 'DynamoDBLocal_lib')}`,
    '-jar',
    join(emulator, 'DynamoDBLocal.jar'),
    '-port',
    String(port),
    '-disableTelemetry',
    ...storage,
    // No `-sharedDb`: DynamoDB Local listens on every interface (it has no bind address) and checks no
    // signature, but keeps one database per access key id and region. `npm start` uses a random access
    // key id, so whoever reaches the port without it finds an empty database (docs/RELIABILITY.md).
  ];
}

function tail(stderrLines: readonly string[]): string {
  return stderrLines.length === 0 ? '' : `; its last lines on stderr:\n${stderrLines.join('\n')}`;
}

function describeExit(exit: ExitStatus, stderrLines: readonly string[]): string {
  if (exit.spawnError) return `DynamoDB Local could not be started: ${exit.spawnError.message}`;
  if (exit.code === commandNotFound) {
    return 'DynamoDB Local needs Java, but `java` is not on the PATH: install a Java 17+ runtime (e.g. apt-get install default-jre-headless)';
  }
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  return `DynamoDB Local ${how} before it was ready${tail(stderrLines)}`;
}

/**
 * Starts DynamoDB Local and resolves once it answers a ListTables call. It never outlives this
 * process: a watchdog shell kills it when our end of its stdin pipe closes.
 */
export async function startDynamodbLocal(options: DynamodbLocalOptions = {}): Promise<DynamodbLocal> {
  const port = options.port ?? (await findFreePort());
  if (options.dbPath !== undefined) await mkdir(options.dbPath, { recursive: true, mode: 0o700 });
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn('sh', ['-c', watchdogScript, 'dynamodb-local', 'java', ...javaArguments(emulatorFolder(), port, options.dbPath)], {
    stdio: ['pipe', 'ignore', 'pipe'],
    // Its own process group, so that a last-resort SIGKILL reaches java too, and Ctrl-C in a
    // terminal reaches only Node, which then stops DynamoDB Local in order.
    detached: true,
  });

  const stderrLines: string[] = [];
  // DynamoDB Local does not exit when its port is taken: it logs the BindException and idles.
  let portTaken = false;
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    portTaken ||= chunk.includes('java.net.BindException');
    stderrLines.push(...chunk.split('\n').filter((line) => line.trim() !== ''));
    stderrLines.splice(0, Math.max(0, stderrLines.length - stderrTailLines));
  });
  const stderrEnded = new Promise<void>((resolve) => child.stderr.once('close', resolve));

  let exit: ExitStatus | undefined;
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('exit', (code, signal) => resolve((exit ??= { code, signal })));
    child.once('error', (spawnError) => resolve((exit ??= { code: null, signal: null, spawnError })));
  });
  // Neither the child nor its pipes keep Node alive: should Node end without stop(), the pipe closes and java goes.
  child.unref();
  (child.stdin as Socket).unref();
  (child.stderr as Socket).unref();

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (exit === undefined) {
        child.ref();
        child.kill('SIGTERM');
        if (!(await settlesWithin(exited, killAfterSeconds * 1000)) && exit === undefined && child.pid !== undefined) {
          process.kill(-child.pid, 'SIGKILL');
          await exited;
        }
      }
      child.stdin.destroy();
      child.stderr.destroy();
    })();
    return stopping;
  };

  const readyTimeoutMs = options.readyTimeoutMs ?? defaultReadyTimeoutMs;
  const deadline = Date.now() + readyTimeoutMs;
  const probe = createTable({ endpoint, region: 'us-east-1', tableName: '', accessKeyId: options.accessKeyId }).client;
  try {
    for (;;) {
      if (exit !== undefined) {
        // Its last words may still be in the pipe.
        await settlesWithin(stderrEnded, 1_000);
        await stop();
        throw new Error(describeExit(exit, stderrLines));
      }
      if (portTaken) {
        await stop();
        throw new Error(`DynamoDB Local could not listen on port ${port}: it is taken${tail(stderrLines)}`);
      }
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${readyTimeoutMs} ms${tail(stderrLines)}`);
      }
      try {
        // The SDK's requestTimeout only warns, so a port that accepts and stays silent would hang the probe.
        await probe.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(probeTimeoutMs) });
        return { endpoint, port, stop };
      } catch {
        await delay(100);
      }
    }
  } finally {
    probe.destroy();
  }
}
