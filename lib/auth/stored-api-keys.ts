import { table } from '../platform/dynamodb.js';
import { opsApiKey } from './ops-api-key.js';
import { authenticateApiKey } from './authenticate-api-key.js';
import type { ApiKeyAuthenticator } from './authentication.js';

/**
 * Accounts' API keys as the table stores them (hashed), and the ops API key: for the routes whose
 * handler takes an API key itself, because API Gateway cannot ask for "a proof or a key".
 */
export const storedApiKeys: ApiKeyAuthenticator = (apiKey) => authenticateApiKey(apiKey, { table: table(), opsApiKey });
