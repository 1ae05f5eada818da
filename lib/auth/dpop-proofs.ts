import { verifyDpopProof } from './dpop.js';
import type { InstallationProofVerifier } from './authentication.js';
import { headerValue } from '../http/http-event.js';

/**
 * Installations prove each request with a DPoP proof (RFC 9449) in the `DPoP` header: of its method,
 * its path and, where the route names one, the installation itself.
 */
export const dpopProofs: InstallationProofVerifier = (event, now) =>
  verifyDpopProof(
    headerValue(event, 'dpop'),
    { method: event.httpMethod, path: event.path, installationId: event.pathParameters?.installationId },
    now,
  );
