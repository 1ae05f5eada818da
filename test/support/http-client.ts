import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { resetConfig } from '#lib/platform/config.js';
import { createLocalServer } from '#dev/local-server.js';
import type { LocalServerOptions } from '#dev/local-server.js';
import type { TestInstallation } from './api.js';

export interface HttpAnswer<T = Record<string, unknown>> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

/**
 * Who sends a request over HTTP: nobody, an API key (accounts, ops) or a person's access token (with
 * the membership it acts through), or an installation's DPoP proof.
 */
export type Credential = { readonly apiKey: string; readonly accountId?: string } | { readonly installation: TestInstallation } | undefined;

/**
 * The local service (the same server `npm start` runs) on a free port, and a small client for it.
 * Its URL becomes the process's PUBLIC_BASE_URL, as `npm start` does, so that DPoP proofs name it.
 */
export async function startLocalService(options: LocalServerOptions = {}): Promise<{ baseUrl: string; server: Server; close: () => Promise<void> }> {
  const server = createLocalServer(options);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  process.env.PUBLIC_BASE_URL = baseUrl;
  resetConfig();
  return {
    baseUrl,
    server,
    close: () => new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

export async function request<T = Record<string, unknown>>(
  baseUrl: string,
  method: string,
  path: string,
  options: { credential?: Credential; body?: unknown; headers?: Record<string, string> } = {},
): Promise<HttpAnswer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const { credential } = options;
  if (credential && 'apiKey' in credential) headers.authorization = `Bearer ${credential.apiKey}`;
  if (credential && 'apiKey' in credential && credential.accountId) headers['account-id'] = credential.accountId;
  if (credential && 'installation' in credential) headers.dpop = await credential.installation.proof(method, path.split('?')[0] ?? path);
  const response = await fetch(`${baseUrl}${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as T };
}
