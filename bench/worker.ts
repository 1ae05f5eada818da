/**
 * The client side of `npm run bench`, in a process of its own: the handlers in-process (their log
 * lines and metrics go to this process's stdout, as on Lambda, and are not shown), the fixtures, the
 * floors, and the HTTP requests to the service `npm start` serves in another process. The parent
 * sends one task at a time.
 */
import { config } from '#lib/platform/config.js';
import { createDynamodbClient, table } from '#lib/platform/dynamodb.js';
import { ensureTable } from '#dev/ensure-table.js';
import { countCallsPerOperation } from './calls.js';
import { measureCpu, ownCpuMs } from './cpu.js';
import { measureFreshStart } from './fresh-start.js';
import type { Floor } from './floor.js';
import { floorFor, measureLatency, minimumFloorFor } from './latency.js';
import { createFixtures, httpCall, operations, sendExpecting } from './operations.js';
import type { Operation, OperationId } from './operations.js';
import { probeCpu, probeLatency } from './probe.js';
import { runFloorLoad } from './throughput.js';
import type { WorkerReply, WorkerTask } from './worker-protocol.js';
import { measureWebhookImpact } from './webhooks.js';

function reply(message: WorkerReply): void {
  if (!process.send) throw new TypeError('the bench worker runs as a child process with an IPC channel');
  process.send(message);
}

await ensureTable(table());
const opsApiKey = process.env.OPS_API_KEY;
if (!opsApiKey) throw new TypeError('the bench worker needs OPS_API_KEY');
const fixtures = await createFixtures(opsApiKey);
const benchOperations = operations(fixtures);
// The minimum floor's client: the low-level one, configured as the service's (timeouts, no SDK logger).
const { dynamodbEndpoint, dynamodbAccessKeyId, region } = config();
const lowLevelClient = createDynamodbClient({ endpoint: dynamodbEndpoint, region, accessKeyId: dynamodbAccessKeyId });

function operation(id: OperationId): Operation {
  const found = benchOperations.find((candidate) => candidate.id === id);
  if (!found) throw new TypeError(`no operation ${id}`);
  return found;
}

async function perform(task: WorkerTask): Promise<WorkerReply> {
  switch (task.kind) {
    case 'latency':
      return { kind: 'latency', latency: await measureLatency(benchOperations, table(), task) };
    case 'calls':
      return { kind: 'calls', calls: await countCallsPerOperation(benchOperations, table(), task.executions) };
    case 'cpu':
      return { kind: 'cpu', cpu: await measureCpu(benchOperations, table(), task) };
    case 'heartbeat-load': {
      // Proofs signed now for the requests to come: each heartbeat needs its own, and the load generator does not sign.
      const requests = await Promise.all(
        (await operation(task.operation).prepare(task.requests)).map(async (request) => {
          const path = `/v1/installations/${request.params?.installationId ?? ''}/heartbeat`;
          const dpop = await request.installation?.proof('POST', path);
          return { path, dpop: dpop ?? '', body: JSON.stringify(request.body) };
        }),
      );
      return { kind: 'heartbeat-load', requests };
    }
    case 'floor-load': {
      // One at a time: each records the table's calls while its heartbeat runs. The minimum floor is that of a re-served heartbeat.
      const floors: Floor[] = [];
      for (let index = 0; index < task.connections; index += 1) {
        const runId = `load-${Date.now()}-${index}`;
        const floor = task.floor === 'minimum' ? await minimumFloorFor(operation('heartbeatReserved'), table(), lowLevelClient, runId) : await floorFor(operation('heartbeat'), table(), runId);
        if (floor) floors.push(floor);
      }
      const cpuBefore = ownCpuMs();
      const { perSecond, iterations } = await runFloorLoad(floors, task.seconds);
      return { kind: 'floor-load', perSecond, cpuMsPerIteration: (ownCpuMs() - cpuBefore) / iterations };
    }
    case 'probe-latency':
      return { kind: 'probe-latency', latency: await probeLatency(benchOperations, table(), lowLevelClient, task) };
    case 'probe-cpu':
      return { kind: 'probe-cpu', cpu: await probeCpu(benchOperations, table(), lowLevelClient, task) };
    case 'send': {
      const calls = await Promise.all((await operation(task.operation).prepare(task.count)).map((request) => httpCall(task.baseUrl, request)));
      for (const call of calls) await sendExpecting(call);
      return { kind: 'send', sent: calls.length };
    }
    case 'fresh-start':
      return { kind: 'fresh-start', freshStart: await measureFreshStart(task.baseUrl, task.opsApiKey, task.requests) };
    case 'webhooks':
      return { kind: 'webhooks', webhooks: await measureWebhookImpact(benchOperations, { ...task, opsApiKey: opsApiKey ?? '' }) };
  }
}

process.on('message', (task: WorkerTask | { kind: 'stop' }) => {
  if (task.kind === 'stop') process.exit(0);
  perform(task).then(reply, (error: unknown) => {
    console.error(error);
    reply({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
  });
});
reply({ kind: 'ready' });
