import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const sourceConditions = ['--conditions=@license-activation/source', '--import', 'tsx'];

/** A port nobody listens on now: `npm start` needs to know its own URL (SITE_URL, DPoP `htu`) before it listens. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** `npm start` exactly as a developer runs it (API, DynamoDB Local, cognito-local), on its own port and data folder. */
export class LocalStack {
  private readonly lines: string[] = [];
  private readonly waiters: { pattern: RegExp; resolve: (match: RegExpMatchArray) => void }[] = [];

  private constructor(
    private readonly child: ChildProcess,
    readonly baseUrl: string,
    readonly opsApiKey: string,
    private readonly dataDir: string,
  ) {
    let pending = '';
    const collect = (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const complete = pending.split('\n');
      pending = complete.pop() ?? '';
      for (const line of complete) this.receive(line);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  }

  static async start(): Promise<LocalStack> {
    const port = await freePort();
    const dataDir = await mkdtemp(join(tmpdir(), 'license-site-e2e-'));
    const opsApiKey = `lak_e2e${Math.random().toString(36).slice(2)}`;
    const baseUrl = `http://127.0.0.1:${port}`;
    const child = spawn(process.execPath, [...sourceConditions, 'scripts/start.ts'], {
      cwd: repositoryRoot,
      env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, OPS_API_KEY: opsApiKey, PUBLIC_BASE_URL: baseUrl, SITE_URL: baseUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stack = new LocalStack(child, baseUrl, opsApiKey, dataDir);
    const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${stack.lines.join('\n')}`))));
    await Promise.race([stack.waitFor(/^listening on /, 120_000), exited]);
    return stack;
  }

  private receive(line: string): void {
    this.lines.push(line);
    for (const waiter of [...this.waiters]) {
      const match = line.match(waiter.pattern);
      if (!match) continue;
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve(match);
    }
  }

  /** Where the output is now: `waitFor(…, since)` then looks only at what is printed after it. */
  outputMark(): number {
    return this.lines.length;
  }

  /** The first output line matching `pattern` from line `since` on, already printed or still to come. */
  waitFor(pattern: RegExp, timeoutMs = 15_000, since = 0): Promise<RegExpMatchArray> {
    const printed = this.lines.slice(since).map((line) => line.match(pattern)).find((match) => match !== null);
    if (printed) return Promise.resolve(printed);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`npm start printed nothing matching ${pattern} within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({ pattern, resolve: (match) => (clearTimeout(timer), resolve(match)) });
    });
  }

  /** The code the directory would e-mail to `email` (sign-up, password reset), as `npm start` prints it, from line `since` on. */
  async confirmationCode(email: string, since = 0): Promise<string> {
    const escaped = email.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const match = await this.waitFor(new RegExp(`confirmation code for ${escaped}: (\\S+)`), 15_000, since);
    return match[1] ?? '';
  }

  /** An ops call, as the vendor's staff would make it with curl. */
  async asOps<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${this.opsApiKey}`, 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
    await rm(this.dataDir, { recursive: true, force: true });
  }
}
