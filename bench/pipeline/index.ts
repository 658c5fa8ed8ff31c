// bench/pipeline: `ofn-events dev`'s topology (MQTT source → eventsource-handler → JetStream → trigger-handler →
// HTTP sink) next to a minimal hand-written pipeline doing the same hops with the same clients (mqtt.js → nats.js
// js.publish → a JetStream consumer → undici POST → ack), in one run on private brokers. Events carry their publish
// time; an in-process sink measures end-to-end latency. Goals (issue): p50 ≤ 1.5× and p99 ≤ 2× the hand-written
// pipeline at 1,000 events/s; the highest rate held (no growing backlog, p99 ≤ 50 ms) ≥ 0.8× its.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import mqtt from 'mqtt';
import { Pool } from 'undici';
import { parseResource, type Resource } from '../../lib/api/index.js';
import { silentLogger } from '../../lib/function.js';
import { startTopology } from '../../cli/dev/topology.js';
import { startBroker } from '../../test/support/brokers.js';
import { fmt, machine, table } from '../support/report.js';

const SECONDS = Number(process.env.SECONDS_PER_RATE ?? 3);
const RATES = (process.env.RATES ?? '1000,1500,2000,3000,4000').split(',').map(Number); // starts at 1,000/s: the latency figures
const pad = 'x'.repeat(900);

const nats = await startBroker('nats');
const mosquitto = await startBroker('mosquitto');

// The sink: one in-process server for both pipelines, recording latency per pipeline.
const latencies = new Map<string, number[]>();
const sink = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const now = process.hrtime.bigint();
    const body = JSON.parse(Buffer.concat(chunks).toString()) as { sentAt: string; run: string };
    latencies.get(body.run)?.push(Number(now - BigInt(body.sentAt)) / 1e6);
    res.writeHead(200);
    res.end();
  });
});
await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/`;

// A: the framework, as `ofn-events dev` runs it.
const doc = (kind: string, name: string, spec: unknown) => (parseResource({ apiVersion: 'events.openfunction.io/v1alpha1', kind, metadata: { name }, spec }) as { resource: Resource }).resource;
const topology = await startTopology(
  [
    doc('EventBus', 'default', { jetstream: { natsURL: nats.url, streamName: 'PIPE_DEV', maxAckPending: 256 } }),
    doc('EventSource', 'in', { eventBus: 'default', mqtt: { events: { url: mosquitto.url, topic: 'bench/dev', qos: 1 } } }),
    doc('Trigger', 'out', { eventBus: 'default', inputs: { events: { eventSource: 'in', event: 'events' } }, subscribers: [{ condition: 'events', sink: { uri: sinkUrl } }] }),
  ],
  { display: () => {}, log: silentLogger },
);

// B: the hand-written pipeline.
const nc = await connect({ servers: nats.url });
const jsm = await jetstreamManager(nc);
const js = jetstream(nc);
await jsm.streams.add({ name: 'PIPE_BARE', subjects: ['bare.events'] });
await jsm.consumers.add('PIPE_BARE', { durable_name: 'bare', ack_policy: AckPolicy.Explicit, max_ack_pending: 256 });
const pool = new Pool(sinkUrl, { connections: 32 });
const bareIn = await mqtt.connectAsync(mosquitto.url, { clientId: 'bare-in' });
bareIn.on('message', (_t, payload) => void js.publish('bare.events', payload).catch(() => undefined));
await bareIn.subscribeAsync('bench/bare', { qos: 1 });
const messages = await (await js.consumers.get('PIPE_BARE', 'bare')).consume({ max_messages: 256 });
void (async () => {
  for await (const m of messages) {
    void pool
      .request({ method: 'POST', path: '/', body: m.data, headers: { 'content-type': 'application/json' } })
      .then((r) => r.body.dump())
      .then(() => m.ack(), () => m.nak());
  }
})();

const producer = await mqtt.connectAsync(mosquitto.url, { clientId: 'producer' });
let runs = 0;

/** Publishes `rate` events/s for SECONDS to the pipeline's topic; returns latencies of what arrived. */
async function trial(topic: string, rate: number, drainMs = 2000): Promise<{ sent: number; got: number; p50: number; p99: number }> {
  const run = `r${++runs}`;
  const samples: number[] = [];
  latencies.set(run, samples);
  const total = rate * SECONDS;
  const batch = Math.max(1, Math.round(rate / 200)); // every 5 ms
  const t0 = Date.now();
  for (let i = 0; i < total; i += batch) {
    const due = t0 + (i / rate) * 1000;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    for (let k = 0; k < batch && i + k < total; k++) void producer.publish(topic, JSON.stringify({ sentAt: String(process.hrtime.bigint()), run, n: i + k, pad }), { qos: 1 });
  }
  const deadline = Date.now() + drainMs; // backlog check: whatever is not through within 2 s is backlog
  while (samples.length < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const sorted = [...samples].sort((a, b) => a - b);
  return { sent: total, got: samples.length, p50: sorted[Math.floor(sorted.length * 0.5)] ?? Infinity, p99: sorted[Math.floor(sorted.length * 0.99)] ?? Infinity };
}

const held = (r: { sent: number; got: number; p99: number }) => r.got >= r.sent * 0.99 && r.p99 <= 50;
// Warm-up (connections, streams, JIT), drained completely before anything is measured.
await trial('bench/dev', 200, 15_000);
await trial('bench/bare', 200, 15_000);
const sustained = { dev: 0, bare: 0 };
let at1k: { dev: Awaited<ReturnType<typeof trial>>; bare: Awaited<ReturnType<typeof trial>> } | undefined;
const rows = [['rate/s', 'dev: got / sent', 'p50 / p99 ms', 'hand-written: got / sent', 'p50 / p99 ms']];
for (const rate of RATES) {
  const [dev, bare] = [await trial('bench/dev', rate), await trial('bench/bare', rate)];
  if (rate === 1000) at1k = { dev, bare };
  if (held(dev)) sustained.dev = rate;
  if (held(bare)) sustained.bare = rate;
  rows.push([String(rate), `${dev.got} / ${dev.sent}`, `${fmt(dev.p50)} / ${fmt(dev.p99)}`, `${bare.got} / ${bare.sent}`, `${fmt(bare.p50)} / ${fmt(bare.p99)}`]);
  await new Promise((r) => setTimeout(r, 1000)); // let any backlog drain before the next rate
}

console.log(`bench/pipeline — ${machine()}, ${SECONDS} s per rate, ~1 KiB JSON events, MQTT QoS 1 → JetStream → trigger → HTTP\n`);
if (!at1k) throw new Error('RATES must include 1000');
console.log(`at 1,000/s: dev p50 ${fmt(at1k.dev.p50)} ms, p99 ${fmt(at1k.dev.p99)} ms; hand-written p50 ${fmt(at1k.bare.p50)} ms, p99 ${fmt(at1k.bare.p99)} ms\n`);
console.log(table(rows));
console.log(`\nhighest rate held (≥ 99 % through within 2 s, p99 ≤ 50 ms): dev ${sustained.dev}/s, hand-written ${sustained.bare}/s`);
const figures = {
  p50Ratio: Number((at1k.dev.p50 / at1k.bare.p50).toFixed(2)),
  p99Ratio: Number((at1k.dev.p99 / at1k.bare.p99).toFixed(2)),
  sustainedRatio: sustained.bare > 0 ? Number((sustained.dev / sustained.bare).toFixed(2)) : null,
  devP50Ms: Number(at1k.dev.p50.toFixed(3)),
  devP99Ms: Number(at1k.dev.p99.toFixed(3)),
  devSustainedPerSec: sustained.dev,
  bareSustainedPerSec: sustained.bare,
};
await producer.endAsync();
await bareIn.endAsync();
await messages.close();
await pool.close();
await nc.drain();
await topology.stop();
sink.close();
await nats.stop();
await mosquitto.stop();
console.log(JSON.stringify(figures));
process.exit(0);
