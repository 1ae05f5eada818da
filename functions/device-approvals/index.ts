import { storedMemberships } from '#lib/auth/person-memberships.js';
import { storedResources } from '#lib/auth/access-facts.js';
import { personRequests } from '@license-activation/contract/person-requests';
import { requestsOf } from '@license-activation/contract/route-request';
import { handlerPerRoute, httpHandler } from '#lib/http/http-handler.js';
import { approveDeviceAuthorization, denyAuthorization, describeDeviceAuthorization } from '#lib/installations/sign-in-activation.js';
import { signInActivationDeps } from '#lib/installations/sign-in-activation-deps.js';

/** The person's side of sign-in activation: see what a code asks, approve it with a license, or deny it. */
export const handler = handlerPerRoute({
  getDeviceAuthorization: httpHandler(requestsOf(personRequests, 'getDeviceAuthorization'), async ({ params, caller, now }) => ({
    status: 200,
    body: { authorization: await describeDeviceAuthorization(signInActivationDeps(), { caller, userCode: params.userCode, now }) },
  })),
  approveDeviceAuthorization: httpHandler(requestsOf(personRequests, 'approveDeviceAuthorization'), async ({ params, body, caller, now }) => ({
    status: 200,
    body: { activation: await approveDeviceAuthorization(signInActivationDeps(), { caller, userCode: params.userCode, licenseId: body.licenseId, now }) },
  }), { memberships: storedMemberships, resources: storedResources }),
  denyDeviceAuthorization: httpHandler(requestsOf(personRequests, 'denyDeviceAuthorization'), async ({ params, caller, now }) => ({
    status: 200,
    body: { authorization: await denyAuthorization(signInActivationDeps(), { caller, userCode: params.userCode, now }) },
  })),
});
