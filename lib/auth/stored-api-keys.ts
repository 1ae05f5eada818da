import { table } from '../platform/dynamodb.js';
import { opsApiKey } from './ops-api-key.js';
import { authenticateBearer } from './authenticate-api-key.js';
import type { BearerAuthenticator } from './authentication.js';

/**
 * Accounts' API keys as the table stores them (hashed), the ops API key, and people's access tokens:
 * for the routes whose handler takes a bearer credential itself, because API Gateway cannot ask for
 * "a proof or a key".
 */
export const storedApiKeys: BearerAuthenticator = (credential) => authenticateBearer(credential, { table: table(), opsApiKey });
