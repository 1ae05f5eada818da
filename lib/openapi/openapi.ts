import type {
  OpenAPIObject,
  OperationObject,
  ParameterLocation,
  ParameterObject,
  PathsObject,
  ReferenceObject,
  ResponseObject,
  SchemaObject,
} from 'openapi3-ts/oas31';
import * as z from '@license-activation/contract/zod';
import packageJson from '../../package.json' with { type: 'json' };
import { LicenseType } from '@license-activation/contract/license-type';
import { LicenseMode, LimitedReason, WarningCode } from '@license-activation/contract/license-mode';
import { licenseTokenType } from '@license-activation/contract/jws-types';
import { LicenseTokenClaims } from '@license-activation/contract/license-token';
import {
  AccountPage,
  ApiKeyPage,
  AssociationResult,
  AuditEventPage,
  BudgetPage,
  InstallationOnly,
  InstallationRead,
  LicenseInstallationPage,
  LicensePage,
  LicenseResult,
  MemberPage,
  operations,
  WebhookDeliveryPage,
  WebhookEndpointPage,
} from './operations.js';
import * as people from '@license-activation/contract/schemas';
import type { OperationDoc, OperationTag, SuccessHeader, SuccessResponse } from './operations.js';
import { ErrorCode, errorStatus, FieldError, Problem, problem } from '@license-activation/contract/problem';
import { IdempotencyKey, licenseKeyPattern, licenseKeyText } from '@license-activation/contract/fields';
import type { RouteRequest } from '@license-activation/contract/route-request';
import { requestOf, routeRequests } from '@license-activation/contract/requests';
import { routes } from '@license-activation/contract/routes';
import type { HttpMethod, PrincipalKind, RouteDefinition, RouteId } from '@license-activation/contract/routes';
import {
  Account,
  AccountCreated,
  AccountInput,
  AccountKind,
  Activation,
  ActivationInput,
  ActivationPath,
  ActivationResult,
  Actor,
  Association,
  AssociationInput,
  AssociationPath,
  AuditEvent,
  Budget,
  BudgetInput,
  BudgetPath,
  BudgetResult,
  CustomerPath,
  EventType,
  HealthResult,
  HeartbeatInput,
  Installation,
  LicenseInstallation,
  InstallationPath,
  InstallationResult,
  IssueLicenseInput,
  KeyActivationInput,
  JwksResult,
  License,
  LicenseIdActivationInput,
  LicenseIssued,
  LicensePath,
  LicenseStatus,
  LicenseStatusChangeInput,
  ListLicensesQuery,
  ListQuery,
  OfflineActivationInput,
  OfflineRequestClaims,
  ResellerPath,
  TokenResult,
  TrialInput,
  TrialResult,
} from '@license-activation/contract/schemas';

/**
 * The OpenAPI 3.1 document of the contract, built from the route table and each route's request
 * (the zod schemas its handler validates with), so the document cannot say something the code does not.
 * zod's own JSON Schema generator writes the schemas: it reads the `zod/mini` request schemas as
 * well as the classic response schemas (zod-to-openapi reads classic ones only), and OpenAPI 3.1's
 * schemas are JSON Schema 2020-12, which is what it writes.
 */

type Schema = z.core.$ZodType;

/** Components: the contract's resources, requests and answers, under the names clients know them by. */
const componentSchemas: ReadonlyArray<readonly [name: string, schema: Schema, description: string]> = [
  ['Account', Account, 'A customer or reseller account.'],
  ['AccountKind', AccountKind, 'What an account is.'],
  ['AccountInput', AccountInput, 'The name and contact address of a new account.'],
  ['AccountCreated', AccountCreated, 'A new account and its API key.'],
  ['AccountPage', AccountPage, 'One page of accounts.'],
  ['Association', Association, 'A reseller managing a customer.'],
  ['AssociationInput', AssociationInput, 'The reseller and the customer to associate.'],
  ['AssociationResult', AssociationResult, 'An association.'],
  ['License', License, 'A license: what a key grants, to which customer, and how often it may be activated.'],
  ['LicenseType', LicenseType, 'What a license adds to an installation (the catalog says which types a product sells).'],
  ['LicenseStatus', LicenseStatus, 'Where a license stands; `revoked` is final, `expired` follows from `expiresAt`.'],
  ['IssueLicenseInput', IssueLicenseInput, 'A license to issue. `quantity` defaults to 1 and `maxActivations` to 1.'],
  ['LicenseIssued', LicenseIssued, 'A new license and its key.'],
  ['LicenseResult', LicenseResult, 'A license.'],
  ['LicensePage', LicensePage, 'One page of licenses.'],
  ['LicenseStatusChangeInput', LicenseStatusChangeInput, 'An optional reason for a status change, kept in the audit event.'],
  ['AuditEvent', AuditEvent, 'Something that happened to an account, license or installation, and who did it.'],
  ['EventType', EventType, 'What happened.'],
  ['Actor', Actor, 'Who did it.'],
  ['AuditEventPage', AuditEventPage, 'One page of audit events, newest first.'],
  ['TrialInput', TrialInput, 'The product to try and the machine the installation runs on.'],
  [
    'ActivationInput',
    ActivationInput,
    'The license to activate and the machine the installation runs on: by its `key`, or, with an account\'s API key next to the ' +
      'DPoP proof, by its `licenseId`. Exactly one of the two.',
  ],
  ['KeyActivationInput', KeyActivationInput, 'An activation by license key.'],
  [
    'LicenseIdActivationInput',
    LicenseIdActivationInput,
    "An activation by license id, for an account's API key next to the DPoP proof; `customerId` narrows it to that customer's license.",
  ],
  ['HeartbeatInput', HeartbeatInput, 'What the installation reports: its version and the users active on it; and the chain of its newest token.'],
  ['OfflineActivationInput', OfflineActivationInput, 'An offline request file.'],
  [
    'OfflineRequestClaims',
    OfflineRequestClaims,
    'The claims of an offline request file: a compact JWS signed by the installation key, with header ' +
      '`{"typ":"activation-request+jwt","alg":"ES256","jwk":<public JWK>}`. Valid for 7 days after `iat`, and once.',
  ],
  ['Activation', Activation, 'A license activated on an installation.'],
  ['Budget', Budget, "What a reseller may issue of a product and license type, and what it has used."],
  ['BudgetInput', BudgetInput, 'The new limit: a positive integer.'],
  ['BudgetResult', BudgetResult, 'A budget.'],
  ['BudgetPage', BudgetPage, "One page of a reseller's budgets, by product and type."],
  ['Installation', Installation, 'An on-prem server, identified by the RFC 7638 thumbprint of its key.'],
  ['LicenseInstallation', LicenseInstallation, 'An installation holding a license, and the mode its license token gives it now.'],
  ['LicenseInstallationPage', LicenseInstallationPage, 'One page of the installations holding a license.'],
  ['TokenResult', TokenResult, 'A license token.'],
  ['LicenseUsageDay', people.LicenseUsageDay, 'A day of a license\'s usage.'],
  ['InstallationUsageDay', people.InstallationUsageDay, 'A day of an installation\'s usage.'],
  ['LicenseUsage', people.LicenseUsage, 'A license\'s usage, day by day.'],
  ['InstallationUsage', people.InstallationUsage, 'An installation\'s usage, day by day.'],
  ['OverSeat', people.OverSeat, 'An installation whose latest report exceeds the seats its token granted.'],
  ['Insights', people.Insights, 'The figures of a scope: licenses, installations, trials (ops), seats, over-seats, weeks, products.'],
  ['InsightsResult', people.InsightsResult, 'The figures of a scope.'],
  ['TrialResult', TrialResult, 'The installation on trial and its license token.'],
  ['ActivationResult', ActivationResult, 'The activation, the installation and its new license token.'],
  ['InstallationResult', InstallationResult, 'The installation and a fresh license token.'],
  ['InstallationRead', InstallationRead, 'The installation; to the installation itself also a fresh license token.'],
  ['InstallationOnly', InstallationOnly, 'An installation.'],
  ['HealthResult', HealthResult, 'The service is up and reaches its table.'],
  ['SignInConfig', people.SignInConfig, 'The user pool and app client a site or CLI signs people in with.'],
  ['MeResult', people.MeResult, 'The signed-in person and the memberships it holds.'],
  ['MyAccountInput', people.MyAccountInput, 'The name of the customer account a person registers.'],
  ['MyAccountCreated', people.MyAccountCreated, 'The customer account a person registered.'],
  ['Member', people.Member, "A membership of an account: an email, its role, and the person who holds it once one does."],
  ['MemberInput', people.MemberInput, 'The email and role of a new member.'],
  ['MemberResult', people.MemberResult, 'A member.'],
  ['MemberRoleInput', people.MemberRoleInput, "A member's new role."],
  ['MemberStatus', people.MemberStatus, 'An invitation (no rights until accepted) or an accepted membership.'],
  ['Membership', people.Membership, 'An account the person is a member of, or invited to, with the role.'],
  ['MembershipResult', people.MembershipResult, 'A membership.'],
  ['ApiKey', people.ApiKey, 'One of the API keys that act for an account: its prefix, never the key.'],
  ['ApiKeyCreated', people.ApiKeyCreated, 'A new API key, shown this once, and its listing.'],
  ['ApiKeyPage', ApiKeyPage, "One page of an account's API keys."],
  ['MemberPage', MemberPage, 'One page of members.'],
  ['DeviceAuthorizationInput', people.DeviceAuthorizationInput, 'The product to activate and the machine the installation runs on.'],
  ['DeviceAuthorizationStarted', people.DeviceAuthorizationStarted, 'RFC 8628 codes: the user code for a person, the device code for this installation only.'],
  ['DeviceAuthorization', people.DeviceAuthorization, 'What a user code asks to activate, and where it stands.'],
  ['DeviceAuthorizationResult', people.DeviceAuthorizationResult, 'A sign-in activation.'],
  ['DeviceTokenInput', people.DeviceTokenInput, 'The device code the installation was given.'],
  ['ApprovalInput', people.ApprovalInput, 'The license to activate on the waiting installation.'],
  ['ApprovalResult', people.ApprovalResult, 'The activation made.'],
  ['WebhookEndpointInput', people.WebhookEndpointInput, 'A new webhook endpoint: where to send, which event types (absent: every type), and a description.'],
  ['WebhookEndpointChange', people.WebhookEndpointChange, 'A change to a webhook endpoint; `null` clears `types` or `description`.'],
  ['WebhookEndpoint', people.WebhookEndpoint, 'Where events are delivered, signed with its secret (Standard Webhooks).'],
  ['WebhookDisabledReason', people.WebhookDisabledReason, 'Why the service disabled an endpoint: a 410 answer (`GONE`), 5 days of failures (`FAILING`), its API key revoked (`KEY_REVOKED`).'],
  ['WebhookEndpointResult', people.WebhookEndpointResult, 'A webhook endpoint.'],
  ['WebhookEndpointWithSecret', people.WebhookEndpointWithSecret, 'A webhook endpoint and its signing secret, shown only in this answer.'],
  ['WebhookEndpointPage', WebhookEndpointPage, 'One page of webhook endpoints.'],
  ['WebhookDelivery', people.WebhookDelivery, 'One event on its way to one endpoint: its attempts and how the last one went.'],
  ['WebhookDeliveryStatus', people.WebhookDeliveryStatus, '`pending` while attempts remain, then `succeeded` or `failed`.'],
  ['WebhookDeliveryResult', people.WebhookDeliveryResult, 'A delivery.'],
  ['WebhookDeliveries', people.WebhookDeliveries, 'The deliveries sent again.'],
  ['WebhookDeliveryPage', WebhookDeliveryPage, 'One page of deliveries, newest event first.'],
  ['WebhookRecoverInput', people.WebhookRecoverInput, 'Since when (at most 7 days back) to send again what the endpoint did not receive.'],
  [
    'WebhookPayload',
    people.WebhookPayload,
    'The body of a delivery: the event as the event routes answer it, and its `createdAt`. Headers `webhook-id` (the event id), `webhook-timestamp` ' +
      'and `webhook-signature` (Standard Webhooks: `v1,` + base64 HMAC-SHA256 of `id.timestamp.body` with the secret\'s bytes; two during a rotation).',
  ],
  ['JwksResult', JwksResult, 'An RFC 7517 JWK set of public ES256 keys, each with `kid`, `alg: "ES256"` and `use: "sig"`.'],
  [
    'LicenseTokenClaims',
    LicenseTokenClaims,
    'The claims of a license token or license file: a compact JWS with header `{"alg":"ES256","typ":"license+jwt","kid"}`, ' +
      'verifiable with the JWKS alone. Times are epoch seconds. `exp` is never past the earliest `expiresAt` of the licenses ' +
      'it carries that are still in force: a license that has already expired is listed (`status: "expired"`, the reason ' +
      '`LICENSE_EXPIRED`) but bounds nothing, since a token ending before it was issued would tell the installation nothing.',
  ],
  ['LicenseMode', LicenseMode, 'What the installation may do: everything, or what limited mode leaves.'],
  ['LimitedReason', LimitedReason, 'Why an installation is in limited mode.'],
  ['WarningCode', WarningCode, 'Something the installation should tell its administrator.'],
  ['Problem', Problem, 'An RFC 9457 problem document. Clients switch on `code` (or `type`, which is as stable).'],
  ['FieldError', FieldError, 'One offending field of a request.'],
  ['ErrorCode', ErrorCode, 'Every error code, one list for server and clients.'],
];

const ref = (kind: 'headers' | 'parameters' | 'schemas', name: string) => ({ $ref: `#/components/${kind}/${name}` });

/** What a JWS string holds, as JSON Schema 2020-12 describes a JWT: `[header, claims]`. */
const jwsContent = (header: Record<string, unknown>, claims: string) => ({
  contentMediaType: 'application/jwt',
  contentSchema: { type: 'array', minItems: 2, prefixItems: [{ type: 'object', ...header }, ref('schemas', claims)] },
});

const licenseToken = {
  description: 'A license token: a compact JWS, verifiable with the JWKS alone, whose claims are `LicenseTokenClaims`.',
  ...jwsContent(
    { properties: { typ: { const: licenseTokenType }, alg: { const: 'ES256' }, kid: { type: 'string' } }, required: ['typ', 'alg', 'kid'] },
    'LicenseTokenClaims',
  ),
};

/** Descriptions of single fields and parameters that their schema alone cannot say. */
const fieldDescriptions: ReadonlyArray<readonly [schema: Schema, metadata: string | { description: string; [keyword: string]: unknown }]> = [
  [AccountCreated.shape.apiKey, 'The API key, for `Authorization: Bearer`. Shown this once: the server keeps only its hash.'],
  [LicenseIssued.shape.key, 'The license key, `XXXXX-XXXXX-XXXXX-XXXXX-XXXXX` (Crockford base32, the last symbol a check). Shown only at issue.'],
  [License.shape.keyPrefix, 'The first group of the key, so people can tell their keys apart.'],
  [License.shape.issuedBy, 'The id of the account that issued it (`ops` for the vendor).'],
  [License.shape.activations, 'How many installations hold it now.'],
  [Installation.shape.id, "The RFC 7638 thumbprint (base64url SHA-256) of the installation's public key."],
  [Installation.shape.licenses, 'On restore: the activated licenses, as they are now.'],
  [
    Installation.shape.tokenExpiresAt,
    'An addition to API.md (for the license site): when the latest token issued to the installation expires. An offline installation ' +
      'runs on its license file until then, whatever is released meanwhile (the release allowance, API.md §8).',
  ],
  [
    Activation.shape.method,
    'An addition to API.md (for the license site): how the activation was made. `online`: with a key or a license id; `offline`: a ' +
      "request file exchanged for a license file, which no heartbeat renews; `sign-in`: a person approved the installation's code. " +
      'Absent on activations made before it was recorded.',
  ],
  [Actor.shape.name, "Who acted, as named then: an account's name, a person's email, an installation's hostname; absent for system and ops."],
  [Installation.shape.token, { ...licenseToken, description: `On restore: the fresh token, also answered beside the installation. ${licenseToken.description}` }],
  [TokenResult.shape.token, licenseToken],
  [TrialResult.shape.token, licenseToken],
  [ActivationResult.shape.token, licenseToken],
  [InstallationResult.shape.token, licenseToken],
  [
    OfflineActivationInput.shape.request,
    {
      description: 'The offline request file: a compact JWS signed by the installation key, whose claims are `OfflineRequestClaims`.',
      ...jwsContent({ description: 'The JWS header: `{"typ":"activation-request+jwt","alg":"ES256","jwk":<public JWK>}`.' }, 'OfflineRequestClaims'),
    },
  ],
  [
    licenseKeyText,
    {
      description:
        'A license key: 25 symbols of Crockford base32, issued as `XXXXX-XXXXX-XXXXX-XXXXX-XXXXX`; any case, dashes anywhere. ' +
        'A key whose last symbol does not check is 400 `KEY_MALFORMED`.',
      pattern: licenseKeyPattern,
    },
  ],
  [
    IdempotencyKey,
    'Makes the request safe to retry: the same key and body within 24 hours answer the same result; the same key with another ' +
      'body is 422 `IDEMPOTENCY_KEY_REUSED`. 1 to 255 visible ASCII characters; a random UUID is a good choice.',
  ],
  [
    people.AccountIdHeader,
    'The membership a person acts through (`acc_…`): required when the person is a member of several accounts; ' +
      'an account the person is not a member of is 403 `FORBIDDEN`. API keys ignore it.',
  ],
  [people.UserCodePath.shape.userCode, 'The user code the installation shows (`XXXX-XXXX`, any case, dash optional).'],
  [people.AccountPath.shape.accountId, 'An account id (`acc_…`).'],
  [people.MemberPath.shape.memberId, 'A member id (`mem_…`).'],
  [people.ApiKeyPath.shape.keyId, 'An API key id (`key_…`).'],
  [Problem.shape.requestId, 'The request id, also in the `X-Request-Id` header: quote it when reporting a fault.'],
  [ListQuery.shape.limit, 'How many items a page holds: an integer from 1 to 100 (default 50).'],
  [ListQuery.shape.cursor, "A previous page's `nextCursor`: the list resumes after it."],
  [ListLicensesQuery.shape.customerId, "Only this customer's licenses."],
  [LicensePath.shape.licenseId, 'A license id (`lic_…`).'],
  [CustomerPath.shape.customerId, 'A customer account id (`acc_…`).'],
  [AssociationPath.shape.resellerId, 'A reseller account id (`acc_…`).'],
  [AssociationPath.shape.customerId, 'A customer account id (`acc_…`).'],
  [InstallationPath.shape.installationId, "The installation id: its key's RFC 7638 thumbprint."],
  [ActivationPath.shape.installationId, "The installation id: its key's RFC 7638 thumbprint."],
  [ActivationPath.shape.licenseId, 'The id of a license activated on the installation.'],
  [BudgetPath.shape.resellerId, 'A reseller account id (`acc_…`).'],
  [BudgetPath.shape.productId, 'A catalog product id.'],
  [BudgetPath.shape.type, 'A license type the product sells.'],
  [ResellerPath.shape.resellerId, 'A reseller account id (`acc_…`).'],
  [people.UsageQuery.shape.from, 'The first day, a UTC date (YYYY-MM-DD): by default 89 days before `to`.'],
  [people.UsageQuery.shape.to, 'The last day, a UTC date (YYYY-MM-DD): by default today.'],
  [people.InsightsQuery.shape.customerId, "Only this customer's figures: a customer the caller may see (`acc_…`)."],
];

/** What the document says of a schema beyond zod's own definition: its component name, its description. */
type SchemaMetadata = { id?: string; description?: string } & Record<string, unknown>;

/**
 * Names the schemas as components and describes fields on the schema objects themselves, so every
 * use of them, however deeply nested, becomes a `$ref` with its description. The registry is the
 * document's own (zod's global one would carry it into everything that loads the schemas).
 */
function annotatedSchemas(): z.core.$ZodRegistry<SchemaMetadata> {
  const registry = z.registry<SchemaMetadata>();
  for (const [name, schema, description] of componentSchemas) registry.add(schema, { id: name, description });
  for (const [schema, metadata] of fieldDescriptions) registry.add(schema, typeof metadata === 'string' ? { description: metadata } : metadata);
  return registry;
}

/**
 * Bodies are described as clients send them (`io: 'input'`): a field with a default is optional. For
 * answers the input side is what a client must expect too, with one difference that is wanted:
 * non-strict objects leave `additionalProperties` open, as answers grow.
 */
const jsonSchemaOptions = { io: 'input', target: 'draft-2020-12', unrepresentable: 'throw' } as const;

/**
 * Path and query parameters travel as text, and OpenAPI describes them by the value that text
 * serialises (`style: form`): `limit` is an integer from 1 to 100, which is what the server's schema
 * makes of the text it parses (`io: 'output'`), not the digits it reads on the way.
 */
const parameterSchemaOptions = { ...jsonSchemaOptions, io: 'output' } as const;

/**
 * JSON Schema 2020-12 is OpenAPI 3.1's schema dialect, so a schema inside the document needs neither
 * a `$schema` of its own nor an `$id`: a component is named by where it stands.
 */
function asSchemaObject(schema: z.core.JSONSchema.BaseSchema): SchemaObject {
  const inDocument: Record<string, unknown> = { ...schema };
  delete inDocument.$schema;
  delete inDocument.$id;
  return inDocument as SchemaObject;
}

/** Components in alphabetical order, so that the committed document changes only where the contract does. */
function byName<T>(entries: Readonly<Record<string, T>>): Record<string, T> {
  return Object.fromEntries(Object.entries(entries).sort(([a], [b]) => a.localeCompare(b)));
}

function componentSchemasOf(registry: z.core.$ZodRegistry<SchemaMetadata>): Record<string, SchemaObject> {
  const { schemas } = z.toJSONSchema(registry, { ...jsonSchemaOptions, metadata: registry, uri: (name) => `#/components/schemas/${name}` });
  if ('__shared' in schemas) throw new Error('a schema is shared by components without being one: name it in componentSchemas');
  return byName(Object.fromEntries(Object.entries(schemas).map(([name, schema]) => [name, asSchemaObject(schema)])));
}

/** A request body or answer: always a component, so clients' generated types carry the contract's names. */
function schemaRef(registry: z.core.$ZodRegistry<SchemaMetadata>, schema: Schema): ReferenceObject {
  const name = registry.get(schema)?.id;
  if (name === undefined) throw new Error('a request body or answer schema is not a component: name it in componentSchemas');
  return ref('schemas', name);
}

/** The fields of a path or query schema as OpenAPI parameters, each with its field's description. */
function parametersOf(registry: z.core.$ZodRegistry<SchemaMetadata>, location: ParameterLocation, schema: z.core.$ZodObject): ParameterObject[] {
  return Object.entries(schema._zod.def.shape).map(([name, field]) => {
    const fieldSchema = asSchemaObject(z.toJSONSchema(field, { ...(location === 'header' ? jsonSchemaOptions : parameterSchemaOptions), metadata: registry }));
    const required = !z.safeParse(field, undefined).success;
    return {
      name,
      in: location,
      required,
      ...(fieldSchema.description ? { description: fieldSchema.description } : {}),
      schema: fieldSchema,
    };
  });
}

type ResponseHeader = SuccessHeader | 'X-Request-Id' | 'Retry-After';

const responseHeaders: Readonly<Record<ResponseHeader, { description: string; schema: { type: 'string' | 'integer'; [key: string]: unknown } }>> = {
  'X-Request-Id': {
    description: 'The id of this request, on every response (quote it when reporting a fault).',
    schema: { type: 'string' },
  },
  'Retry-After': { description: 'Seconds to wait before trying again.', schema: { type: 'integer', minimum: 0 } },
  'Idempotent-Replayed': {
    description: '`true` when the answer replays an earlier request with the same `Idempotency-Key`.',
    schema: { type: 'string', enum: ['true'] },
  },
  'Cache-Control': { description: 'How long the answer may be cached.', schema: { type: 'string' } },
};

/**
 * The request headers routes read, as shared parameters: each defined once, from the schema its
 * routes validate it with. A name two routes read with different schemas would be two rules.
 */
function requestHeaderParameters(registry: z.core.$ZodRegistry<SchemaMetadata>): Record<string, ParameterObject> {
  const parameters = new Map<string, ParameterObject>();
  for (const { headers } of Object.values<RouteRequest>(routeRequests)) {
    if (!headers) continue;
    for (const parameter of parametersOf(registry, 'header', headers)) {
      const known = parameters.get(parameter.name);
      if (known && JSON.stringify(known) !== JSON.stringify(parameter)) throw new Error(`routes read the ${parameter.name} header by two rules`);
      parameters.set(parameter.name, parameter);
    }
  }
  return Object.fromEntries(parameters);
}

const securitySchemes = {
  apiKey: {
    type: 'http',
    scheme: 'bearer',
    description:
      "`Authorization: Bearer <api key>`: an account's API key (returned once, at the account's creation), the ops API key, " +
      "or a person's access token from the user directory (`GET /v1/sign-in-config`), acting through a membership (`Account-Id`). " +
      'A missing, malformed or unknown key is 401 `UNAUTHENTICATED`; a known caller outside its rights is 403 `FORBIDDEN`.',
  },
  dpop: {
    type: 'apiKey',
    in: 'header',
    name: 'DPoP',
    description:
      'A DPoP proof (RFC 9449), fresh for every request, signed by the installation key: a compact JWS with header ' +
      '`{"typ":"dpop+jwt","alg":"ES256","jwk":<public P-256 JWK>}` and claims `jti` (unique), `htm` (the HTTP method), ' +
      '`htu` (the full request URL: the service\'s public base URL plus the route path; scheme, host, port and path must match, query and fragment are ignored) and `iat` (epoch seconds). The installation id is the ' +
      "RFC 7638 thumbprint of the proof's key and must be the `{installationId}` of the path, if any. Refused with 401: " +
      '`UNAUTHENTICATED` without a proof, `INVALID_PROOF` for a bad signature, header, method, URL or key, `PROOF_EXPIRED` ' +
      'for an `iat` more than 300 s from server time, `PROOF_REPLAYED` for a `jti` this installation used in the last 600 s. ' +
      'A request refused after its proof was verified (a body that fails validation, a failed check) spends the proof too. ' +
      'An installation spends at most 20 proofs per 600 s, on every route together: the 21st proof-bearing request in the ' +
      "window is 429 `RATE_LIMITED` with `Retry-After`. Polling a device code that is still pending (400 `AUTHORIZATION_PENDING` or " +
      '`SLOW_DOWN`) spends none, so that RFC 8628 polling every 5 s for the code\'s 10 minutes fits.',
  },
  iam: {
    type: 'apiKey',
    in: 'header',
    name: 'Authorization',
    description:
      'Ops only. On AWS: an IAM SigV4-signed request (an unsigned one is answered 404, as API Gateway cannot tell it from an ' +
      'unknown route). Locally (`npm start`): `Authorization: Bearer $OPS_API_KEY`.',
    'x-amazon-apigateway-authtype': 'awsSigv4',
  },
} as const;

/** Which credentials a route takes, as OpenAPI security requirements (alternatives; each lists what goes together). */
function securityOf(route: RouteDefinition): Record<string, string[]>[] {
  switch (route.authentication) {
    case 'none':
      return [];
    case 'iam':
      return [{ iam: [] }];
    case 'api-key':
      return [{ apiKey: [] }];
    case 'installation':
      return route.onBehalfOf ? [{ dpop: [] }, { dpop: [], apiKey: [] }] : [{ dpop: [] }];
    case 'installation-or-api-key':
      return [{ dpop: [] }, { apiKey: [] }];
  }
}

const accountKinds: readonly PrincipalKind[] = ['ops', 'reseller', 'customer'];
const bodyCodes: readonly ErrorCode[] = ['VALIDATION_FAILED', 'MALFORMED_JSON', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'];
const proofCodes: readonly ErrorCode[] = ['UNAUTHENTICATED', 'INVALID_PROOF', 'PROOF_EXPIRED', 'PROOF_REPLAYED'];
/** API Gateway throttling, faults and Lambda throttling can answer on any route. */
const anyRouteCodes: readonly ErrorCode[] = ['RATE_LIMITED', 'INTERNAL', 'UNAVAILABLE'];
const retryAfterCodes: ReadonlySet<ErrorCode> = new Set(['RATE_LIMITED', 'UNAVAILABLE']);

/** Every code a route can answer: from its input, its authentication, its own refusals, and the platform. */
function errorCodesOf(route: RouteDefinition, operation: OperationDoc): Set<ErrorCode> {
  const codes = new Set<ErrorCode>();
  const { query } = requestOf(route.id as RouteId);
  // Every route reads a body: one where none belongs is refused like a bad one (400, or 413 past 64 KiB).
  for (const code of bodyCodes) codes.add(code);
  if (query) codes.add('VALIDATION_FAILED');
  switch (route.authentication) {
    case 'iam':
    case 'api-key':
      codes.add('UNAUTHENTICATED');
      if (accountKinds.some((kind) => !route.allow.includes(kind))) codes.add('FORBIDDEN');
      break;
    case 'installation':
    case 'installation-or-api-key':
      for (const code of proofCodes) codes.add(code);
      break;
    case 'none':
      break;
  }
  for (const code of [...(operation.refusals ?? []), ...anyRouteCodes]) codes.add(code);
  return codes;
}

/** The title a problem of this code carries (the titles live with `ProblemError`, and only there). */
const titleOf = (code: ErrorCode): string => problem(code, '').toProblem().title;

function headersOf(names: readonly ResponseHeader[]) {
  return Object.fromEntries(['X-Request-Id' as const, ...names].map((name) => [name, ref('headers', name)]));
}

/** One response per status, its schema narrowed to the codes this route can answer with it. */
function problemResponses(codes: ReadonlySet<ErrorCode>): Record<string, ResponseObject> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of ErrorCode.options) {
    if (codes.has(code)) byStatus.set(errorStatus[code], [...(byStatus.get(errorStatus[code]) ?? []), code]);
  }
  const statuses = [...byStatus.keys()].sort((a, b) => a - b);
  return Object.fromEntries(
    statuses.map((status) => {
      const statusCodes = byStatus.get(status) ?? [];
      const response: ResponseObject = {
        description: statusCodes.map((code) => `\`${code}\`: ${titleOf(code)}.`).join(' '),
        headers: headersOf(statusCodes.some((code) => retryAfterCodes.has(code)) ? ['Retry-After'] : []),
        content: {
          'application/problem+json': {
            schema: {
              allOf: [ref('schemas', 'Problem'), { type: 'object', properties: { status: { const: status }, code: { enum: statusCodes } } }],
            },
          },
        },
      };
      return [String(status), response];
    }),
  );
}

function successResponse(registry: z.core.$ZodRegistry<SchemaMetadata>, success: SuccessResponse): ResponseObject {
  const schema = success.schema && ('_zod' in success.schema ? schemaRef(registry, success.schema) : success.schema);
  return {
    description: success.description,
    headers: headersOf(success.headers ?? []),
    ...(schema ? { content: { 'application/json': { schema } } } : {}),
  };
}

const methods = { GET: 'get', POST: 'post', PUT: 'put', PATCH: 'patch', DELETE: 'delete' } as const satisfies Record<HttpMethod, string>;

function operationObject(registry: z.core.$ZodRegistry<SchemaMetadata>, route: RouteDefinition, operation: OperationDoc): OperationObject {
  const { body, query, params, headers } = requestOf(route.id as RouteId);
  const parameters = [
    ...(params ? parametersOf(registry, 'path', params) : []),
    ...(query ? parametersOf(registry, 'query', query) : []),
    ...(headers ? Object.keys(headers._zod.def.shape).map((name) => ref('parameters', name)) : []),
  ];
  const serverChecked = [...(query && 'cursor' in query._zod.def.shape ? ['cursor'] : []), ...(operation.serverChecked ?? [])];
  return {
    operationId: route.id,
    summary: route.summary,
    ...(operation.description ? { description: operation.description } : {}),
    tags: [operation.tag],
    security: securityOf(route),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(serverChecked.length > 0 ? { 'x-server-checked-fields': serverChecked } : {}),
    ...(body
      ? { requestBody: { required: !z.safeParse(body, undefined).success, content: { 'application/json': { schema: schemaRef(registry, body) } } } }
      : {}),
    responses: {
      ...Object.fromEntries(operation.responses.map((success) => [String(success.status), successResponse(registry, success)])),
      ...problemResponses(errorCodesOf(route, operation)),
    },
  };
}

function pathsOf(registry: z.core.$ZodRegistry<SchemaMetadata>): PathsObject {
  const paths: PathsObject = {};
  for (const route of routes) {
    paths[route.path] = { ...paths[route.path], [methods[route.method]]: operationObject(registry, route, operations[route.id]) };
  }
  return paths;
}

const tags: ReadonlyArray<{ name: OperationTag; description: string }> = [
  { name: 'Accounts', description: 'Customer and reseller accounts, and which reseller manages which customer.' },
  { name: 'Licenses', description: 'License keys: issue, read, suspend, reinstate, revoke.' },
  { name: 'Installations', description: 'On-prem servers: trials, activations, heartbeats, restores and offline activation.' },
  { name: 'Audit', description: 'What happened to a customer or license, newest first.' },
  { name: 'People', description: 'Persons signed in to the license site, their memberships, and sign-in activation (RFC 8628).' },
  { name: 'Insights', description: 'Daily usage history of licenses and installations, and the figures of a scope.' },
  { name: 'Webhooks', description: 'Endpoints that receive every event their owner may see, signed as Standard Webhooks, and their deliveries.' },
  { name: 'Service', description: 'Health, the token verification keys and this document.' },
];

const apiDescription = `On-prem installations, resellers, customers and ops activate and manage licenses here.

**Conventions.** Bodies are JSON, sent as \`Content-Type: application/json\` (parameters such as \`charset=utf-8\` allowed): a body
sent as anything else is 415 \`UNSUPPORTED_MEDIA_TYPE\`. Times are ISO-8601 UTC strings in bodies and epoch seconds inside tokens. Unknown body fields
are rejected with 400 \`VALIDATION_FAILED\` (with \`errors:[{path, message}]\`), never ignored; so are a body sent to a route
that takes none and an unknown query parameter of a list. Bodies over 64 KiB are 413 \`PAYLOAD_TOO_LARGE\`. Lists take
\`limit\` (1–100, default 50) and \`cursor\` (a previous page's opaque \`nextCursor\`, absent on the last page).

**Judged by the server.** An operation's \`x-server-checked-fields\` names the fields whose well-formed values the server still
judges by what it holds (the catalog, the cursors it issued, the clock): such a value may be 400 \`VALIDATION_FAILED\` naming
the field. Any other request the schemas admit is never refused with \`VALIDATION_FAILED\`.

**Identity.** An id that names nothing the caller may see is 404, never 403, so ids cannot be probed. An installation's id is the
RFC 7638 thumbprint of its P-256 key, and it proves itself with a DPoP proof on every request (see the \`dpop\` scheme).

**Errors.** Every error is an RFC 9457 \`application/problem+json\` document whose \`code\` is one of \`ErrorCode\`; each response
below lists the codes the route can answer with that status. Every response carries \`X-Request-Id\`. On AWS, API Gateway may
answer any route by itself: 429 \`RATE_LIMITED\` when throttling and 503 \`UNAVAILABLE\` (both with \`Retry-After\`), 403
\`FORBIDDEN\` from the firewall. A path called with a method it does not take is 404 \`NOT_FOUND\` (no such route), with
\`Allow\` listing the methods the path takes. A fault is 500 \`INTERNAL\`, with nothing but the request id; contention and failing dependencies
are 503 \`UNAVAILABLE\`, and nothing is half-written.

**Tokens.** Every \`token\` is a license token (\`LicenseTokenClaims\`), an ES256 compact JWS that verifies with the keys of
\`GET /.well-known/jwks.json\` alone.`;

/**
 * What the service sends (API.md §9), as OpenAPI 3.1 describes webhooks: one POST per event to each endpoint
 * allowed to see it, signed as Standard Webhooks.
 */
const webhooks: PathsObject = {
  event: {
    post: {
      operationId: 'webhookEvent',
      summary: 'An event, delivered to a webhook endpoint',
      description:
        'Sent within seconds of the commit, at least once, to every endpoint whose owner may read the event (narrowed by its `types`). ' +
        'Verify it with any Standard Webhooks library and the endpoint\'s secret; deduplicate on `webhook-id`. A 2xx within 15 seconds ' +
        'succeeds; anything else is retried 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h and 24 h after each failure (±10 %), a ' +
        '`Retry-After` of at most 24 hours replacing the next step. Redirects are not followed.',
      tags: ['Webhooks'],
      // The receiver authenticates the sender by the signature, not by a credential.
      security: [],
      parameters: [
        { name: 'webhook-id', in: 'header', required: true, description: 'The event id: the same at every attempt and every endpoint.', schema: { type: 'string' } },
        { name: 'webhook-timestamp', in: 'header', required: true, description: 'Epoch seconds of the attempt.', schema: { type: 'string', pattern: '^\\d+$' } },
        {
          name: 'webhook-signature',
          in: 'header',
          required: true,
          description: '`v1,` + base64 of HMAC-SHA256 over `<webhook-id>.<webhook-timestamp>.<body>` keyed with the secret\'s bytes; two, separated by a space, during a rotation.',
          schema: { type: 'string' },
        },
      ],
      requestBody: { required: true, content: { 'application/json': { schema: ref('schemas', 'WebhookPayload') } } },
      responses: {
        '2XX': { description: 'Received: no more attempts.' },
        '410': { description: 'Gone: the endpoint is disabled at once (`disabledReason: "GONE"`).' },
        default: { description: 'Anything else, or no answer within 15 seconds: the attempt failed and is retried.' },
      },
    },
  },
};

/** The whole document: every route of the route table, and nothing else. */
export function buildOpenApiDocument(): OpenAPIObject {
  const registry = annotatedSchemas();
  return {
    openapi: '3.1.0',
    info: {
      title: 'License activation API',
      version: packageJson.version,
      description: apiDescription,
      license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
    },
    servers: [
      { url: 'http://127.0.0.1:3000', description: '`npm start` (the port is `$PORT`)' },
      {
        url: 'https://{apiId}.execute-api.{region}.amazonaws.com/{stage}',
        description: 'API Gateway',
        variables: {
          apiId: { default: 'apiId', description: 'The REST API id' },
          region: { default: 'eu-west-1', description: 'The AWS region' },
          stage: { default: 'prod', description: 'The deployment stage' },
        },
      },
    ],
    tags: [...tags],
    components: {
      securitySchemes: byName(securitySchemes),
      headers: byName(responseHeaders),
      parameters: byName(requestHeaderParameters(registry)),
      schemas: componentSchemasOf(registry),
    },
    paths: pathsOf(registry),
    webhooks,
  };
}
