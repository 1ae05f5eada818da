import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import {
  AdminConfirmSignUpCommand,
  ConfirmSignUpCommand,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { localCognitoClient } from '#dev/cognito-local.js';
import { testConfirmationCode } from './global-setup.js';

/** A person of the run's user directory (cognito-local), signed in: what the site holds after sign-in. */
export interface TestPerson {
  readonly id: string;
  readonly email: string;
  readonly accessToken: string;
  readonly idToken: string;
  /** `Authorization` (and `Account-Id`, when given) for a call as this person. */
  headers(accountId?: string): Record<string, string>;
}

const password = 'Correct-Horse-Battery-9';
let directory: ReturnType<typeof localCognitoClient> | undefined;

function client() {
  directory ??= localCognitoClient(inject('userPool').endpoint);
  return directory;
}

export const uniqueEmail = (label = 'person') => `${label}-${randomUUID().slice(0, 8)}@example.com`;

/** Signs a person up, confirms the email with the code sent there, and signs in, as the site does. */
export async function signedInPerson(email = uniqueEmail()): Promise<TestPerson> {
  const { clientId } = inject('userPool');
  const signUp = await client().send(
    new SignUpCommand({ ClientId: clientId, Username: email, Password: password, UserAttributes: [{ Name: 'email', Value: email }] }),
  );
  await client().send(new ConfirmSignUpCommand({ ClientId: clientId, Username: email, ConfirmationCode: testConfirmationCode }));
  return signIn(email, signUp.UserSub ?? '');
}

/** A person whose sign-up was confirmed by an administrator, its email never verified. */
export async function unverifiedPerson(email = uniqueEmail('unverified')): Promise<TestPerson> {
  const { clientId, userPoolId } = inject('userPool');
  const signUp = await client().send(
    new SignUpCommand({ ClientId: clientId, Username: email, Password: password, UserAttributes: [{ Name: 'email', Value: email }] }),
  );
  await client().send(new AdminConfirmSignUpCommand({ UserPoolId: userPoolId, Username: email }));
  return signIn(email, signUp.UserSub ?? '');
}

async function signIn(email: string, id: string): Promise<TestPerson> {
  const { clientId } = inject('userPool');
  const { AuthenticationResult } = await client().send(
    new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD: password } }),
  );
  const accessToken = AuthenticationResult?.AccessToken ?? '';
  return {
    id,
    email,
    accessToken,
    idToken: AuthenticationResult?.IdToken ?? '',
    headers: (accountId) => ({ Authorization: `Bearer ${accessToken}`, ...(accountId ? { 'Account-Id': accountId } : {}) }),
  };
}
