/**
 * The service side of `npm run bench`, in a process of its own so that its log lines and metrics
 * (written to stdout as on Lambda) stay out of the report: the handlers in-process, the local HTTP
 * service on a free port, and the fixtures both use. The parent sends one task at a time.
 */
import type { AddressInfo } from 'node:net';
import { table } from '#lib/platform/dynamodb.js';
import { ensureTable } from '#dev/ensure-table.js';
import { createLocalServer } from '#dev/local-server.js';
import { countCallsPerOperation } from './calls.js';
import { measureLatency } from './latency.js';
import { createFixtures, operations } from './operations.js';
import type { WorkerReply, WorkerTask } from './worker-protocol.js';

/** Installations that take turns at heartbeats: enough that concurrent heartbeats rarely meet on one. */
const heartbeatingInstallations = 64;

function reply(message: WorkerReply): void {
  if (!process.send) throw new TypeError('the bench worker runs as a child process with an IPC channel');
  process.send(message);
}

await ensureTable(table());
const opsApiKey = process.env.OPS_API_KEY;
if (!opsApiKey) throw new TypeError('the bench worker needs OPS_API_KEY');
const fixtures = await createFixtures(heartbeatingInstallations, opsApiKey);
const benchOperations = operations(fixtures);
const server = createLocalServer();
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

async function perform(task: WorkerTask): Promise<WorkerReply> {
  switch (task.kind) {
    case 'latency':
      return { kind: 'latency', latency: await measureLatency(benchOperations, table(), { ...task, baseUrl }) };
    case 'calls':
      return { kind: 'calls', calls: await countCallsPerOperation(benchOperations, table(), task.executions) };
    case 'heartbeat-load': {
      // Proofs signed now for the requests to come: each heartbeat needs its own, and the load generator does not sign.
      const heartbeat = benchOperations.find((operation) => operation.id === 'heartbeat');
      if (!heartbeat) throw new TypeError('no heartbeat operation');
      const requests = await Promise.all(
        (await heartbeat.prepare(task.requests)).map(async (request) => {
          const path = `/v1/installations/${request.params?.installationId ?? ''}/heartbeat`;
          const dpop = await request.installation?.proof('POST', path);
          return { path, dpop: dpop ?? '', body: JSON.stringify(request.body) };
        }),
      );
      return { kind: 'heartbeat-load', baseUrl, requests };
    }
  }
}

process.on('message', (task: WorkerTask | { kind: 'stop' }) => {
  if (task.kind === 'stop') {
    server.closeAllConnections();
    server.close(() => process.exit(0));
    return;
  }
  perform(task).then(reply, (error: unknown) => {
    console.error(error);
    reply({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
  });
});
reply({ kind: 'ready' });
