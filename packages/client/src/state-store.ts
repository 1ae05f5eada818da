import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';

/**
 * What the client keeps between runs, in `state.json` under the state directory. The token is kept
 * as received and verified again whenever it is read: this file is as writable as any other.
 */
export const ClientState = z.object({
  /** The installation id the state belongs to (informational: the key decides). */
  installationId: z.string().optional(),
  /** The current license token (compact JWS). */
  token: z.string().optional(),
  /** The latest time this installation has seen (epoch ms): a clock set back behind it is tampered with. */
  highestTimeSeen: z.number().optional(),
  /** Stands in for the machine id on machines without one (see `machineFingerprint`). */
  fallbackMachineId: z.string().optional(),
  /**
   * The presentation (a heartbeat or a restore) sent and not yet answered, saved before it is sent: its
   * retries, after a restart too, repeat it unchanged (API.md §10; chain-keeping.ts).
   */
  pending: z
    .discriminatedUnion('kind', [
      z.object({
        kind: z.literal('heartbeat'),
        key: z.string(),
        body: z.object({ version: z.string(), usage: z.object({ activeUsers: z.number() }), chain: z.string().optional() }),
      }),
      z.object({ kind: z.literal('restore'), key: z.string(), chain: z.string().optional() }),
    ])
    .optional(),
  /** The chain the installation presented last, and when (epoch ms): a newer one waits until every request that presented it was judged. */
  lastPresentation: z.object({ chain: z.string().optional(), sentAt: z.number() }).optional(),
});
export type ClientState = z.infer<typeof ClientState>;

/** The file, under the state directory, that holds the {@link ClientState}. */
export const stateFileName = 'state.json';

function isMissing(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ENOENT';
}

/**
 * The client's state file. Every write goes to a temp file that is synced and then renamed over the
 * state, so a crash or a concurrent reader never sees half a file. Writes from one process are queued.
 *
 * @example
 * ```ts
 * const store = new StateStore('/var/lib/acme/license');
 * await store.update((state) => ({ ...state, token }));
 * ```
 */
export class StateStore {
  private readonly path: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly stateDir: string) {
    this.path = join(stateDir, stateFileName);
  }

  /**
   * The stored state; empty when there is none yet. A file that is not valid state (truncated by a
   * full disk, edited by hand) reads as empty too: the installation then has no token, which fails closed.
   */
  async read(): Promise<ClientState> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if (isMissing(error)) return {};
      throw error;
    }
    try {
      const parsed = ClientState.safeParse(JSON.parse(text));
      return parsed.success ? parsed.data : {};
    } catch {
      return {};
    }
  }

  /** Reads the state, applies `change` and writes the result; returns it. A `change` that throws writes nothing. */
  update(change: (state: ClientState) => ClientState | Promise<ClientState>): Promise<ClientState> {
    const next = this.queue.then(async () => {
      const state = await change(await this.read());
      await this.write(state);
      return state;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async write(state: ClientState): Promise<void> {
    await mkdir(this.stateDir, { recursive: true, mode: 0o700 });
    const temp = `${this.path}.${randomUUID()}.tmp`;
    try {
      const file = await open(temp, 'wx', 0o600);
      try {
        await file.writeFile(`${JSON.stringify(state, null, 2)}\n`, 'utf8');
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temp, this.path);
    } finally {
      await rm(temp, { force: true });
    }
  }
}
