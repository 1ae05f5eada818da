import { signer } from '../../lib/adapters/signer.js';
import { httpHandler } from '../../lib/http/http-handler.js';

/** The key set changes only when keys rotate, and a verifier that meets an unknown kid fetches it again. */
const cacheControl = 'public, max-age=300';

export const handler = httpHandler({}, async () => ({
  status: 200,
  body: { keys: await signer().publicJwks() },
  headers: { 'Cache-Control': cacheControl },
}));
