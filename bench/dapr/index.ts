// bench/dapr: each handler behind a real daprd, next to the hand-written Dapr app (bench/dapr/bare.ts) behind the same
// daprd binary with the same components and FUNC_CONTEXT, interleaved A/B in one run:
//   eventsource  a Redis stream backlog → eventsource-handler → bindings.http → sink
//   trigger      a JetStream backlog of CloudEvents → trigger-handler (one-input condition) → bindings.http → sink
//   durable      the same Trigger keyed by data.k with its correlation state in Redis through daprd's state API
//                (state.redis): a read and an ETag write per event, next to the in-memory trigger (goal ≥ 0.5)
// For each: events/s to drain the backlog, CPU µs per event of the app and of its sidecar (from /proc), then the
// latency each adds at a steady rate (p50/p99, from the payload's send time to the sink). Goal (issue): ratio ≥ 0.9.
// Runs from dist/ after `npm run package`: the handlers are the packaged bundles, as in a cluster.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createClient } from 'redis';
import { parseResource, type Resource } from '../../lib/api/index.js';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { connectJetStream } from '../../lib/local/jetstream.js';
import { DEFAULT_STREAM } from '../../lib/naming.js';
import { planAll, worldOf } from '../../functions/controller/plan/index.js';
import { streamsNeeded } from '../../functions/controller/plan/streams.js';
import { ensureStream } from '../../lib/io/jetstream-streams.js';
import { startBroker } from '../../runtime/brokers.js';
import { launchOf, randomSuffix } from '../../runtime/dapr/openfunction.js';
import { packageCommand } from '../../runtime/dapr/packages.js';
import { startFunction, type RunningFunction } from '../../runtime/dapr/sidecar.js';
import { DAPRD_HELP, findDaprd } from '../../runtime/peers.js';
import { fmt, machine, median, processCpuMicros, spread, table } from '../support/report.js';

const PAIRS = Number(process.env.PAIRS ?? 3);
const BACKLOG = Number(process.env.BACKLOG ?? 3000);
// Each app first drains WARMUP events of the same backlog, not measured: a fresh process runs its first events in
// the interpreter, and a large bundle takes longer to optimise than a 40-line app, which weighed on a 3000-event
// window as JIT time, not per-event work (the other benches discard a warm-up for the same reason). WARMUP=0
// measures from the first event.
const WARMUP = Number(process.env.WARMUP ?? 1000);
const RATE = Number(process.env.RATE ?? 200);
const LATENCY_SECONDS = Number(process.env.LATENCY_SECONDS ?? 5);
const daprd = findDaprd();
if (!daprd) throw new Error(DAPRD_HELP);
const BARE = fileURLToPath(new URL('./bare.js', import.meta.url));
const WORK = mkdtempSync(join(tmpdir(), 'ofn-events-bench-dapr-'));

const [nats, redisBroker] = await Promise.all([startBroker('nats'), startBroker('redis')]);
const redis = createClient({ url: redisBroker.url });
await redis.connect();
const bus = await connectJetStream({ url: nats.url });

// The sink: counts per path and keeps each event's latency (payload `sentAt` → arrival).
const arrived = new Map<string, number[]>();
const sink = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const { sentAt } = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { sentAt?: number };
    const list = arrived.get(req.url ?? '') ?? [];
    list.push(sentAt ? Date.now() - sentAt : 0);
    arrived.set(req.url ?? '', list);
    res.writeHead(200).end();
  });
});
sink.keepAliveTimeout = 65_000;
await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;

let produced = 0;
// `k`: a key per event, so the durable Trigger opens (reads and writes) one record per event.
const payload = (sentAt = 0) => ({ sentAt, k: `k${produced++}`, pad: 'x'.repeat(900) });
const SOURCE_STREAM = 'bench-source';
const BUS_TOPIC = 'default-benchsrc-e';

function resources(kind: 'eventsource' | 'trigger', name: string, durable = false): Resource[] {
  const docs: unknown[] = [{ apiVersion: 'events.openfunction.io/v1alpha1', kind: 'EventBus', metadata: { name: 'bus', namespace: 'default' }, spec: { jetstream: { natsURL: nats.url } } }];
  if (kind === 'eventsource') {
    docs.push({ apiVersion: 'events.openfunction.io/v1alpha1', kind: 'EventSource', metadata: { name, namespace: 'default' }, spec: { sink: { uri: `${sinkUrl}/${name}` }, redis: { e: { redisHost: redisBroker.url.replace('redis://', ''), redisPassword: '', stream: SOURCE_STREAM } } } });
  } else {
    const state = { correlation: { state: { type: 'state.redis', metadata: { redisHost: redisBroker.url.replace('redis://', '') } } } };
    docs.push({ apiVersion: 'events.openfunction.io/v1alpha1', kind: 'Trigger', metadata: { name, namespace: 'default' }, spec: { eventBus: 'bus', ...(durable ? state : {}), inputs: { a: { eventSource: 'benchsrc', event: 'e', ...(durable ? { key: 'data.k' } : {}) } }, subscribers: [{ condition: 'a', sink: { uri: `${sinkUrl}/${name}` } }] } });
  }
  return docs.map((d) => (parseResource(d) as { resource: Resource }).resource);
}

/** One Function (framework or bare app) behind its own daprd, reading the whole backlog under a fresh consumer name. */
async function start(kind: 'eventsource' | 'trigger', name: string, bare: boolean, durable = false): Promise<RunningFunction> {
  const set = resources(kind, name, durable);
  const fn = planAll(set, { ...worldOf(set), allowPrivateSinks: true }).flatMap((p) => p.functions)[0]!;
  for (const s of streamsNeeded([fn])) await ensureStream({ url: s.url }, s.stream, s.topics);
  const launch = launchOf(fn, () => randomSuffix(Math.random));
  if (bare) launch.env.BARE_ROLE = kind;
  return startFunction(launch, {
    daprd: daprd!,
    workDir: WORK,
    daprLogLevel: 'warn',
    packageCommand: (h) => {
      const command = bare ? { command: process.execPath, args: [BARE] } : packageCommand(h);
      // APP_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/p") goes to both apps' node, for profiling.
      return { ...command, args: [...(process.env.APP_NODE_ARGS?.split(' ').filter(Boolean) ?? []), ...command.args] };
    },
  });
}


async function waitFor(path: string, n: number, timeoutMs: number, pollMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((arrived.get(path)?.length ?? 0) < n) {
    if (Date.now() > deadline) throw new Error(`${path}: ${arrived.get(path)?.length ?? 0} of ${n} events within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

interface Drain { rate: number; appCpu: number; daprCpu: number }

async function drain(kind: 'eventsource' | 'trigger', name: string, bare: boolean, durable = false): Promise<Drain> {
  const fn = await start(kind, name, bare, durable);
  try {
    const path = `/${name}`;
    if (WARMUP > 0) await waitFor(path, WARMUP, 300_000, 2);
    const [app0, dapr0, t0] = [processCpuMicros(fn.app.process.pid), processCpuMicros(fn.daprd.process.pid), performance.now()];
    await waitFor(path, WARMUP + BACKLOG, 300_000, 2);
    const seconds = (performance.now() - t0) / 1000;
    return { rate: BACKLOG / seconds, appCpu: (processCpuMicros(fn.app.process.pid) - app0) / BACKLOG, daprCpu: (processCpuMicros(fn.daprd.process.pid) - dapr0) / BACKLOG };
  } finally {
    await fn.stop();
  }
}

async function latency(kind: 'eventsource' | 'trigger', name: string, bare: boolean): Promise<{ p50: number; p99: number }> {
  // Fresh events only: the source is emptied first, so a new consumer has no backlog to read.
  if (kind === 'eventsource') await redis.del(SOURCE_STREAM);
  else {
    const nc = await connect({ servers: nats.url });
    await (await jetstreamManager(nc)).streams.purge(DEFAULT_STREAM);
    await nc.close();
  }
  const fn = await start(kind, name, bare);
  try {
    const path = `/${name}`;
    await new Promise((r) => setTimeout(r, 1000)); // the consumer joins
    const before = arrived.get(path)?.length ?? 0;
    const total = RATE * LATENCY_SECONDS;
    const t0 = performance.now();
    for (let i = 0; i < total; i++) {
      const due = t0 + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      await produce(kind, 1, true);
    }
    await waitFor(path, before + total, 60_000);
    const lat = arrived.get(path)!.slice(before).sort((a, b) => a - b);
    return { p50: lat[Math.floor(lat.length * 0.5)]!, p99: lat[Math.floor(lat.length * 0.99)]! };
  } finally {
    await fn.stop();
  }
}

async function produce(kind: 'eventsource' | 'trigger', count: number, stamped = false): Promise<void> {
  for (let i = 0; i < count; i += 200) {
    const n = Math.min(200, count - i);
    await Promise.all(Array.from({ length: n }, () => {
      const data = payload(stamped ? Date.now() : 0);
      if (kind === 'eventsource') return redis.xAdd(SOURCE_STREAM, '*', { data: JSON.stringify(data) });
      return bus.publish(BUS_TOPIC, { specversion: '1.0', id: `${Date.now()}-${Math.random()}`, source: '/bench', type: 'io.openfunction.events.redis', datacontenttype: 'application/json', data });
    }));
  }
}

const durables: Drain[] = [];
const results: Record<string, { a: Drain[]; b: Drain[]; latA?: { p50: number; p99: number }; latB?: { p50: number; p99: number } }> = {};
for (const kind of ['eventsource', 'trigger'] as const) {
  await produce(kind, WARMUP + BACKLOG);
  const r = (results[kind] = { a: [] as Drain[], b: [] as Drain[] });
  for (let pair = 0; pair < PAIRS; pair++) {
    // Interleaved, alternating which goes first, so drift on a shared machine hits both alike.
    const order = pair % 2 === 0 ? [false, true] : [true, false];
    for (const bare of order) (bare ? r.b : r.a).push(await drain(kind, `${kind === 'trigger' ? 't' : 'e'}${bare ? 'bare' : 'ofn'}${pair}`, bare));
    if (kind === 'trigger') durables.push(await drain(kind, `tdurable${pair}`, false, true));
  }
  Object.assign(r, { latA: await latency(kind, `${kind === 'trigger' ? 't' : 'e'}ofnlat`, false), latB: await latency(kind, `${kind === 'trigger' ? 't' : 'e'}barelat`, true) });
}

const rows = [['handler', 'events/s (spread)', 'bare events/s', 'ratio', 'app CPU µs/event', 'bare app', 'daprd CPU µs/event', 'p50 / p99 ms', 'bare p50 / p99']];
const json: Record<string, unknown> = { bench: 'dapr', machine: machine(), pairs: PAIRS, backlog: BACKLOG, warmup: WARMUP, rate: RATE };
for (const [kind, r] of Object.entries(results)) {
  const rateA = median(r.a.map((d) => d.rate));
  const rateB = median(r.b.map((d) => d.rate));
  const ratio = median(r.a.map((d, i) => d.rate / r.b[i]!.rate));
  rows.push([kind, `${fmt(rateA)} (${spread(r.a.map((d) => d.rate))})`, `${fmt(rateB)} (${spread(r.b.map((d) => d.rate))})`, ratio.toFixed(2), fmt(median(r.a.map((d) => d.appCpu))), fmt(median(r.b.map((d) => d.appCpu))), `${fmt(median(r.a.map((d) => d.daprCpu)))} / ${fmt(median(r.b.map((d) => d.daprCpu)))}`, `${r.latA!.p50} / ${r.latA!.p99}`, `${r.latB!.p50} / ${r.latB!.p99}`]);
  json[kind] = { ratioToBare: Number(ratio.toFixed(3)), eventsPerSec: Math.round(rateA), bareEventsPerSec: Math.round(rateB), appCpuMicrosPerEvent: Math.round(median(r.a.map((d) => d.appCpu))), bareAppCpuMicrosPerEvent: Math.round(median(r.b.map((d) => d.appCpu))), daprdCpuMicrosPerEvent: Math.round(median(r.a.map((d) => d.daprCpu))), p50Ms: r.latA!.p50, p99Ms: r.latA!.p99, bareP50Ms: r.latB!.p50, bareP99Ms: r.latB!.p99 };
}
{
  // The durable Trigger next to the in-memory one, pair by pair (each pair ran back to back).
  const ratio = median(durables.map((d, i) => d.rate / results.trigger!.a[i]!.rate));
  rows.push(['trigger, durable', `${fmt(median(durables.map((d) => d.rate)))} (${spread(durables.map((d) => d.rate))})`, '–', `${ratio.toFixed(2)} of in-memory`, fmt(median(durables.map((d) => d.appCpu))), '–', fmt(median(durables.map((d) => d.daprCpu))), '–', '–']);
  json.durable = { ratioToInMemory: Number(ratio.toFixed(3)), eventsPerSec: Math.round(median(durables.map((d) => d.rate))), appCpuMicrosPerEvent: Math.round(median(durables.map((d) => d.appCpu))), daprdCpuMicrosPerEvent: Math.round(median(durables.map((d) => d.daprCpu))) };
}
console.log(`bench/dapr on ${machine()}, daprd ${daprd}: ${PAIRS} interleaved pairs of ${BACKLOG}-event drains after a ${WARMUP}-event warm-up, then ${RATE}/s for ${LATENCY_SECONDS} s\n`);
console.log(table(rows));
console.log(JSON.stringify(json));

await redis.quit();
await bus.close();
sink.closeAllConnections();
sink.close();
await Promise.all([nats.stop(), redisBroker.stop()]);
rmSync(WORK, { recursive: true, force: true });
process.exit(0);
