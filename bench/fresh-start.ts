/**
 * The first requests a freshly started `npm start` answers (its own new DynamoDB Local, whose JIT has
 * not warmed up), against the same requests once it has served a few hundred.
 */
import { randomUUID } from 'node:crypto';
import { newInstallation } from '#test/support/api.js';
import type { TestInstallation } from '#test/support/api.js';
import { percentile } from './stats.js';

export interface FreshStart {
  /** p50 (ms) of the first `requests` activations and of the heartbeats that follow them, right after the start. */
  readonly first: { readonly activation: number; readonly heartbeat: number };
  /** The same after those, and as many again, were served. */
  readonly warm: { readonly activation: number; readonly heartbeat: number };
  readonly requests: number;
}

async function send(baseUrl: string, path: string, body: unknown, headers: Record<string, string>): Promise<Record<string, unknown>> {
  const response = await fetch(`${baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'license-activation-bench', ...headers }, body: JSON.stringify(body) });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`POST ${path} answered ${response.status}: ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

export async function measureFreshStart(baseUrl: string, opsApiKey: string, requests: number): Promise<FreshStart> {
  const bearer = (key: unknown) => ({ authorization: `Bearer ${String(key)}` });
  const reseller = await send(baseUrl, '/v1/admin/resellers', { name: 'Bench Reseller', email: 'bench@example.com' }, bearer(opsApiKey));
  const customer = await send(baseUrl, '/v1/customers', { name: 'Bench Customer', email: 'bench@example.com' }, bearer(reseller.apiKey));
  const customerId = (customer.account as { id: string }).id;
  const { key } = await send(baseUrl, '/v1/licenses', { customerId, productId: 'authserver', type: 'users', quantity: 50, maxActivations: 1_000_000 }, bearer(reseller.apiKey));

  const round = async () => {
    const installations: TestInstallation[] = await Promise.all(Array.from({ length: requests }, () => newInstallation()));
    const proofs = await Promise.all(installations.map((installation) => installation.proof('POST', '/v1/activations')));
    const activations: number[] = [];
    for (const proof of proofs) {
      const body = { key, productId: 'authserver', fingerprint: `bench-${randomUUID()}`, hostname: 'srv-01.example', version: '5.0.0', virtual: false };
      activations.push(await timed(() => send(baseUrl, '/v1/activations', body, { dpop: proof })));
    }
    const heartbeats: number[] = [];
    for (const installation of installations) {
      const path = `/v1/installations/${installation.id}/heartbeat`;
      const dpop = await installation.proof('POST', path);
      heartbeats.push(await timed(() => send(baseUrl, path, { version: '5.1.0', usage: { activeUsers: 3 } }, { dpop })));
    }
    return { activation: percentile(activations, 50), heartbeat: percentile(heartbeats, 50) };
  };
  const first = await round();
  await round();
  return { first, warm: await round(), requests };
}
