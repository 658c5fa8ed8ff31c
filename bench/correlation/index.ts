// bench/correlation: keyed correlation with many open keys (`created && paid` per data.orderId), the trigger-handler
// as the host calls it for each bus message, with its correlation state
//   memory   in process memory (the default, one replica)
//   redis    in a real Redis in Dapr's state.redis layout (what `dev` uses), straight from the handler
//   dapr     through a real daprd's state API to the same Redis (what a cluster runs)
// in one run. For each: events/s to open KEYS keys (one `created` each, 64 in flight as a Trigger's subscription
// asks for) and to close them (the matching `paid`, one firing each); bytes per open key (process heap for memory,
// the store's own figure for the others); the latency the handler adds per event at a steady rate with the keys
// open (p50/p99). Goal (issue): the durable variant through daprd ≥ 0.5 of in-memory throughput.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createClient } from 'redis';
import type { Event } from '../../lib/cloudevents.js';
import type { TriggerHandlerConfig } from '../../lib/config/trigger.js';
import { silentLogger, type AsyncFunction, type FunctionContext } from '../../lib/function.js';
import { createDaprStateStore } from '../../lib/host/state.js';
import { connectRedisStateStore } from '../../lib/state/redis.js';
import type { StateStore } from '../../lib/state/index.js';
import { inLanes } from '../../lib/lanes.js';
import { startBroker } from '../../runtime/brokers.js';
import { freePort } from '../../runtime/processes.js';
import { DAPRD_HELP, findDaprd } from '../../runtime/peers.js';
import { createTriggerHandler } from '../../functions/trigger-handler/index.js';
import { fmt, machine, measure, median, spread, table } from '../support/report.js';

const KEYS = Number(process.env.KEYS ?? 100_000);
const ROUNDS = Number(process.env.ROUNDS ?? 2);
const IN_FLIGHT = 64;
const RATE = Number(process.env.RATE ?? 1000);
const LATENCY_SECONDS = Number(process.env.LATENCY_SECONDS ?? 3);
const daprd = findDaprd();
if (!daprd) throw new Error(DAPRD_HELP);

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const redisBroker = await startBroker('redis');
const redisHost = redisBroker.url.replace(/^redis:\/\//, '');
const redis = createClient({ url: redisBroker.url });
await redis.connect();
const sidecar = await startStateSidecar();

const TOPIC = { created: 'default-shop-created', paid: 'default-shop-paid' } as const;
const config = (trigger: string, durable: boolean): TriggerHandlerConfig => ({
  trigger, namespace: 'default',
  inputs: [
    { name: 'created', eventSource: 'shop', event: 'created', key: 'data.orderId' },
    { name: 'paid', eventSource: 'shop', event: 'paid', key: 'data.orderId' },
  ],
  subscribers: [{ condition: 'created && paid', sinkOutputName: 'ship' }],
  // Room for every key: the memory variant would otherwise evict (its default bound is 10,000 keys per replica).
  correlation: { window: '1h', maxKeys: KEYS * 2 },
  ...(durable ? { stateStore: 'statestore' } : {}),
});

let fired = 0;
const contexts = {
  created: context(TOPIC.created),
  paid: context(TOPIC.paid),
};
function context(topic: string): FunctionContext {
  return {
    name: 't-bench', log: silentLogger,
    input: { name: `ti-${topic}`, kind: 'pubsub', metadata: { topic } },
    send: async () => void fired++,
    count: () => {},
  };
}
const event = (input: 'created' | 'paid', i: number, round: number): Event => ({
  specversion: '1.0', id: `${input}-${round}-${i}`, source: '/apis/events.openfunction.io/v1alpha1/namespaces/default/eventsources/shop/events/' + input,
  type: `io.openfunction.events.redis`, datacontenttype: 'application/json', data: { orderId: `order-${round}-${i}`, total: i % 500 },
});

interface Variant {
  name: 'memory' | 'redis' | 'dapr';
  store(): StateStore | undefined;
  /** Bytes the store holds for the run's keys, or undefined when the state is the process heap. */
  storeBytes(): Promise<number | undefined>;
}

const redisUsed = async () => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
let redisBase = 0;
const variants: Variant[] = [
  { name: 'memory', store: () => undefined, storeBytes: async () => undefined },
  { name: 'redis', store: () => connectRedisStateStore(redisBroker.url), storeBytes: async () => (await redisUsed()) - redisBase },
  { name: 'dapr', store: () => createDaprStateStore({ host: '127.0.0.1', httpPort: sidecar.httpPort }, 'statestore'), storeBytes: async () => (await redisUsed()) - redisBase },
];

interface Result { open: number; close: number; openCpu: number; bytesPerKey: number; p50: number; p99: number }
const results = new Map<string, Result[]>();

for (let round = 0; round < ROUNDS; round++) {
  for (const v of round % 2 === 0 ? variants : [...variants].reverse()) {
    await redis.flushAll();
    gc();
    redisBase = await redisUsed();
    const heapBase = process.memoryUsage().heapUsed;
    const store = v.store();
    const handler = createTriggerHandler(config(`bench-${v.name}-${round}`, store !== undefined), { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)), ...(store ? { store } : {}) });
    const call = (input: 'created' | 'paid', i: number, r = round) => handler(contexts[input], event(input, i, r));
    fired = 0;
    const open = await measure(KEYS, () => inLanes(KEYS, IN_FLIGHT, (i) => call('created', i)));
    gc();
    const heap = process.memoryUsage().heapUsed - heapBase;
    const held = await v.storeBytes();
    const bytesPerKey = (held ?? heap) / KEYS;
    const latency = await paced(handler, round);
    const close = await measure(KEYS, () => inLanes(KEYS, IN_FLIGHT, (i) => call('paid', i)));
    if (fired < KEYS) throw new Error(`${v.name}: ${fired} firings for ${KEYS} keys`);
    await store?.close?.();
    results.set(v.name, [...(results.get(v.name) ?? []), { open: open.rate, close: close.rate, openCpu: open.cpuMicros, bytesPerKey, ...latency }]);
  }
}

/**
 * The latency the handler adds at RATE events/s with the keys open: new orders created and paid at once (a firing
 * each), so both kinds of update are in the mix. Paced by the wall clock; each call timed from when it was due (a late start counts against it).
 */
async function paced(handler: AsyncFunction, round: number): Promise<{ p50: number; p99: number }> {
  const total = RATE * LATENCY_SECONDS;
  const durations: number[] = [];
  const start = performance.now();
  const calls: Array<Promise<void>> = [];
  for (let n = 0; n < total; n++) {
    const due = start + (n * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const input = n % 2 === 0 ? 'created' : 'paid';
    const i = KEYS + Math.floor(n / 2);
    const began = Math.min(due, performance.now()); // from when it was due, or when it began if a timer woke early
    calls.push(handler(contexts[input], event(input, i, round)).then(() => void durations.push(performance.now() - began)));
  }
  await Promise.all(calls);
  durations.sort((a, b) => a - b);
  return { p50: durations[Math.floor(durations.length * 0.5)]!, p99: durations[Math.floor(durations.length * 0.99)]! };
}

await sidecar.stop();
await redis.quit();
await redisBroker.stop();

const med = (name: string, f: (r: Result) => number) => median(results.get(name)!.map(f));
const spr = (name: string, f: (r: Result) => number) => spread(results.get(name)!.map(f));
console.log(`bench/correlation — ${machine()}, ${KEYS} open keys, ${IN_FLIGHT} in flight, ${ROUNDS} interleaved rounds; latency at ${RATE} events/s for ${LATENCY_SECONDS} s\n`);
const rows = [['state', 'open keys/s (median, spread)', 'close+fire/s', 'CPU µs/event (open)', 'bytes/open key', 'p50 ms', 'p99 ms']];
for (const { name } of variants) {
  rows.push([name, `${fmt(med(name, (r) => r.open))} (${spr(name, (r) => r.open)})`, fmt(med(name, (r) => r.close)), fmt(med(name, (r) => r.openCpu)), `${fmt(med(name, (r) => r.bytesPerKey))}${name === 'memory' ? ' heap' : ' in Redis'}`, fmt(med(name, (r) => r.p50)), fmt(med(name, (r) => r.p99))]);
}
console.log(table(rows));
// Events per second over both phases: 2 × KEYS events in KEYS/open + KEYS/close seconds.
const both = (r: Result) => 2 / (1 / r.open + 1 / r.close);
const ratio = (name: string) => Number((med(name, both) / med('memory', both)).toFixed(2));
const figures = {
  keys: KEYS,
  memoryEventsPerSec: Math.round(med('memory', both)),
  redisEventsPerSec: Math.round(med('redis', both)),
  daprEventsPerSec: Math.round(med('dapr', both)),
  ratioRedisToMemory: ratio('redis'),
  ratioDaprToMemory: ratio('dapr'),
  memoryBytesPerKey: Math.round(med('memory', (r) => r.bytesPerKey)),
  redisBytesPerKey: Math.round(med('redis', (r) => r.bytesPerKey)),
  memoryP99Ms: Number(med('memory', (r) => r.p99).toFixed(2)),
  redisP99Ms: Number(med('redis', (r) => r.p99).toFixed(2)),
  daprP99Ms: Number(med('dapr', (r) => r.p99).toFixed(2)),
};
console.log(`\ngoal: durable through daprd ≥ 0.5 of in-memory throughput (${figures.ratioDaprToMemory}; straight to Redis ${figures.ratioRedisToMemory})`);
console.log(JSON.stringify(figures));

/** A daprd with no app: only a state.redis component named `statestore`, its HTTP API on a free port. */
async function startStateSidecar(): Promise<{ httpPort: number; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'ofn-events-bench-correlation-'));
  writeFileSync(join(dir, 'statestore.yaml'), `apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {name: statestore}
spec:
  type: state.redis
  version: v1
  metadata:
    - {name: redisHost, value: "${redisHost}"}
    - {name: redisPassword, value: ""}
`);
  const [httpPort, grpcPort, internalGrpcPort, metricsPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const child: ChildProcess = spawn(daprd!, ['--mode', 'standalone', '--app-id', 'bench-correlation', '--resources-path', dir, '--dapr-http-port', String(httpPort), '--dapr-grpc-port', String(grpcPort), '--dapr-internal-grpc-port', String(internalGrpcPort), '--dapr-listen-addresses', '127.0.0.1', '--metrics-port', String(metricsPort), '--log-level', 'warn'], { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: dir }, stdio: ['ignore', 'ignore', 'inherit'] });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const status = await fetch(`http://127.0.0.1:${httpPort}/v1.0/healthz`).then((r) => r.status, () => 0);
    if (status === 204) break;
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`daprd did not become healthy (exit ${child.exitCode})`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    httpPort,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
