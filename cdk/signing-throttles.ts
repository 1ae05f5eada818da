import { routeById } from '@license-activation/contract/routes';
import type { RouteId } from '@license-activation/contract/routes';

/**
 * KMS's default quota "Cryptographic operations (ECC) request rate": requests per second per account
 * and Region, shared by `Sign` and `Verify` with every ECC key (adjustable in Service Quotas). Past it
 * KMS throttles, and a signing route answers 503.
 */
export const defaultKmsEccRequestRate = 300;

/**
 * How the signing routes (one KMS `Sign` per request each) share what a stage may use of that quota:
 * every route that can answer a new token. Heartbeats are most of the traffic; an installation's own
 * restore, an owner's rebuild, trials, offline activations and sign-in activations are rare.
 */
export const signingRouteShares: Readonly<Partial<Record<RouteId, number>>> = {
  heartbeat: 0.4,
  activate: 0.2,
  getInstallation: 0.08,
  restoreInstallation: 0.03,
  adminRestoreInstallation: 0.02,
  startTrial: 0.08,
  offlineActivate: 0.07,
  deviceToken: 0.06,
  approveDeviceAuthorization: 0.06,
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
