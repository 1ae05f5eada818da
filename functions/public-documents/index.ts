import { signer } from '#lib/keys/process-signer.js';
import type { routes } from '@license-activation/contract/routes';
import { httpHandler } from '#lib/http/http-handler.js';
import { serviceRequests } from '@license-activation/contract/service-requests';
import { requestsOf } from '@license-activation/contract/route-request';
import { signInConfig } from '#lib/platform/sign-in-config.js';

type DocumentRoute = Extract<(typeof routes)[number], { function: 'public-documents' }>['id'];

/**
 * The service's public documents: the keys that verify license tokens, this API's OpenAPI
 * document, and where people sign in. All are anonymous, cacheable GETs that change only with a key
 * rotation or a deployment, so one function serves them and none waits on a cold start of its own.
 */
const documents: Record<DocumentRoute, () => Promise<unknown>> = {
  jwks: async () => ({ keys: await signer().publicJwks() }),
  // The committed document, inlined by esbuild and evaluated on its first request, not at every cold start.
  openapi: async () => (await import('../../openapi.json', { with: { type: 'json' } })).default,
  signInConfig: async () => signInConfig(),
};

/** A verifier that meets an unknown kid fetches the key set again, so five minutes of caching delay no rotation. */
const cacheControl = 'public, max-age=300';

// httpHandler answers only the routes named here, which are the keys of `documents`.
export const handler = httpHandler(requestsOf(serviceRequests, 'jwks', 'openapi', 'signInConfig'), async ({ route }) => ({
  status: 200,
  body: await documents[route.id as DocumentRoute](),
  headers: { 'Cache-Control': cacheControl },
}));
