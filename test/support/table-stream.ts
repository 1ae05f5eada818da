import { table } from '#lib/platform/dynamodb.js';
import { enableStream } from '#dev/ensure-table.js';

/**
 * Turns on the change stream of the test file's table, which test/support/setup.ts creates without it:
 * called by a file that reads the stream, before the writes its consumers must see.
 */
export const streamTestTable = (): Promise<void> => enableStream(table());
