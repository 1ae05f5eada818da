import { httpHandler } from '../../lib/http/http-handler.js';
// Imported as JSON so that esbuild inlines the committed document: the function never loads zod-to-openapi.
import openApiDocument from '../../openapi.json' with { type: 'json' };

/** The document changes only with a deployment. */
const cacheControl = 'public, max-age=300';

export const handler = httpHandler({}, async () => ({
  status: 200,
  body: openApiDocument,
  headers: { 'Cache-Control': cacheControl },
}));
