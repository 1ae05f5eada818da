import { createServer } from 'node:http';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a test receiver got. */
export interface ReceivedWebhook {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly receivedAt: number;
}

/** How a test receiver answers a request: a status (with headers), or anything it likes with the raw response. */
export type ReceiverAnswer = number | { status: number; headers?: Record<string, string> } | ((response: ServerResponse) => void);

/**
 * A real webhook receiver on 127.0.0.1 (tests never send anywhere else): it records every request and
 * answers as `answer` says, per request.
 */
export interface TestReceiver {
  readonly url: string;
  readonly received: ReceivedWebhook[];
  /** Resolves once `count` requests have arrived (of any kind). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

export async function startReceiver(answer: (request: ReceivedWebhook, index: number) => ReceiverAnswer = () => 204, port = 0): Promise<TestReceiver> {
  const received: ReceivedWebhook[] = [];
  const waiters: Array<() => void> = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const webhook = { headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), receivedAt: Date.now() };
      received.push(webhook);
      for (const wake of waiters.splice(0)) wake();
      const reply = answer(webhook, received.length - 1);
      if (typeof reply === 'function') return reply(response);
      const { status, headers } = typeof reply === 'number' ? { status: reply, headers: {} } : reply;
      response.writeHead(status, headers).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const listening = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${listening}/hooks`,
    received,
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`the receiver got ${received.length} of ${count} webhooks within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100);
        });
      }
      return received.slice(0, count);
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
