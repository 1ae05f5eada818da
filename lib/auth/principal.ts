import type { JWK } from 'jose';
import { ProblemError } from '@license-activation/contract/problem';

/**
 * An authenticated account: the vendor's ops, a reseller or a customer. `apiKeyId` names the API key that
 * authenticated it (the id the table stores the key under), for what must remember its credential (a webhook
 * endpoint is disabled when the key that created it is revoked); absent when a person acts for the account.
 */
export type AccountPrincipal =
  /** `arn`: on AWS, the IAM principal that signed the request, which audit events name. */
  | { readonly kind: 'ops'; readonly id: 'ops'; readonly arn?: string }
  /** `name`: the account's, when its key authenticated it (audit events name their actor). */
  | { readonly kind: 'reseller'; readonly id: string; readonly name?: string; readonly apiKeyId?: string }
  | { readonly kind: 'customer'; readonly id: string; readonly name?: string; readonly apiKeyId?: string };

/** An installation that proved possession of its key (DPoP or a signed offline request). */
export interface InstallationPrincipal {
  readonly kind: 'installation';
  /** RFC 7638 thumbprint of `jwk`. */
  readonly id: string;
  readonly jwk: JWK;
  /** The proof's unique id and issue time (epoch seconds): the replay store keeps it. */
  readonly jti: string;
  readonly iat: number;
}

/** A person signed in to the user directory (API.md §7): its `sub`, and its email as the directory reports it. */
export interface PersonPrincipal {
  readonly kind: 'person';
  readonly id: string;
  readonly email?: string;
  readonly emailVerified: boolean;
}

/** The membership a person acts through on this request. */
export interface ActingMembership {
  readonly accountId: string;
  readonly memberId: string;
  readonly role: 'owner' | 'member';
}

export const opsPrincipal: AccountPrincipal = { kind: 'ops', id: 'ops' };

/**
 * Who made a request: at most one account and at most one installation. A person acting through
 * a membership is that account (with `person` and `membership` saying who and how).
 */
export interface Caller {
  readonly account?: AccountPrincipal;
  readonly installation?: InstallationPrincipal;
  readonly person?: PersonPrincipal;
  readonly membership?: ActingMembership;
}

/** The audit `actor` of an event (API.md §4): who acted, and their name as it was then. */
export interface Actor {
  readonly kind: 'ops' | 'reseller' | 'customer' | 'installation' | 'person' | 'anonymous' | 'system';
  readonly id: string;
  readonly name?: string;
}

/**
 * Who acted: the person (by `sub`, named by email) even when acting through an account's membership;
 * else the account (named by its name) or ops (by the IAM principal's ARN on AWS, unnamed); else the
 * installation, named by `hostname`, the one it reports or has.
 */
export function actorOf(
  caller: {
    readonly account?: AccountPrincipal;
    readonly installation?: Pick<InstallationPrincipal, 'id'>;
    readonly person?: Pick<PersonPrincipal, 'id' | 'email'>;
  },
  hostname?: string,
): Actor {
  const named = (name: string | undefined) => (name ? { name } : {});
  if (caller.person) return { kind: 'person', id: caller.person.id, ...named(caller.person.email) };
  if (caller.account?.kind === 'ops') return { kind: 'ops', id: caller.account.arn ?? caller.account.id };
  if (caller.account) return { kind: caller.account.kind, id: caller.account.id, ...named(caller.account.name) };
  if (caller.installation) return { kind: 'installation', id: caller.installation.id, ...named(hostname) };
  return { kind: 'anonymous', id: 'anonymous' };
}

/** The system itself (a lapsed lease reclaimed, a scheduled job). */
export const systemActor: Actor = { kind: 'system', id: 'system' };

/**
 * The caller's account. Routes that reach this have already required one (packages/contract/src/routes.ts),
 * so a missing account here is an authentication fault, answered as such.
 */
export function accountOf(caller: Caller): AccountPrincipal {
  if (!caller.account) throw new ProblemError('UNAUTHENTICATED', 'this route needs an API key');
  return caller.account;
}

/** The signed-in person, under the same guarantee as `accountOf`. */
export function personOf(caller: Caller): PersonPrincipal {
  if (!caller.person) throw new ProblemError('UNAUTHENTICATED', "this route needs a person's access token");
  return caller.person;
}

/** The caller's installation, under the same guarantee as `accountOf`. */
export function installationOf(caller: Caller): InstallationPrincipal {
  if (!caller.installation) throw new ProblemError('UNAUTHENTICATED', 'this route needs a DPoP proof');
  return caller.installation;
}
