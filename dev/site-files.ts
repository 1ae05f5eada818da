import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { siteSecurityHeaders } from '#lib/http/site-headers.js';

/** The built license site (`npm run build -w site`), served for every path that is not an API route, as CloudFront does. */
export const siteRoot = fileURLToPath(new URL('../site/dist/', import.meta.url));

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

async function fileAt(path: string): Promise<string | undefined> {
  const info = await stat(path).catch(() => undefined);
  return info?.isFile() ? path : undefined;
}

/**
 * Answers a GET or HEAD for the site: the file itself, or `index.html` for a page path (the app routes
 * in the browser), with the site's security headers and the request's id, as every answer carries.
 * False when `root` has no such file nor index.
 */
export async function serveSiteFile(request: IncomingMessage, response: ServerResponse, path: string, requestId: string, root = siteRoot): Promise<boolean> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return false;
  }
  const relative = normalize(decoded).replace(/^([/\\])+/, '');
  const candidate = join(root, relative);
  // A path that climbs out of the site's folder is never served.
  if (!candidate.startsWith(root) && `${candidate}${sep}` !== root) return false;
  const asset = relative.startsWith(`assets${sep}`) || relative.startsWith('assets/');
  const file = (await fileAt(candidate)) ?? (extname(relative) === '' ? await fileAt(join(root, 'index.html')) : undefined);
  if (!file) return false;
  const headers: Record<string, string> = {
    ...siteSecurityHeaders(process.env.COGNITO_ENDPOINT ? new URL(process.env.COGNITO_ENDPOINT).origin : undefined),
    'Content-Type': contentTypes[extname(file)] ?? 'application/octet-stream',
    // Vite names assets by their content hash; the page itself must always be fetched fresh.
    'Cache-Control': asset ? 'public, max-age=31536000, immutable' : 'no-cache',
    'X-Request-Id': requestId,
  };
  response.writeHead(200, headers);
  if (request.method === 'HEAD') {
    response.end();
    return true;
  }
  await new Promise<void>((done, failed) => {
    createReadStream(file).once('error', failed).pipe(response).once('finish', done);
  });
  return true;
}
