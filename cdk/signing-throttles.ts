import { routeById } from '@license-activation/contract/routes';
import type { RouteId } from '@license-activation/contract/routes';

/**
 * KMS's default quota "Cryptographic operations (ECC) request rate": requests per second per account
 * and Region, shared by `Sign` and `Verify` with every ECC key (adjustable in Service Quotas). Past it
 * KMS throttles, and a signing route answers 503.
 */
export const defaultKmsEccRequestRate = 300;

/**
 * How the signing routes (one KMS `Sign` per request each) share what a stage may use of that quota.
 * Heartbeats are most of the traffic; restore, trial and offline activation are rare.
 */
export const signingRouteShares: Readonly<Partial<Record<RouteId, number>>> = {
  heartbeat: 0.45,
  activate: 0.25,
  getInstallation: 0.1,
  startTrial: 0.1,
  offlineActivate: 0.1,
};

export interface MethodThrottle {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

/**
 * API Gateway method throttles for the signing routes, keyed by `/{resource path}/{METHOD}` as stage
 * method options are: together at most `quotaShare` of the account's ECC request rate, so that
 * hammering them is refused with 429 at the gateway before KMS throttles every signing route.
 */
export function signingThrottles(kmsEccRequestRate: number, quotaShare: number): Record<string, MethodThrottle> {
  return Object.fromEntries(
    Object.entries(signingRouteShares).map(([routeId, share]) => {
      const route = routeById(routeId as RouteId);
      const rateLimit = Math.max(1, Math.floor(kmsEccRequestRate * quotaShare * (share ?? 0)));
      return [`${route.path}/${route.method}`, { rateLimit, burstLimit: 2 * rateLimit }];
    }),
  );
}
