import type * as CognitoSdk from '@aws-sdk/client-cognito-identity-provider';
import { api } from '../api/client';
import { describePasswordPolicy } from '@license-activation/contract/password-policy';
import { ShownError, unwrap } from '../api/problem';

/**
 * The user directory through the Cognito API itself: cognito-local under `npm start`, Amazon Cognito on
 * AWS, one code path (GET /v1/sign-in-config says where). The SDK loads on first use only, so the first
 * page stays small.
 */

export interface Tokens {
  readonly accessToken: string;
  readonly refreshToken: string;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
}

type Sdk = typeof CognitoSdk;
interface Directory {
  readonly sdk: Sdk;
  readonly client: InstanceType<Sdk['CognitoIdentityProviderClient']>;
  readonly clientId: string;
}

let directory: Promise<Directory> | undefined;

function connect(): Promise<Directory> {
  directory ??= (async () => {
    const [sdk, config] = await Promise.all([
      import('@aws-sdk/client-cognito-identity-provider'),
      api.GET('/v1/sign-in-config').then(unwrap),
    ]);
    const client = new sdk.CognitoIdentityProviderClient({
      region: config.region,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      // The sign-up and sign-in operations are unsigned: no AWS credentials exist in a browser.
      credentials: { accessKeyId: 'none', secretAccessKey: 'none' },
    });
    return { sdk, client, clientId: config.clientId };
  })();
  directory.catch(() => (directory = undefined));
  return directory;
}

/** What a person was doing when the directory refused: the same refusal reads differently in each. */
type Step = 'sign-up' | 'confirm' | 'resend' | 'sign-in' | 'refresh' | 'forgot-password' | 'reset-password' | 'sign-out';

const confirmPage = (email: string) => ({ label: 'Confirm your email', to: `/sign-up/confirm?email=${encodeURIComponent(email)}` });
const signInPage = (email: string) => ({ label: 'Sign in', to: `/sign-in?email=${encodeURIComponent(email)}` });

/**
 * The directory's refusal in words a person acts on, with a link to the page that helps where there is
 * one. Known refusals carry no `detail`: Cognito's own message would only repeat them less clearly.
 */
export function shownDirectoryError(error: unknown, step: Step, email = ''): ShownError {
  if (error instanceof ShownError) return error;
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  const words = (summary: string, action?: { label: string; to: string }) => new ShownError(summary, undefined, [], name, action);
  switch (name) {
    case 'NotAuthorizedException':
    case 'UserNotFoundException':
      if (step === 'sign-in') return words('Wrong email or password.', { label: 'Forgot your password?', to: '/forgot-password' });
      if (step === 'refresh' || step === 'sign-out') return words('Your session has ended. Sign in again.', { label: 'Sign in', to: '/sign-in' });
      return words('Nobody has signed up with that email.', { label: 'Sign up', to: '/sign-up' });
    case 'UsernameExistsException':
      return words('Someone has already signed up with that email. Sign in, or reset the password.', signInPage(email));
    case 'InvalidPasswordException':
      return new ShownError('That password is not allowed.', describePasswordPolicy(), [], name);
    case 'UserNotConfirmedException':
      return words('Confirm your email first, with the code we sent to it.', confirmPage(email));
    case 'CodeMismatchException':
      return words('That code is not right. Check the email, or send a new code.');
    case 'ExpiredCodeException':
      return words('That code has expired. Send a new one.');
    case 'LimitExceededException':
    case 'TooManyRequestsException':
    case 'TooManyFailedAttemptsException':
      return words('Too many attempts. Wait a few minutes and try again.');
    case 'InvalidParameterException':
      if (/already confirmed/i.test(message)) return words('This email is already confirmed: sign in.', signInPage(email));
      break;
    case 'TypeError':
      return new ShownError('The sign-in service cannot be reached. Check your connection and try again.', undefined, [], name);
  }
  return new ShownError('The sign-in service did not accept that.', message, [], name || undefined);
}

async function call<T>(step: Step, email: string, work: (directory: Directory) => Promise<T>): Promise<T> {
  try {
    return await work(await connect());
  } catch (error) {
    throw shownDirectoryError(error, step, email);
  }
}

function tokensOf(result: { AccessToken?: string; RefreshToken?: string; ExpiresIn?: number } | undefined, refreshToken?: string): Tokens {
  const access = result?.AccessToken;
  const refresh = result?.RefreshToken ?? refreshToken;
  if (!access || !refresh) throw new ShownError('The sign-in service asked for a step this site does not support.');
  return { accessToken: access, refreshToken: refresh, expiresAt: Date.now() + (result?.ExpiresIn ?? 3600) * 1000 };
}

export function signUp(email: string, password: string): Promise<void> {
  return call('sign-up', email, async ({ sdk, client, clientId }) => {
    await client.send(new sdk.SignUpCommand({ ClientId: clientId, Username: email, Password: password, UserAttributes: [{ Name: 'email', Value: email }] }));
  });
}

export function confirmSignUp(email: string, code: string): Promise<void> {
  return call('confirm', email, async ({ sdk, client, clientId }) => {
    await client.send(new sdk.ConfirmSignUpCommand({ ClientId: clientId, Username: email, ConfirmationCode: code }));
  });
}

export function resendCode(email: string): Promise<void> {
  return call('resend', email, async ({ sdk, client, clientId }) => {
    await client.send(new sdk.ResendConfirmationCodeCommand({ ClientId: clientId, Username: email }));
  });
}

export function signIn(email: string, password: string): Promise<Tokens> {
  return call('sign-in', email, async ({ sdk, client, clientId }) => {
    const answer = await client.send(
      new sdk.InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD: password } }),
    );
    return tokensOf(answer.AuthenticationResult);
  });
}

export function refresh(refreshToken: string): Promise<Tokens> {
  return call('refresh', '', async ({ sdk, client, clientId }) => {
    const answer = await client.send(
      new sdk.InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: refreshToken } }),
    );
    return tokensOf(answer.AuthenticationResult, refreshToken);
  });
}

export function forgotPassword(email: string): Promise<void> {
  return call('forgot-password', email, async ({ sdk, client, clientId }) => {
    await client.send(new sdk.ForgotPasswordCommand({ ClientId: clientId, Username: email }));
  });
}

export function confirmForgotPassword(email: string, code: string, password: string): Promise<void> {
  return call('reset-password', email, async ({ sdk, client, clientId }) => {
    await client.send(new sdk.ConfirmForgotPasswordCommand({ ClientId: clientId, Username: email, ConfirmationCode: code, Password: password }));
  });
}

/** Ends every session of the person, not only this tab's: the refresh token stops working. */
export function globalSignOut(accessToken: string): Promise<void> {
  return call('sign-out', '', async ({ sdk, client }) => {
    await client.send(new sdk.GlobalSignOutCommand({ AccessToken: accessToken }));
  });
}
