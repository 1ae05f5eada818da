import type * as CognitoSdk from '@aws-sdk/client-cognito-identity-provider';
import { api } from '../api/client';
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

/** The directory's error in words: its messages are written for people already. */
function shown(error: unknown): ShownError {
  if (error instanceof ShownError) return error;
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  const summaries: Record<string, string> = {
    NotAuthorizedException: 'The email or password is not right.',
    UserNotFoundException: 'The email or password is not right.',
    UsernameExistsException: 'Someone has already signed up with that email. Sign in, or reset the password.',
    CodeMismatchException: 'That code is not right. Check the email and try again.',
    ExpiredCodeException: 'That code has expired. Ask for a new one.',
    InvalidPasswordException: 'The password is too weak.',
    UserNotConfirmedException: 'Confirm your email first with the code we sent.',
    LimitExceededException: 'Too many attempts. Wait a few minutes and try again.',
  };
  return new ShownError(summaries[name] ?? 'The sign-in service did not accept that.', message, [], name || undefined);
}

async function call<T>(work: (directory: Directory) => Promise<T>): Promise<T> {
  try {
    return await work(await connect());
  } catch (error) {
    throw shown(error);
  }
}

function tokensOf(result: { AccessToken?: string; RefreshToken?: string; ExpiresIn?: number } | undefined, refreshToken?: string): Tokens {
  const access = result?.AccessToken;
  const refresh = result?.RefreshToken ?? refreshToken;
  if (!access || !refresh) throw new ShownError('The sign-in service asked for a step this site does not support.');
  return { accessToken: access, refreshToken: refresh, expiresAt: Date.now() + (result?.ExpiresIn ?? 3600) * 1000 };
}

export function signUp(email: string, password: string): Promise<void> {
  return call(async ({ sdk, client, clientId }) => {
    await client.send(new sdk.SignUpCommand({ ClientId: clientId, Username: email, Password: password, UserAttributes: [{ Name: 'email', Value: email }] }));
  });
}

export function confirmSignUp(email: string, code: string): Promise<void> {
  return call(async ({ sdk, client, clientId }) => {
    await client.send(new sdk.ConfirmSignUpCommand({ ClientId: clientId, Username: email, ConfirmationCode: code }));
  });
}

export function resendCode(email: string): Promise<void> {
  return call(async ({ sdk, client, clientId }) => {
    await client.send(new sdk.ResendConfirmationCodeCommand({ ClientId: clientId, Username: email }));
  });
}

export function signIn(email: string, password: string): Promise<Tokens> {
  return call(async ({ sdk, client, clientId }) => {
    const answer = await client.send(
      new sdk.InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD: password } }),
    );
    return tokensOf(answer.AuthenticationResult);
  });
}

export function refresh(refreshToken: string): Promise<Tokens> {
  return call(async ({ sdk, client, clientId }) => {
    const answer = await client.send(
      new sdk.InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: refreshToken } }),
    );
    return tokensOf(answer.AuthenticationResult, refreshToken);
  });
}

export function forgotPassword(email: string): Promise<void> {
  return call(async ({ sdk, client, clientId }) => {
    await client.send(new sdk.ForgotPasswordCommand({ ClientId: clientId, Username: email }));
  });
}

export function confirmForgotPassword(email: string, code: string, password: string): Promise<void> {
  return call(async ({ sdk, client, clientId }) => {
    await client.send(new sdk.ConfirmForgotPasswordCommand({ ClientId: clientId, Username: email, ConfirmationCode: code, Password: password }));
  });
}

/** Ends every session of the person, not only this tab's: the refresh token stops working. */
export function globalSignOut(accessToken: string): Promise<void> {
  return call(async ({ sdk, client }) => {
    await client.send(new sdk.GlobalSignOutCommand({ AccessToken: accessToken }));
  });
}
