import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The one logger of a process. Request bodies, headers, keys, tokens and fingerprints are never
 * passed to it: handlers log the route, the status, the principal kind and timings only.
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'license-activation' });
