// bench/dapr-app: each handler's own CPU per event, next to the hand-written Dapr app (bench/dapr/bare.ts), with the
// sidecar scripted: this process plays daprd's part of the app contract — it delivers pub/sub messages to the app as
// daprd does (the envelope daprd sends, 32 in flight) and answers each output-binding invoke at once. No daprd, sink
// or broker shares the cores, so the app's CPU per event is measured without their noise; bench/dapr is the
// judgement with the real sidecar, this the instrument for a change of a few µs an event there.
//   trigger      a bus CloudEvent (data, Dapr's added attributes) → trigger-handler (one-input condition) → binding
//   eventsource  Dapr's raw-payload envelope (data_base64) → eventsource-handler → binding
// Pairs are interleaved, each app a fresh process; a warm-up of WARMUP events is not measured. APP_NODE_ARGS passes
// node flags to both apps. Where taskset(1) and two cores are there, this process runs on the first core and each app
// on the second, so neither app shares its core with the other's scheduling luck (unpinned, one fresh process of the
// same app measured 154 and another 177 µs an event).
import { execFileSync } from 'node:child_process';
import { Agent, createServer, request } from 'node:http';
import { cpus } from 'node:os';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseResource, type Resource } from '../../lib/api/index.js';
import { planAll, worldOf } from '../../functions/controller/plan/index.js';
import { launchOf, randomSuffix } from '../../runtime/dapr/openfunction.js';
import { packageCommand } from '../../runtime/dapr/packages.js';
import { freePort, LOOPBACK, startChild, waitUntil } from '../../runtime/processes.js';
import { fmt, machine, median, processCpuMicros, spread, table } from '../support/report.js';

const PAIRS = Number(process.env.PAIRS ?? 3);
const EVENTS = Number(process.env.EVENTS ?? 20_000);
const WARMUP = Number(process.env.WARMUP ?? 3_000);
const IN_FLIGHT = 32;
const BARE = fileURLToPath(new URL('../dapr/bare.js', import.meta.url));
type Role = 'trigger' | 'eventsource';

function functionOf(role: Role) {
  const docs: unknown[] = [{ apiVersion: 'events.openfunction.io/v1alpha1', kind: 'EventBus', metadata: { name: 'bus', namespace: 'default' }, spec: { jetstream: { natsURL: 'nats://127.0.0.1:4222' } } }];
  if (role === 'trigger') docs.push({ apiVersion: 'events.openfunction.io/v1alpha1', kind: 'Trigger', metadata: { name: 't', namespace: 'default' }, spec: { eventBus: 'bus', inputs: { a: { eventSource: 'src', event: 'e' } }, subscribers: [{ condition: 'a', sink: { uri: 'http://127.0.0.1:9/t' } }] } });
  else docs.push({ apiVersion: 'events.openfunction.io/v1alpha1', kind: 'EventSource', metadata: { name: 'src', namespace: 'default' }, spec: { sink: { uri: 'http://127.0.0.1:9/e' }, redis: { e: { redisHost: '127.0.0.1:6379', redisPassword: '', stream: 'source' } } } });
  const set = docs.map((d) => (parseResource(d) as { resource: Resource }).resource);
  return planAll(set, { ...worldOf(set), allowPrivateSinks: true }).flatMap((p) => p.functions)[0]!;
}

// What daprd sends: a bus CloudEvent with the attributes daprd adds on publish, or its raw-payload envelope.
let sequence = 0;
const data = () => ({ sentAt: Date.now(), k: `k${sequence}`, pad: 'x'.repeat(900) });
const envelopeOf = (role: Role): string =>
  role === 'trigger'
    ? JSON.stringify({ specversion: '1.0', id: `e-${++sequence}`, source: '/bench', type: 'io.openfunction.events.redis', datacontenttype: 'application/json', data: data(), time: new Date().toISOString(), topic: 'default-src-e', pubsubname: 'serving-x-pubsub-bus-y', traceid: '', traceparent: '', tracestate: '' })
    : JSON.stringify({ specversion: '1.0', id: `r-${++sequence}`, source: 'Dapr', type: 'com.dapr.event.sent', datacontenttype: 'application/octet-stream', topic: 'source', pubsubname: 'serving-x-pubsub-src-y', data_base64: Buffer.from(JSON.stringify(data())).toString('base64') });

// The scripted sidecar: every binding invoke succeeds at once, with the response headers bindings.http passes on.
const sidecar = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    if (req.url?.startsWith('/v1.0/bindings/')) res.writeHead(200, { 'metadata.statuscode': '200', 'metadata.content-length': '0', traceparent: '00-00000000000000000000000000000000-0000000000000000-00' }).end();
    else res.writeHead(204).end();
  });
});
sidecar.keepAliveTimeout = 65_000;
await new Promise<void>((r) => sidecar.listen(0, LOOPBACK, r));
const sidecarPort = (sidecar.address() as AddressInfo).port;

const pinned = ((): boolean => {
  if (cpus().length < 2) return false;
  try {
    execFileSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** App CPU µs per event over EVENTS deliveries, after WARMUP, in a fresh process. */
async function run(role: Role, bare: boolean): Promise<number> {
  const fn = functionOf(role);
  const launch = launchOf(fn, () => randomSuffix(Math.random));
  const port = await freePort();
  const env = { PATH: process.env.PATH ?? '', ...launch.env, PORT: String(port), DAPR_HTTP_PORT: String(sidecarPort), ...(bare ? { BARE_ROLE: role } : {}) };
  const command = bare ? { command: process.execPath, args: [BARE] } : packageCommand(launch.handler);
  // APP_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/p") goes to both apps' node, for profiling, as in bench/dapr.
  const args = [...(process.env.APP_NODE_ARGS?.split(' ').filter(Boolean) ?? []), ...command.args];
  // taskset execs node, so the child's pid is the app's.
  const [program, argv] = pinned ? ['taskset', ['-c', '1', command.command, ...args]] : [command.command, args];
  const app = startChild(bare ? `bare ${role} app` : launch.handler, program, argv, { ...('cwd' in command && command.cwd ? { cwd: command.cwd } : {}), env });
  const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  const call = (method: string, path: string, body?: string) =>
    new Promise<string>((resolve, reject) => {
      const headers = body === undefined ? {} : { 'content-type': 'application/cloudevents+json', 'content-length': String(Buffer.byteLength(body)), traceparent: '00-00000000000000000000000000000000-0000000000000000-00' };
      const req = request({ host: LOOPBACK, port, method, path, agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      });
      req.on('error', reject);
      req.end(body);
    });
  try {
    await waitUntil(app, () => call('GET', '/dapr/subscribe').then(() => true), 'serving', 30_000, 50);
    const route = (JSON.parse(await call('GET', '/dapr/subscribe')) as Array<{ route: string }>)[0]!.route;
    const deliver = async (n: number) => {
      let next = 0;
      await Promise.all(
        Array.from({ length: IN_FLIGHT }, async () => {
          while (next++ < n) {
            const answer = await call('POST', route, envelopeOf(role));
            if (!answer.includes('SUCCESS')) throw new Error(`${app.name} answered ${answer}`);
          }
        }),
      );
    };
    await deliver(WARMUP);
    const before = processCpuMicros(app.process.pid);
    await deliver(EVENTS);
    return (processCpuMicros(app.process.pid) - before) / EVENTS;
  } finally {
    agent.destroy();
    await app.stop();
  }
}

const rows = [['handler', 'app CPU µs/event (spread)', 'bare app (spread)', 'ratio bare ÷ handler (spread)']];
const figures: Record<string, unknown> = { bench: 'dapr-app', machine: machine(), pairs: PAIRS, events: EVENTS, warmup: WARMUP, pinned };
for (const role of ['eventsource', 'trigger'] as const) {
  const handler: number[] = [];
  const bare: number[] = [];
  for (let pair = 0; pair < PAIRS; pair++) {
    for (const isBare of pair % 2 === 0 ? [false, true] : [true, false]) (isBare ? bare : handler).push(await run(role, isBare));
  }
  const ratios = handler.map((h, i) => bare[i]! / h);
  rows.push([role, `${fmt(median(handler))} (${spread(handler)})`, `${fmt(median(bare))} (${spread(bare)})`, `${median(ratios).toFixed(2)} (${spread(ratios.map((r) => Number(r.toFixed(2))))})`]);
  figures[role] = { appCpuMicrosPerEvent: Number(median(handler).toFixed(1)), bareAppCpuMicrosPerEvent: Number(median(bare).toFixed(1)), cpuRatio: Number(median(ratios).toFixed(3)) };
}
sidecar.close();
console.log(`bench/dapr-app — ${machine()}, ${PAIRS} interleaved pairs of ${EVENTS} deliveries after ${WARMUP}, ${IN_FLIGHT} in flight, sidecar scripted, ${pinned ? 'bench and app pinned to a core each' : 'unpinned (no taskset or one core)'}\n`);
console.log(table(rows));
console.log(JSON.stringify(figures));
