import createClient from 'openapi-fetch';
import type { Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

export type Schemas = components['schemas'];
export type License = Schemas['License'];
export type Account = Schemas['Account'];
export type Installation = Schemas['Installation'];
export type AuditEvent = Schemas['AuditEvent'];
export type Problem = Schemas['Problem'];

/** What every request needs to know about the person: set by the session, read per request. */
export interface Credentials {
  accessToken(): Promise<string | undefined>;
  accountId(): string | undefined;
}

let credentials: Credentials = { accessToken: async () => undefined, accountId: () => undefined };

export function useCredentials(next: Credentials): void {
  credentials = next;
}

const authenticate: Middleware = {
  async onRequest({ request }) {
    const token = await credentials.accessToken();
    if (token) request.headers.set('Authorization', `Bearer ${token}`);
    const accountId = credentials.accountId();
    if (accountId && !request.headers.has('Account-Id')) request.headers.set('Account-Id', accountId);
    return request;
  },
};

/** The API, typed from the project's openapi.json: a renamed route or field fails the site's build. */
export const api = createClient<paths>({ baseUrl: globalThis.location?.origin ?? '' });
api.use(authenticate);
