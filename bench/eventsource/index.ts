// bench/eventsource: the eventsource-handler's two paths, each next to the best bare loop with the same client,
// interleaved A/B in one run on one nats-server (method: shared/research/perf-anchors C3).
//   bus:  synthetic 1 KiB source events → handler → CloudEvent → JetStream (acknowledged)
//         vs a bare pipelined, acknowledged publisher of the same bytes (reply inbox + one wildcard subscription)
//   sink: the same events → handler → binary-mode CloudEvent → HTTP sink (keep-alive pool)
//         vs bare keep-alive POSTs of the same bytes with the same pool settings
// Each path also runs a second bare loop that sends what the handler puts on the wire — its CloudEvent envelopes
// (bus) or ce-* headers (sink), built once beforehand — so the report tells the cost of the larger messages apart
// from the handler's own CPU. The goals stay on the first comparison.
// Goals (issue): ratioToBare ≥ 0.8, sinkRatioToBare ≥ 0.9.
import { randomUUID } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { Pool } from 'undici';
import { createEventSourceHandler } from '../../functions/eventsource-handler/index.js';
import { encodeBinary, encodeStructured, identityOf, toCloudEvent } from '../../lib/cloudevents.js';
import { silentLogger } from '../../lib/function.js';
import { busOutput, connectJetStream, deliverTo, httpSink } from '../../lib/local/index.js';
import { PipelinedPublisher } from '../../lib/local/jetstream.js';
import { startBroker } from '../../test/support/brokers.js';
import { fmt, machine, measure, median, spread, startSinkProcess, table, windowed } from '../support/report.js';

const PAIRS = Number(process.env.PAIRS ?? 5);
const BUS_EVENTS = Number(process.env.BUS_EVENTS ?? 30_000);
const SINK_EVENTS = Number(process.env.SINK_EVENTS ?? 10_000);
const BUS_WINDOW = 1024;
const SINK_WINDOW = 32;
// Exactly 1 KiB of JSON, as a source would send; the bare sides send the same bytes.
const payload = Buffer.from(JSON.stringify({ order: 'x'.repeat(1024 - 12) }));
const body = payload;
if (payload.length !== 1024) throw new Error(`payload is ${payload.length} bytes`);

const nats = await startBroker('nats');
const sinkServer = await startSinkProcess();
const nc = await connect({ servers: nats.url });
const jsm = await jetstreamManager(nc);
// Each side gets its own stream (same server, same storage); the bus creates its own as it would in `dev`.
await jsm.streams.add({ name: 'BARE', subjects: ['bare.>'] });
// The bare side publishes a window in one synchronous loop, so nats.js already writes it at once: no coalescing.
const barePublisher = new PipelinedPublisher(nc, 10_000, undefined, false);
const bus = await connectJetStream({ url: nats.url, streamName: 'BENCH' });
const sink = httpSink(`${sinkServer.url}/`, { connections: SINK_WINDOW });
const barePool = new Pool(sinkServer.url, { connections: SINK_WINDOW, keepAliveTimeout: 30_000 });

const env = { now: () => new Date(), newId: randomUUID };
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const handlerFor = (outputs: 'bus' | 'sink') =>
  deliverTo({
    name: 'esw-bench-kafka-e',
    inputName: 'esi-e',
    log: silentLogger,
    outputs: outputs === 'bus' ? { 'ebo-bench': busOutput(bus, 'default-bench-e') } : { 'so-es-bench-1': sink },
    fn: createEventSourceHandler(
      { namespace: 'default', eventSource: 'bench', event: 'e', sourceKind: 'kafka', ...(outputs === 'bus' ? { eventBusOutputName: 'ebo-bench' } : { sinkOutputName: 'so-es-bench-1' }) },
      { env, sleep },
    ),
  });
const busHandler = handlerFor('bus');
const sinkHandler = handlerFor('sink');

// What the handler sends for one event, built once: the bare "wire" loops send it with a fresh id each time.
const sample = toCloudEvent({ namespace: 'default', eventSource: 'bench', event: 'e', kind: 'kafka' }, { payload, id: 'orders-0-1000000', subject: 'partition:0#1000000' }, env);
const envelope = encodeStructured(sample);
const wireHeaders = Object.entries(encodeBinary(sample).headers).flat();
const idAt = wireHeaders.indexOf('ce-id') + 1;

let offset = 0;
const trials = {
  bareBus: () => measure(BUS_EVENTS, () => windowed(BUS_EVENTS, BUS_WINDOW, (i) => barePublisher.publish(`bare.e`, payload, `bare-${offset}-${i}`))),
  wireBus: () => measure(BUS_EVENTS, () => windowed(BUS_EVENTS, BUS_WINDOW, () => barePublisher.publish('bare.e', envelope, `default-bench-e/${identityOf({ source: sample.source, id: `orders-0-${++offset}` })}`))),
  handlerBus: () => measure(BUS_EVENTS, () => windowed(BUS_EVENTS, BUS_WINDOW, () => busHandler(payload, { topic: 'orders', partition: '0', offset: String(++offset) }))),
  bareSink: () =>
    measure(SINK_EVENTS, () =>
      windowed(SINK_EVENTS, SINK_WINDOW, async () => {
        const r = await barePool.request({ method: 'POST', path: '/', body, headers: { 'content-type': 'application/json' } });
        await r.body.dump();
        if (r.statusCode !== 200) throw new Error(`sink answered ${r.statusCode}`);
      }),
    ),
  wireSink: () =>
    measure(SINK_EVENTS, () =>
      windowed(SINK_EVENTS, SINK_WINDOW, async () => {
        const headers = wireHeaders.slice();
        headers[idAt] = `orders-0-${++offset}`;
        const r = await barePool.request({ method: 'POST', path: '/', body, headers });
        await r.body.dump();
        if (r.statusCode !== 200) throw new Error(`sink answered ${r.statusCode}`);
      }),
    ),
  handlerSink: () => measure(SINK_EVENTS, () => windowed(SINK_EVENTS, SINK_WINDOW, () => sinkHandler(payload, { topic: 'orders', partition: '0', offset: String(++offset) }))),
};

// Warm-up, discarded: JIT, connections, stream files.
await windowed(2000, BUS_WINDOW, () => busHandler(payload, { topic: 'w', partition: '0', offset: String(++offset) }));
await windowed(2000, BUS_WINDOW, (i) => barePublisher.publish('bare.w', payload, `w-${i}`));
await windowed(1000, SINK_WINDOW, () => sinkHandler(payload, {}));

const results: Record<keyof typeof trials, Array<{ rate: number; cpuMicros: number }>> = { bareBus: [], wireBus: [], handlerBus: [], bareSink: [], wireSink: [], handlerSink: [] };
for (let pair = 0; pair < PAIRS; pair++) {
  // A/B order alternates, so neither side always runs on a warmer (or fuller) server.
  const order: Array<keyof typeof trials> = pair % 2 === 0 ? ['bareBus', 'wireBus', 'handlerBus', 'bareSink', 'wireSink', 'handlerSink'] : ['handlerBus', 'wireBus', 'bareBus', 'handlerSink', 'wireSink', 'bareSink'];
  for (const name of order) results[name].push(await trials[name]());
}

const ratios = (a: keyof typeof trials, b: keyof typeof trials) => results[a].map((r, i) => r.rate / results[b][i]!.rate);
const busRatios = ratios('handlerBus', 'bareBus');
const sinkRatios = ratios('handlerSink', 'bareSink');
const busWireRatios = ratios('handlerBus', 'wireBus');
const sinkWireRatios = ratios('handlerSink', 'wireSink');
const row = (label: string, name: keyof typeof trials) => [label, `${fmt(median(results[name].map((r) => r.rate)))}/s`, spread(results[name].map((r) => r.rate)), fmt(median(results[name].map((r) => r.cpuMicros)))];

console.log(`bench/eventsource — ${machine()}, ${PAIRS} interleaved pairs, 1 KiB events, bus window ${BUS_WINDOW}, sink connections ${SINK_WINDOW}\n`);
console.log(table([
  ['path', 'median rate', 'spread', 'CPU µs/event'],
  row('bus: bare pipelined publish', 'bareBus'),
  row('bus: bare, the handler\'s envelopes', 'wireBus'),
  row('bus: eventsource-handler', 'handlerBus'),
  row('sink: bare keep-alive POST', 'bareSink'),
  row('sink: bare, with ce-* headers', 'wireSink'),
  row('sink: eventsource-handler', 'handlerSink'),
]));
console.log(`\nratio to bare (median, min–max): bus ${median(busRatios).toFixed(2)} (${spread(busRatios)}), goal ≥ 0.8; sink ${median(sinkRatios).toFixed(2)} (${spread(sinkRatios)}), goal ≥ 0.9`);
console.log(`ratio to the bare loops sending the handler's own messages: bus ${median(busWireRatios).toFixed(2)} (${spread(busWireRatios)}); sink ${median(sinkWireRatios).toFixed(2)} (${spread(sinkWireRatios)})`);

const figures = {
  ratioToBare: Number(median(busRatios).toFixed(3)),
  sinkRatioToBare: Number(median(sinkRatios).toFixed(3)),
  ratioToWire: Number(median(busWireRatios).toFixed(3)),
  sinkRatioToWire: Number(median(sinkWireRatios).toFixed(3)),
  handlerEventsPerSec: Math.round(median(results.handlerBus.map((r) => r.rate))),
  bareEventsPerSec: Math.round(median(results.bareBus.map((r) => r.rate))),
  cpuMicrosPerEvent: Number(median(results.handlerBus.map((r) => r.cpuMicros)).toFixed(1)),
  rssMB: Math.round(process.memoryUsage().rss / 2 ** 20),
};

barePublisher.close();
await bus.close();
await sink.close();
await barePool.close();
await nc.drain();
sinkServer.stop();
await nats.stop();
console.log(JSON.stringify(figures));
