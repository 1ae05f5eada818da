import { writeFile } from 'node:fs/promises';
import { buildOpenApiDocument } from '#lib/openapi/openapi.js';

/** `npm run openapi`: writes the contract's OpenAPI document to the committed `openapi.json`. */
const target = new URL('../openapi.json', import.meta.url);
await writeFile(target, `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
console.log(`wrote ${target.pathname}`);
