/* global process */
/**
 * Runs cognito-local in this process, with its data under `./.cognito` of the working directory, and
 * makes it answer the calls the license site makes as Amazon Cognito does:
 * - the code it "e-mails" is written at once, as one line `confirmation-code <json>` on stdout, the moment
 *   it is sent (its own boxed message goes through a logger stream that may hold it back);
 * - ResendConfirmationCode, which it lacks, sends a new code to an unconfirmed person;
 * - a wrong password is NotAuthorizedException "Incorrect username or password." (cognito-local says
 *   InvalidPasswordException, which Cognito keeps for a password that breaks the pool's policy);
 * - SignUp, ConfirmForgotPassword and ChangePassword enforce the pool's password policy;
 * - confirming a sign-up with the code marks the email verified.
 * The process exits when its parent closes our stdin, however the parent ended. Everything it writes is
 * the owner's alone (umask 077: files 0600, folders 0700): its files hold people's passwords in clear and
 * the keys its tokens are signed with.
 */
import { writeSync } from 'node:fs';
import { createRequire } from 'node:module';

process.umask(0o077);

const require = createRequire(import.meta.url);
const cognitoLocal = createRequire(require.resolve('cognito-local/package.json'));
const pino = cognitoLocal('pino');
const pretty = cognitoLocal('pino-pretty');
const { createDefaultServer } = cognitoLocal('./lib/server');
const { Targets } = cognitoLocal('./lib/targets/targets');
const { ConsoleMessageSender } = cognitoLocal('./lib/services/messageDelivery/consoleMessageSender');
const { attribute, attributeValue, attributesAppend } = cognitoLocal('./lib/services/userPoolService');
const { CognitoError, InvalidParameterError, InvalidPasswordError, NotAuthorizedError, UserNotFoundError } = cognitoLocal('./lib/errors');

/** The prefix of the one line per code that dev/cognito-local.ts reads. */
const codeLinePrefix = 'confirmation-code ';

/** Codes sent while a call runs, by the call's context: written once the call has saved them. */
const codesOfCall = new WeakMap();

ConsoleMessageSender.prototype.sendToConsole = function holdCode(ctx, user, destination, message) {
  const code = { username: user.Username, destination, code: message.__code };
  const held = codesOfCall.get(ctx);
  if (held) held.push(code);
  else writeCode(code);
  return Promise.resolve();
};

/** Synchronous, so that the line is out before the call that sent the code is answered. */
function writeCode(code) {
  writeSync(1, `${codeLinePrefix}${JSON.stringify(code)}\n`);
}

/** Replaces a target with `wrap(its services, the original target)`. */
function wrapTarget(name, wrap) {
  const original = Targets[name];
  Targets[name] = (services) => wrap(services, original(services));
}

// cognito-local's InvalidPasswordError carries no message; Cognito says which rule the password broke.
class PasswordPolicyError extends CognitoError {
  constructor(rule) {
    super('InvalidPasswordException', `Password did not conform with policy: ${rule}`);
  }
}

/** The first rule of the pool's password policy that `password` breaks, in Cognito's words. */
function brokenPasswordRule(policy, password) {
  if (!policy) return undefined;
  if (password.length < (policy.MinimumLength ?? 0)) return 'Password not long enough';
  if (policy.RequireUppercase && !/[A-Z]/.test(password)) return 'Password must have uppercase characters';
  if (policy.RequireLowercase && !/[a-z]/.test(password)) return 'Password must have lowercase characters';
  if (policy.RequireNumbers && !/[0-9]/.test(password)) return 'Password must have numeric characters';
  if (policy.RequireSymbols && !/[\^$*.[\]{}()?"!@#%&/\\,><':;|_~`=+\- ]/.test(password)) return 'Password must have symbol characters';
  return undefined;
}

for (const [name, passwordOf] of [
  ['SignUp', (request) => request.Password],
  ['ConfirmForgotPassword', (request) => request.Password],
]) {
  wrapTarget(name, (services, target) => async (ctx, request) => {
    const pool = await services.cognito.getUserPoolForClientId(ctx, request.ClientId);
    const broken = brokenPasswordRule(pool.options.Policies?.PasswordPolicy, passwordOf(request) ?? '');
    if (broken) throw new PasswordPolicyError(broken);
    return target(ctx, request);
  });
}

wrapTarget('InitiateAuth', (_services, target) => async (ctx, request) => {
  try {
    return await target(ctx, request);
  } catch (error) {
    // As Cognito with prevented user existence errors: the same answer for a wrong password and an unknown person.
    if (error instanceof InvalidPasswordError || error instanceof UserNotFoundError) throw new NotAuthorizedError('Incorrect username or password.');
    throw error;
  }
});

wrapTarget('ConfirmSignUp', (services, confirm) => async (ctx, request) => {
  const answer = await confirm(ctx, request);
  // Cognito marks the email verified when its owner confirms with the code sent there (an administrator's
  // AdminConfirmSignUp verifies nothing); cognito-local never does.
  const pool = await services.cognito.getUserPoolForClientId(ctx, request.ClientId);
  const user = await pool.getUserByUsername(ctx, request.Username);
  if (user) await pool.saveUser(ctx, { ...user, Attributes: attributesAppend(user.Attributes, attribute('email_verified', 'true')) });
  return answer;
});

/** ResendConfirmationCode, as Cognito answers it: a new code to the unconfirmed person's email. */
Targets.ResendConfirmationCode = ({ cognito, messages, otp }) => async (ctx, request) => {
  const pool = await cognito.getUserPoolForClientId(ctx, request.ClientId);
  const user = await pool.getUserByUsername(ctx, request.Username);
  if (!user) throw new UserNotFoundError('Username/client id combination not found.');
  if (user.UserStatus !== 'UNCONFIRMED') throw new InvalidParameterError('User is already confirmed.');
  const email = attributeValue('email', user.Attributes);
  if (!email) throw new InvalidParameterError('User has no email to send a code to.');
  const delivery = { AttributeName: 'email', DeliveryMedium: 'EMAIL', Destination: email };
  const code = otp();
  await messages.deliver(ctx, 'ResendCode', request.ClientId, pool.options.Id, user, code, request.ClientMetadata, delivery);
  await pool.saveUser(ctx, { ...user, ConfirmationCode: code });
  return { CodeDeliveryDetails: delivery };
};

// Every call's codes are written when the call has finished (SignUp sends its code before it saves the
// person): whoever reads a code can use it at once. A failed call's codes are written too, as sent.
for (const name of Object.keys(Targets)) {
  wrapTarget(name, (_services, target) => async (ctx, request) => {
    const held = [];
    codesOfCall.set(ctx, held);
    try {
      return await target(ctx, request);
    } finally {
      codesOfCall.delete(ctx);
      for (const code of held) writeCode(code);
    }
  });
}

const logger = pino(
  { level: process.env.DEBUG ? 'debug' : 'info' },
  pretty({ sync: true, colorize: false, ignore: 'time,pid,name,hostname,reqId,target', singleLine: true, destination: 1 }),
);

process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
process.on('SIGTERM', () => process.exit(0));

const server = await (await createDefaultServer(logger)).start();
const address = server.address();
logger.info(`Cognito Local running on http://${address.address}:${address.port}`);
