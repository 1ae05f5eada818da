import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { decodeJwt } from 'jose';
import { opsPrincipal } from '#lib/auth/principal.js';
import type { AccountPrincipal } from '#lib/auth/principal.js';
import { routeById } from '@license-activation/contract/routes';
import type { RouteId } from '@license-activation/contract/routes';
import type { HttpResponse } from '#lib/http/http-event.js';
import { eventFor, handlerOf, newInstallation } from '#test/support/api.js';
import type { TestInstallation } from '#test/support/api.js';
import { lambdaContext } from '#dev/lambda-context.js';

/** An account the bench made through the API: its principal for in-process calls, its key for HTTP. */
export interface BenchAccount {
  readonly principal: AccountPrincipal;
  readonly apiKey: string;
}

/** One request of an operation, enough to send it in-process (as an API Gateway event) or over HTTP. */
export interface OperationRequest {
  readonly routeId: RouteId;
  readonly params?: Record<string, string>;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  readonly installation?: TestInstallation;
  readonly account?: BenchAccount;
  readonly expectedStatus: number;
}

export const operationIds = ['trial', 'activation', 'heartbeat', 'heartbeatReserved', 'licenseIssuance', 'jwks'] as const;
export type OperationId = (typeof operationIds)[number];

export interface Operation {
  readonly id: OperationId;
  /** Requests for one run, each new to the service: fresh proofs, and fresh installations where the operation creates one. */
  prepare(count: number): Promise<OperationRequest[]>;
}

export interface Fixtures {
  readonly reseller: BenchAccount;
  readonly customerId: string;
  /** A license with room for every activation the bench makes: activations never run out or contend on a limit. */
  readonly siteLicenseKey: string;
}


type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<HttpResponse>;

/** A request, ready to be timed: everything costly but the call itself (proof signing, handler loading) is done. */
export interface ReadyCall {
  readonly expectedStatus: number;
  send(): Promise<{ status: number; body: string }>;
}

/** The API Gateway event of a request, and its handler, as Lambda would invoke it. */
export async function inProcessCall(request: OperationRequest): Promise<ReadyCall> {
  const route = routeById(request.routeId);
  const handler = (await handlerOf(route.function)) as Handler;
  const event = await eventFor(request.routeId, {
    params: request.params,
    body: request.body,
    headers: request.headers,
    installation: request.installation,
    as: request.account?.principal,
  });
  return {
    expectedStatus: request.expectedStatus,
    send: async () => {
      const response = await handler(event, lambdaContext(route.function));
      return { status: response.statusCode, body: response.body };
    },
  };
}

/** The same request over HTTP to the local service, with its proof signed for that URL path. */
export async function httpCall(baseUrl: string, request: OperationRequest): Promise<ReadyCall> {
  const route = routeById(request.routeId);
  const params = request.params ?? {};
  const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
  const headers: Record<string, string> = { 'user-agent': 'license-activation-bench', ...request.headers };
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  if (request.installation) headers.dpop = await request.installation.proof(route.method, path);
  if (request.account) headers.authorization = `Bearer ${request.account.apiKey}`;
  const body = request.body === undefined ? undefined : JSON.stringify(request.body);
  return {
    expectedStatus: request.expectedStatus,
    send: async () => {
      const response = await fetch(`${baseUrl}${path}`, { method: route.method, headers, body });
      return { status: response.status, body: await response.text() };
    },
  };
}

/** Sends a call and insists on its expected answer: a bench that measures failures measures nothing. */
export async function sendExpecting(call: ReadyCall): Promise<string> {
  const { status, body } = await call.send();
  if (status !== call.expectedStatus) throw new Error(`expected ${call.expectedStatus}, got ${status}: ${body}`);
  return body;
}

async function callOk(request: OperationRequest): Promise<Record<string, unknown>> {
  return JSON.parse(await sendExpecting(await inProcessCall(request))) as Record<string, unknown>;
}

let machines = 0;
const machine = () => ({ fingerprint: `bench-machine-${(machines += 1)}-${randomUUID()}`, hostname: 'srv-01.example', version: '5.0.0', virtual: false });

async function createAccount(routeId: 'createReseller' | 'createCustomer', as: BenchAccount, name: string): Promise<BenchAccount & { id: string }> {
  const created = await callOk({ routeId, account: as, body: { name, email: 'bench@example.com' }, expectedStatus: 201 });
  const account = created.account as { id: string; kind: 'reseller' | 'customer' };
  return { id: account.id, apiKey: created.apiKey as string, principal: { kind: account.kind, id: account.id } };
}

/** A reseller, its customer and a site license, made through the API. */
export async function createFixtures(opsApiKey: string): Promise<Fixtures> {
  const reseller = await createAccount('createReseller', { principal: opsPrincipal, apiKey: opsApiKey }, 'Bench Reseller');
  const customer = await createAccount('createCustomer', reseller, 'Bench Customer');
  const issued = await callOk({
    routeId: 'issueLicense',
    account: reseller,
    body: { customerId: customer.id, productId: 'authserver', type: 'users', quantity: 50, maxActivations: 1_000_000 },
    expectedStatus: 201,
  });
  return { reseller, customerId: customer.id, siteLicenseKey: issued.key as string };
}

const times = <T>(count: number, make: (index: number) => Promise<T>) => Promise.all(Array.from({ length: count }, (_, index) => make(index)));

/** Made a few at a time: preparing is not timed, but hundreds of concurrent activations would only contend. */
async function inBatches<T>(count: number, make: () => Promise<T>, batch = 8): Promise<T[]> {
  const made: T[] = [];
  while (made.length < count) made.push(...(await times(Math.min(batch, count - made.length), make)));
  return made;
}

/** An installation and the chain of the newest token it holds (API.md §10), which its heartbeats present. */
interface HoldingInstallation {
  readonly installation: TestInstallation;
  readonly chain: string;
}

const chainOf = (token: unknown): string => String(decodeJwt(String(token)).chain);

/** Installations just activated on the site license: their next heartbeat signs (nothing to re-serve). */
function activatedInstallations(fixtures: Fixtures, count: number): Promise<HoldingInstallation[]> {
  return inBatches(count, async () => {
    const installation = await newInstallation();
    const activated = await callOk({ routeId: 'activate', installation, body: { key: fixtures.siteLicenseKey, productId: 'authserver', ...machine() }, expectedStatus: 201 });
    return { installation, chain: chainOf(activated.token) };
  });
}

/** Re-served heartbeats per installation in one run: with its activation and first heartbeat, within the 20 proofs a window allows. */
const reservedHeartbeatsPerInstallation = 15;

/** A heartbeat as a client sends it: the chain it holds, and an `Idempotency-Key` of its own. */
const heartbeatRequest = ({ installation, chain }: HoldingInstallation, activeUsers: number): OperationRequest => ({
  routeId: 'heartbeat',
  installation,
  params: { installationId: installation.id },
  headers: { 'Idempotency-Key': randomUUID() },
  body: { version: '5.1.0', usage: { activeUsers }, chain },
  expectedStatus: 200,
});

/** The operations users wait on, each as a new request of its kind. */
export function operations(fixtures: Fixtures): Operation[] {
  return [
    {
      id: 'trial',
      prepare: (count) =>
        times(count, async () => ({ routeId: 'startTrial', installation: await newInstallation(), body: { productId: 'authserver', ...machine() }, expectedStatus: 201 })),
    },
    {
      id: 'activation',
      prepare: (count) =>
        times(count, async () => ({
          routeId: 'activate',
          installation: await newInstallation(),
          body: { key: fixtures.siteLicenseKey, productId: 'authserver', ...machine() },
          expectedStatus: 201,
        })),
    },
    {
      // The daily heartbeat: its installation's last token is not one to re-serve, so it signs.
      id: 'heartbeat',
      prepare: async (count) => (await activatedInstallations(fixtures, count)).map((holding) => heartbeatRequest(holding, 3)),
    },
    {
      // A heartbeat whose installation's recent token may answer it (within the brake, or nothing changed): recorded, not signed.
      id: 'heartbeatReserved',
      prepare: async (count) => {
        // Installations of their own, each heartbeating a few times within the brake as a restarting
        // server might; a client may spend at most 20 proofs on its installation in 10 minutes.
        const activated = await activatedInstallations(fixtures, Math.ceil(count / reservedHeartbeatsPerInstallation));
        // One heartbeat each first, so that every installation holds a head of the signer in use to re-serve; the
        // heartbeats after it present that head, which the brake answers with its token while nothing changes.
        const installations: HoldingInstallation[] = [];
        for (const holding of activated) installations.push({ installation: holding.installation, chain: chainOf((await callOk(heartbeatRequest(holding, 3))).token) });
        return times(count, async (index) => heartbeatRequest(installations[index % installations.length] as HoldingInstallation, 3));
      },
    },
    {
      id: 'licenseIssuance',
      prepare: (count) =>
        times(count, async () => ({
          routeId: 'issueLicense',
          account: fixtures.reseller,
          headers: { 'Idempotency-Key': randomUUID() },
          body: { customerId: fixtures.customerId, productId: 'authserver', type: 'users', quantity: 10 },
          expectedStatus: 201,
        })),
    },
    { id: 'jwks', prepare: (count) => times(count, async () => ({ routeId: 'jwks', expectedStatus: 200 })) },
  ];
}
