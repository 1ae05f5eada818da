import { installationOf } from '#lib/auth/principal.js';
import { dpopProofs } from '#lib/auth/dpop-proofs.js';
import { personRequests } from '@license-activation/contract/person-requests';
import { requestsOf } from '@license-activation/contract/route-request';
import { handlerPerRoute, httpHandler } from '#lib/http/http-handler.js';
import { collectDeviceAuthorization, startDeviceAuthorization } from '#lib/installations/sign-in-activation.js';
import { signInActivationDeps } from '#lib/installations/sign-in-activation-deps.js';

/** The installation's side of sign-in activation: ask for a code, then collect what a person approved. */
export const handler = handlerPerRoute({
  startDeviceAuthorization: httpHandler(
    requestsOf(personRequests, 'startDeviceAuthorization'),
    async ({ body, caller, now }) => ({
      status: 201,
      body: await startDeviceAuthorization(signInActivationDeps(), { installation: installationOf(caller), input: body, now }),
    }),
    { installations: dpopProofs },
  ),
  deviceToken: httpHandler(
    requestsOf(personRequests, 'deviceToken'),
    async ({ body, caller, now }) => {
      const { created, ...collected } = await collectDeviceAuthorization(signInActivationDeps(), { installation: installationOf(caller), deviceCode: body.deviceCode, now });
      return { status: created ? 201 : 200, body: collected };
    },
    { installations: dpopProofs },
  ),
});
