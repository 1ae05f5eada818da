import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import {
  AdminConfirmSignUpCommand,
  AdminUpdateUserAttributesCommand,
  ConfirmSignUpCommand,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { localCognitoClient } from '#dev/cognito-local.js';
import { testConfirmationCode } from './global-setup.js';

/** A person of the run's user directory (cognito-local), signed in: what the site holds after sign-in. */
export interface TestPerson {
  readonly id: string;
  /** What the person signs in with: the email they signed up with. */
  readonly username: string;
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

/**
 * The person after the directory changed their email (verified, as after a confirmed change), signed
 * in again: a new token that the service has not seen with the old email.
 */
export async function withChangedEmail(person: TestPerson, email: string): Promise<TestPerson> {
  const { userPoolId } = inject('userPool');
  await client().send(
    new AdminUpdateUserAttributesCommand({
      UserPoolId: userPoolId,
      Username: person.username,
      UserAttributes: [
        { Name: 'email', Value: email },
        { Name: 'email_verified', Value: 'true' },
      ],
    }),
  );
  // The pool signs people in by email (its username attribute): the new one from now on.
  return signIn(email, person.id);
}

async function signIn(username: string, id: string, email = username): Promise<TestPerson> {
  const { clientId } = inject('userPool');
  const { AuthenticationResult } = await client().send(
    new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD: password } }),
  );
  const accessToken = AuthenticationResult?.AccessToken ?? '';
  return {
    id,
    username,
    email,
    accessToken,
    idToken: AuthenticationResult?.IdToken ?? '',
    headers: (accountId) => ({ Authorization: `Bearer ${accessToken}`, ...(accountId ? { 'Account-Id': accountId } : {}) }),
  };
}
