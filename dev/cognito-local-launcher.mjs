/* global process */
/**
 * Runs cognito-local in this process, with its data under `./.cognito` of the working directory.
 * Unlike its own bin, the logger writes synchronously, so that a confirmation code is on stdout the
 * moment the directory "sends" it, and the process exits when its parent closes our stdin, however
 * the parent ended. Everything it writes is the owner's alone (umask 077: files 0600, folders 0700):
 * its files hold people's passwords in clear and the keys its tokens are signed with.
 */
import { createRequire } from 'node:module';

process.umask(0o077);

const require = createRequire(import.meta.url);
const cognitoLocal = createRequire(require.resolve('cognito-local/package.json'));
const pino = cognitoLocal('pino');
const pretty = cognitoLocal('pino-pretty');
const { createDefaultServer } = cognitoLocal('./lib/server');
const { Targets } = cognitoLocal('./lib/targets/targets');
const { attribute, attributesAppend } = cognitoLocal('./lib/services/userPoolService');

/**
 * Cognito marks the email verified when its owner confirms the sign-up with the code that was sent
 * there (an administrator's AdminConfirmSignUp verifies nothing); cognito-local never does. Mark it
 * here, so that the service sees locally what it sees on AWS.
 */
const confirmSignUp = Targets.ConfirmSignUp;
Targets.ConfirmSignUp = (services) => {
  const confirm = confirmSignUp(services);
  return async (ctx, request) => {
    const answer = await confirm(ctx, request);
    const pool = await services.cognito.getUserPoolForClientId(ctx, request.ClientId);
    const user = await pool.getUserByUsername(ctx, request.Username);
    if (user) await pool.saveUser(ctx, { ...user, Attributes: attributesAppend(user.Attributes, attribute('email_verified', 'true')) });
    return answer;
  };
};

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
