import type { MiddlewareObj } from '@middy/core';
import { admits, refusal } from './access.js';
import type { ResourceLoader } from './access.js';
import { bearerToken } from './api-keys.js';
import { authorizerContextKeys } from './authorizer-policy.js';
import { opsPrincipal } from './principal.js';
import type { AccountPrincipal, ActingMembership, Caller, InstallationPrincipal, PersonPrincipal } from './principal.js';
import { problem, ProblemError } from '@license-activation/contract/problem';
import type { RouteDefinition } from '@license-activation/contract/routes';
import { headerValue } from '../http/http-event.js';
import { logger } from '../platform/logger.js';
import type { HttpEvent } from '../http/http-event.js';

/** Resolves a bearer credential (an API key, or a person's access token); undefined when the key is unknown. */
export type BearerAuthenticator = (credential: string) => Promise<AccountPrincipal | PersonPrincipal | undefined>;

/**
 * Installations' proofs of possession: verified for a request, which returns the installation, and spent
 * for a request refused after that (the action spends it where it writes: lib/data/proofs.ts).
 */
export interface InstallationProofs {
  readonly verify: (event: HttpEvent, now: Date) => Promise<InstallationPrincipal>;
  readonly spendRefused: (installation: InstallationPrincipal, now: Date) => Promise<void>;
}

/**
 * How a function authenticates the callers API Gateway leaves to it (packages/contract/src/routes.ts): the
 * functions of installation routes verify proofs, and those that also take an account's API key
 * look keys up themselves. A function passes only what its routes need, so that its bundle holds
 * no verifier it never runs (jose for proofs, the table and Secrets Manager for keys).
 */
export interface CallerVerifiers {
  readonly installations?: InstallationProofs;
  readonly accounts?: BearerAuthenticator;
  /** The membership a person acts through, for the functions whose routes persons call as an account. */
  readonly memberships?: MembershipResolver;
  /** The resources the function's routes name, read for their access decisions (./access.ts). */
  readonly resources?: ResourceLoader;
}

/** The membership a person acts through on a request (`Account-Id`, or its only one). */
export type MembershipResolver = (person: PersonPrincipal, accountIdHeader: string | undefined) => Promise<{ account: AccountPrincipal; membership: ActingMembership }>;

export function verifierFor<T>(verifier: T | undefined, route: RouteDefinition, what: keyof CallerVerifiers): T {
  // A wiring fault of the function, not of the request: it answers 500 INTERNAL.
  if (!verifier) throw new TypeError(`the handler of ${route.id} was built without a verifier for ${what}`);
  return verifier;
}

type BearerPrincipal = AccountPrincipal | PersonPrincipal;

/** The principal API Gateway already authenticated: IAM for ops, or the Lambda authorizer's context. */
function principalFromGateway(event: HttpEvent, route: RouteDefinition): BearerPrincipal | undefined {
  const context = event.requestContext?.authorizer;
  const kind: unknown = context?.[authorizerContextKeys.kind];
  const id: unknown = context?.[authorizerContextKeys.id];
  // The local ops key, on any route (the local server stands in for IAM with it).
  if (kind === 'ops') return opsPrincipal;
  // On AWS, an IAM-signed request: the signing principal is who acted.
  const userArn = event.requestContext?.identity?.userArn;
  if (route.authentication === 'iam' && userArn) return { kind: 'ops', id: 'ops', arn: userArn };
  if (typeof id !== 'string' || !id) return undefined;
  if (kind === 'reseller' || kind === 'customer') {
    const name: unknown = context?.[authorizerContextKeys.name];
    const apiKeyId: unknown = context?.[authorizerContextKeys.apiKeyId];
    return { kind, id, ...(typeof name === 'string' && name ? { name } : {}), ...(typeof apiKeyId === 'string' && apiKeyId ? { apiKeyId } : {}) };
  }
  if (kind === 'person') {
    const email: unknown = context?.[authorizerContextKeys.email];
    // API Gateway hands the authorizer's context values on as strings.
    const emailVerified = String(context?.[authorizerContextKeys.emailVerified]) === 'true';
    return { kind, id, ...(typeof email === 'string' && email ? { email } : {}), emailVerified };
  }
  return undefined;
}

async function principalFromBearer(event: HttpEvent, route: RouteDefinition, verifiers: CallerVerifiers): Promise<BearerPrincipal | undefined> {
  const authorization = headerValue(event, 'authorization');
  if (authorization === undefined) return undefined;
  const credential = bearerToken(authorization);
  const principal = credential === undefined ? undefined : await verifierFor(verifiers.accounts, route, 'accounts')(credential);
  if (!principal) throw problem('UNAUTHENTICATED', 'the API key is missing, malformed or unknown');
  return principal;
}

/** Whether a person calls this route as one of its memberships (routes.ts `throughMembership`). */
export function actsThroughMembership(route: RouteDefinition): boolean {
  const accountKinds = [...route.allow, ...(route.onBehalfOf ?? [])];
  return route.throughMembership === true || accountKinds.some((kind) => kind === 'customer' || kind === 'reseller');
}

/**
 * The caller a bearer principal makes. A person on a route of accounts acts through the membership
 * `Account-Id` names, read from the table on every request.
 */
async function bearerCaller(principal: BearerPrincipal | undefined, event: HttpEvent, route: RouteDefinition, verifiers: CallerVerifiers): Promise<Caller> {
  if (!principal) return {};
  if (principal.kind !== 'person') return { account: principal };
  if (!actsThroughMembership(route)) return { person: principal };
  const acting = await verifierFor(verifiers.memberships, route, 'memberships')(principal, headerValue(event, 'account-id'));
  return { person: principal, ...acting };
}

export async function resolveCaller(event: HttpEvent, route: RouteDefinition, now: Date, verifiers: CallerVerifiers): Promise<Caller> {
  const installationProof = () => verifierFor(verifiers.installations, route, 'installations').verify(event, now);
  switch (route.authentication) {
    case 'none':
      return {};
    case 'iam':
    case 'api-key':
      return bearerCaller(principalFromGateway(event, route), event, route, verifiers);
    case 'installation': {
      const installation = await installationProof();
      const onBehalf = route.onBehalfOf ? await bearerCaller(await principalFromBearer(event, route, verifiers), event, route, verifiers) : {};
      return { installation, ...onBehalf };
    }
    case 'installation-or-api-key': {
      if (headerValue(event, 'dpop') !== undefined) return { installation: await installationProof() };
      return bearerCaller(await principalFromBearer(event, route, verifiers), event, route, verifiers);
    }
  }
}

/**
 * Refusals that leave an installation's verified proof unspent and need not spend it: the proof's own (it
 * was spent, or it is past the limit), and RFC 8628's answers to a device code polled every 5 seconds for
 * up to 10 minutes, which would spend the 20 proofs a window long before a person approves.
 */
const refusalsSpendingNoProof: ReadonlySet<string> = new Set(['PROOF_REPLAYED', 'AUTHORIZATION_PENDING', 'SLOW_DOWN']);

/** Authenticates and authorizes the caller before the body is even parsed. */
export function authentication(verifiers: CallerVerifiers): MiddlewareObj<HttpEvent> {
  return {
    name: 'authentication',
    before: async function authenticationBefore({ event }) {
      const route = event.route;
      if (!route) throw new TypeError('authentication runs after httpEnvelope');
      const caller = await resolveCaller(event, route, new Date(), verifiers);
      // Who may call the route at all, before the body is read; what they may do with the resource it names is decided after validation.
      const admitted = admits(caller, route);
      if (admitted.outcome !== 'allow') throw refusal(admitted);
      event.caller = caller;
    },
    // A request refused after its proof was verified bore a proof all the same (API.md §2): its proof is spent,
    // and past the installation's limit the answer is that limit's. Where spending fails (contention that outlasts
    // the retries: a burst of refused requests from one installation), the refusal stands as it is.
    onError: async function spendRefusedProof(request) {
      const installation = request.event.caller?.installation;
      const { error } = request;
      if (!installation || !(error instanceof ProblemError) || error.status >= 500 || refusalsSpendingNoProof.has(error.code)) return;
      try {
        await verifierFor(verifiers.installations, request.event.route as RouteDefinition, 'installations').spendRefused(installation, new Date());
      } catch (spendError) {
        if (spendError instanceof ProblemError && spendError.code === 'RATE_LIMITED') request.error = spendError;
        else logger.warn('the proof of a refused request was not spent', { code: error.code, spendError });
      }
    },
  };
}
