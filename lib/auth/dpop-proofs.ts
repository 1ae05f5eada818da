import { verifyDpopProof } from './dpop.js';
import type { InstallationProofs } from './authentication.js';
import { spendRefusedProof } from '../data/proofs.js';
import { table } from '../platform/dynamodb.js';
import { config } from '../platform/config.js';
import { headerValue } from '../http/http-event.js';
import type { HttpEvent } from '../http/http-event.js';

/**
 * The URL a request was sent to: `PUBLIC_BASE_URL` plus the path past the stage, or else the domain
 * and full path (stage or base path included) API Gateway received it on, which no client sets.
 */
function requestUrl(event: HttpEvent): string {
  const { publicBaseUrl } = config();
  if (publicBaseUrl) return `${publicBaseUrl.replace(/\/+$/, '')}${event.path}`;
  const { domainName, path } = event.requestContext ?? {};
  // A wiring fault, not the request's: 500 INTERNAL.
  if (!domainName || !path) throw new TypeError('PUBLIC_BASE_URL is unset and the event names no domain');
  return `https://${domainName}${path}`;
}

/**
 * Installations prove each request with a DPoP proof (RFC 9449) in the `DPoP` header: of its method,
 * its full URL and, where the route names one, the installation itself.
 */
export const dpopProofs: InstallationProofs = {
  verify: (event, now) =>
    verifyDpopProof(
      headerValue(event, 'dpop'),
      { method: event.httpMethod, url: requestUrl(event), installationId: event.pathParameters?.installationId },
      now,
    ),
  spendRefused: (installation, now) => spendRefusedProof(table(), { kind: 'dpop', installation }, now),
};
