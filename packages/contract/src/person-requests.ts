import * as z from './zod.js';
import { displayTextChecks, id, machineReport } from './fields.js';
import { ListQuery } from './list-requests.js';
import type { RouteRequests } from './route-request.js';

/**
 * What the routes of people, members and sign-in activation accept (../shared/API.md §7).
 * Each handler imports only its own area's module, so a function builds only the schemas it
 * validates with.
 */

export const MyAccountInput = z.strictObject({ name: z.string().check(z.trim(), ...displayTextChecks) });
export type MyAccountInput = z.infer<typeof MyAccountInput>;

export const MemberInput = z.strictObject({
  email: z.email().check(z.maxLength(254)),
  role: z.enum(['owner', 'member']),
});
export type MemberInput = z.infer<typeof MemberInput>;

export const MemberRoleInput = z.strictObject({ role: z.enum(['owner', 'member']) });
export type MemberRoleInput = z.infer<typeof MemberRoleInput>;

// A new schema for each parameter: the document describes each one on its own schema.
const segment = () => z.string().check(z.minLength(1));
export const AccountPath = z.object({ accountId: segment() });
export const MemberPath = z.object({ accountId: segment(), memberId: segment() });
export const ApiKeyPath = z.object({ accountId: segment(), keyId: segment() });

export const DeviceAuthorizationInput = z.strictObject({ productId: id, ...machineReport });
export type DeviceAuthorizationInput = z.infer<typeof DeviceAuthorizationInput>;

export const UserCodePath = z.object({ userCode: segment() });

/** The membership a person acts through; read by authentication, declared here to be documented. */
export const AccountIdHeader = z.optional(z.string());
export const ApprovalInput = z.strictObject({ licenseId: id });
export const DeviceTokenInput = z.strictObject({ deviceCode: z.string().check(z.minLength(1), z.maxLength(256)) });

/** RFC 8628 §6.1: 20 consonants, no vowels (no words), nothing easily confused; 8 of them ≈ 34.6 bits. */
export const userCodeAlphabet = 'BCDFGHJKLMNPQRSTVWXZ';
export const userCodeLength = 8;

/** A user code as stored: upper case, without the dash; undefined when it cannot be one. */
export function normalizeUserCode(input: string): string | undefined {
  const code = input.replaceAll('-', '').toUpperCase();
  if (code.length !== userCodeLength) return undefined;
  for (const symbol of code) if (!userCodeAlphabet.includes(symbol)) return undefined;
  return code;
}

/** `XXXX-XXXX`, as people read and type it. */
export const formatUserCode = (code: string): string => `${code.slice(0, 4)}-${code.slice(4)}`;

export const personRequests = {
  getMe: {},
  createMyAccount: { body: MyAccountInput },
  listMembers: { params: AccountPath, query: ListQuery },
  addMember: { params: AccountPath, body: MemberInput },
  changeMemberRole: { params: MemberPath, body: MemberRoleInput },
  removeMember: { params: MemberPath },
  listApiKeys: { params: AccountPath, query: ListQuery },
  createApiKey: { params: AccountPath },
  revokeApiKey: { params: ApiKeyPath },
  acceptInvitation: { params: AccountPath },
  declineInvitation: { params: AccountPath },
  startDeviceAuthorization: { body: DeviceAuthorizationInput },
  deviceToken: { body: DeviceTokenInput },
  getDeviceAuthorization: { params: UserCodePath },
  approveDeviceAuthorization: { params: UserCodePath, body: ApprovalInput, headers: z.object({ 'Account-Id': AccountIdHeader }) },
  denyDeviceAuthorization: { params: UserCodePath },
} as const satisfies RouteRequests;
