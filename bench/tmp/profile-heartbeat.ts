import { Session } from 'node:inspector/promises';
import { table } from '../../lib/adapters/dynamodb.js';
import { ensureTable } from '../../lib/local/ensure-table.js';
import { createFixtures, operations, inProcessCall, sendExpecting } from '../operations.js';
import { floorOf, recordCalls } from '../floor.js';

await ensureTable(table());
const fixtures = await createFixtures(64, process.env.OPS_API_KEY!);
const heartbeat = operations(fixtures).find((o) => o.id === 'heartbeat')!;
const N = Number(process.env.N ?? 1500);
const calls = await Promise.all((await heartbeat.prepare(N)).map(inProcessCall));
const [one] = await heartbeat.prepare(1);
const rec = recordCalls(table());
const body = await sendExpecting(await inProcessCall(one!));
rec.stop();
const token = (JSON.parse(body) as { token: string }).token;
const floor = await floorOf(table(), rec.calls, { runId: 'p', signingInputBytes: token.lastIndexOf('.') });
for (let i = 0; i < 100; i++) { await sendExpecting(calls[i]!); await floor.run(i); }
const session = new Session(); session.connect();
await session.post('Profiler.enable'); await session.post('Profiler.setSamplingInterval', { interval: 50 });
async function profile(name: string, fn: (i: number) => Promise<unknown>) {
  await session.post('Profiler.start');
  const t = performance.now();
  for (let i = 100; i < N; i++) await fn(i);
  const took = (performance.now() - t) / (N - 100);
  const { profile } = await session.post('Profiler.stop');
  const dt = new Map<number, number>();
  profile.samples!.forEach((s, k) => dt.set(s, (dt.get(s) ?? 0) + profile.timeDeltas![k]!));
  const by = new Map<string, number>();
  const byFn = new Map<string, number>();
  for (const node of profile.nodes) {
    const t = dt.get(node.id) ?? 0; const url = node.callFrame.url;
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    const key = m ? m[1]! : url ? url.replace('file:///work/main/', '').replace(/^node:internal\/.*/, 'node:internal') : node.callFrame.functionName;
    by.set(key, (by.get(key) ?? 0) + t);
    const fk = `${key} ${node.callFrame.functionName}`; byFn.set(fk, (byFn.get(fk) ?? 0) + t);
  }
  const per = (us: number) => (us / (N - 100)).toFixed(1);
  console.log(`\n== ${name}: ${took.toFixed(2)} ms wall per call`);
  [...by].sort((a, b) => b[1] - a[1]).slice(0, 25).forEach(([k, v]) => console.log(per(v).padStart(8), 'µs', k));
  console.log('-- functions');
  [...byFn].sort((a, b) => b[1] - a[1]).filter(([k]) => /^(lib|functions|zod|jose|@aws-lambda|@middy|node:internal|run|writeUtf8|initJwk|checkEc)/.test(k)).slice(0, 45).forEach(([k, v]) => console.log(per(v).padStart(8), 'µs', k));
}
await profile('heartbeat', (i) => sendExpecting(calls[i]!));

process.exit(0);
