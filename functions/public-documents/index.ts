import { signer } from '#lib/keys/process-signer.js';
import type { routes } from '@license-activation/contract/routes';
import { httpHandler } from '#lib/http/http-handler.js';

type DocumentRoute = Extract<(typeof routes)[number], { function: 'public-documents' }>['id'];

/**
 * The service's public documents: the keys that verify license tokens, and this API's OpenAPI
 * document. Both are anonymous, cacheable GETs that change only with a key rotation or a deployment,
 * so one function serves both and neither waits on a cold start of its own.
 */
const documents: Record<DocumentRoute, () => Promise<unknown>> = {
  jwks: async () => ({ keys: await signer().publicJwks() }),
  // The committed document, inlined by esbuild and evaluated on its first request, not at every cold start.
  openapi: async () => (await import('../../openapi.json', { with: { type: 'json' } })).default,
};

/** A verifier that meets an unknown kid fetches the key set again, so five minutes of caching delay no rotation. */
const cacheControl = 'public, max-age=300';

export const handler = httpHandler({}, async ({ route }) => {
  const document = Object.hasOwn(documents, route.id) ? documents[route.id as DocumentRoute] : undefined;
  if (!document) throw new TypeError(`public-documents does not serve ${route.id}`);
  return { status: 200, body: await document(), headers: { 'Cache-Control': cacheControl } };
});
