/**
 * The table's stream consumers for `npm run bench`, in a process of their own as on AWS each is a function
 * of its own: `npm start` is measured without them (STREAM_CONSUMERS=off), and this process runs them on the
 * same table (dev/stream-consumers.ts: the webhook dispatcher and its deliveries), counting the DynamoDB
 * calls they make (not the stream's reads: on AWS the event source mapping polls, not the function) and the
 * CPU they spend. It first catches up with the stream, then counts from zero: it sends `ready` to its
 * parent, and when asked to stop, its counts; then it exits. Its stdout carries the consumers' log lines.
 */
import { table } from '#lib/platform/dynamodb.js';
import { startStreamConsumers } from '#dev/stream-consumers.js';

export interface DispatcherCounts {
  /** DynamoDB commands by name, since `ready`. */
  readonly calls: Record<string, number>;
  /** User and system CPU of this process since `ready`. */
  readonly cpuMs: number;
}

let calls: Record<string, number> = {};
table().client.middlewareStack.add(
  (next, context) => async (args) => {
    calls[String(context.commandName)] = (calls[String(context.commandName)] ?? 0) + 1;
    return next(args);
  },
  { step: 'initialize', name: 'benchDispatcherCalls' },
);
const consumers = await startStreamConsumers(process.env.DATA_DIR ?? '');
await consumers.settled();
calls = {};
const cpuAtReady = process.cpuUsage();
if (!process.send) throw new TypeError('the bench dispatcher runs as a child process with an IPC channel');
process.send('ready');
process.once('message', () => {
  void consumers.stop().then(() => {
    const { user, system } = process.cpuUsage(cpuAtReady);
    const counts: DispatcherCounts = { calls, cpuMs: (user + system) / 1000 };
    process.send?.(counts, () => process.exit(0));
  });
});
