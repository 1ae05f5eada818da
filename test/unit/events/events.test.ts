import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { verifyDpopProof } from '#lib/auth/dpop.js';
import { requestOf } from '@license-activation/contract/requests';
import { routes } from '@license-activation/contract/routes';
import type { RouteDefinition } from '@license-activation/contract/routes';
import { headerValue } from '#lib/http/http-event.js';
import { dpopPlaceholder, loadInstallationKey, withFreshProof } from '#scripts/invoke.js';
import type { InstallationKey } from '#scripts/invoke.js';

const eventsFolder = new URL('../../../events/', import.meta.url);
const loadEvent = async (route: RouteDefinition) =>
  JSON.parse(await readFile(new URL(`${route.id}.json`, eventsFolder), 'utf8')) as APIGatewayProxyEvent;

// Ops twins under /v1/admin/ share their route's handler and body: the route's sample event serves both.
const declaredRoutes = routes.filter((route) => route.twinOf === undefined);
const byRoute = declaredRoutes.map((route) => [route.id, route] as const);
const installationRoutes = byRoute.filter(([, route]) => route.authentication === 'installation' || route.authentication === 'installation-or-api-key');

/** The route's resource path with the event's path parameters filled in. */
const concretePath = (route: RouteDefinition, event: APIGatewayProxyEvent) =>
  route.path.replaceAll(/\{(\w+)\}/g, (_, name: string) => event.pathParameters?.[name] ?? `{${name}}`);

describe('events', () => {
  it('holds exactly one sample event per route (ops twins aside), named after the route id', async () => {
    const files = (await readdir(eventsFolder)).filter((name) => name.endsWith('.json'));

    expect(files.sort()).toEqual(declaredRoutes.map((route) => `${route.id}.json`).sort());
  });

  it.each(byRoute)('%s names its route resource, method and path', async (_, route) => {
    const event = await loadEvent(route);

    expect(event).toMatchObject({ resource: route.path, httpMethod: route.method, path: concretePath(route, event) });
    expect(event.requestContext).toMatchObject({ resourcePath: route.path, httpMethod: route.method, path: `/${event.requestContext.stage}${event.path}` });
    // The domain API Gateway received it on: what a DPoP proof's htu names when PUBLIC_BASE_URL is unset.
    expect(event.requestContext.domainName).toMatch(/^[a-z0-9]+\.execute-api\.[a-z0-9-]+\.amazonaws\.com$/);
    expect(Object.keys(event.pathParameters ?? {})).toEqual([...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => name));
  });

  it.each(byRoute)("%s parses with the route's request schemas", async (_, route) => {
    const event = await loadEvent(route);
    const { body, query, params } = requestOf(route.id);
    // As the handler reads them: a missing query string is an empty one, a missing body is undefined.
    const parsed = {
      body: body && z.safeParse(body, event.body === null ? undefined : JSON.parse(event.body)).error,
      query: query && z.safeParse(query, event.queryStringParameters ?? {}).error,
      params: params && z.safeParse(params, event.pathParameters).error,
    };

    expect(parsed).toEqual({ body: undefined, query: undefined, params: undefined });
    if (!body) expect(event.body).toBeNull();
    if (!query) expect(event.queryStringParameters).toBeNull();
    if (!params) expect(event.pathParameters).toBeNull();
  });

  it.each(byRoute)('%s carries the credentials its route authenticates with', async (_, route) => {
    const event = await loadEvent(route);
    const { authorizer, identity } = event.requestContext;

    switch (route.authentication) {
      case 'none':
        expect(headerValue(event, 'authorization')).toBeUndefined();
        break;
      case 'iam':
        expect(identity.userArn).toMatch(/^arn:aws:sts::\d{12}:assumed-role\//);
        break;
      case 'api-key':
        expect(route.allow).toContain(authorizer?.accountKind);
        // A person is the directory's `sub`; an account its own id.
        expect(authorizer?.accountId).toMatch(authorizer?.accountKind === 'person' ? /^[0-9a-f-]{36}$/ : /^acc_/);
        break;
      case 'installation':
      case 'installation-or-api-key':
        expect(headerValue(event, 'dpop')).toBe(dpopPlaceholder);
        break;
    }
  });

  describe('made fresh by the invoke script', () => {
    let dataDir: string;
    let installationKey: InstallationKey;

    beforeAll(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'events-test-'));
      installationKey = await loadInstallationKey(dataDir);
    });

    afterAll(async () => {
      await rm(dataDir, { recursive: true, force: true });
    });

    it.each(installationRoutes)('%s carries a DPoP proof the server accepts for the invoking installation', async (_, route) => {
      const now = new Date();
      const fresh = await withFreshProof(await loadEvent(route), installationKey, now);

      const proven = await verifyDpopProof(
        headerValue(fresh, 'dpop'),
        { method: fresh.httpMethod, url: `https://${fresh.requestContext.domainName ?? ''}${fresh.requestContext.path}`, installationId: fresh.pathParameters?.installationId },
        now,
      );

      expect(proven.id).toBe(installationKey.id);
      expect(fresh.path).toBe(concretePath(route, fresh));
      expect(fresh.multiValueHeaders.DPoP).toEqual([headerValue(fresh, 'dpop')]);
    });

    it('keeps one installation key across invocations', async () => {
      const again = await loadInstallationKey(dataDir);

      expect(again.id).toBe(installationKey.id);
    });
  });
});
