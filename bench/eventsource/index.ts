// bench/eventsource: the eventsource-handler's two paths, each next to the best bare loop with the same client,
// interleaved A/B in one run on one nats-server (method: shared/research/perf-anchors C3).
//   bus:  synthetic 1 KiB source events → handler → CloudEvent → JetStream (acknowledged)
//         vs a bare pipelined, acknowledged publisher of the same bytes (reply inbox + one wildcard subscription)
//   sink: the same events → handler → binary-mode CloudEvent → HTTP sink (keep-alive pool)
//         vs bare keep-alive POSTs of the same bytes with the same pool settings
// Each path also runs a second bare loop that sends what the handler puts on the wire — its CloudEvent envelopes
// (bus) or ce-* headers (sink), built once beforehand — so the report tells the cost of the larger messages apart
// from the handler's own CPU; and a third, the least any CloudEvents forwarder must do per event: check that the
// payload is JSON (it goes into the envelope as JSON, or to the sink labelled so), write its attributes with a fresh
// id and time around it, and send — without the function contract, retries or failure handling. The goals stay on
// the first comparison; the third says how much of the gap to it no forwarder can close.
// Goals (issue): ratioToBare ≥ 0.8, sinkRatioToBare ≥ 0.9.
import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { Pool } from 'undici';
import { createEventSourceHandler } from '../../functions/eventsource-handler/index.js';
import { encodeBinary, encodeStructured, identityOf, toCloudEvent } from '../../lib/cloudevents.js';
import { checkJson, jsonString, MAX_JSON_DEPTH } from '../../lib/json.js';
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

// The least forwarder: its JSON check and its attributes, time text reused within a millisecond as the handler's is.
let lastMs = 0;
let lastTime = '';
const minimal = (id: string) => {
  if (checkJson(payload, MAX_JSON_DEPTH) === 'not-json' || !isUtf8(payload)) throw new Error('not JSON');
  const now = Date.now();
  if (now !== lastMs) [lastMs, lastTime] = [now, new Date(now).toISOString()];
  return { id, time: lastTime, subject: `partition:0#${id}` };
};
const [sourceJson, typeJson] = [JSON.stringify(sample.source), JSON.stringify(sample.type)];
const minimalEnvelope = (id: string): Buffer => {
  const a = minimal(id);
  const head = `{"specversion":"1.0","id":${jsonString(a.id)},"source":${sourceJson},"type":${typeJson},"time":"${a.time}","subject":${jsonString(a.subject)},"datacontenttype":"application/json","data":`;
  const out = Buffer.allocUnsafe(head.length + payload.length + 1);
  out.write(head, 0, 'latin1'); // every attribute here is ASCII
  payload.copy(out, head.length);
  out[out.length - 1] = 0x7d;
  return out;
};
const minimalHeaders = (id: string): string[] => {
  const a = minimal(id);
  return ['ce-specversion', '1.0', 'ce-id', a.id, 'ce-source', sample.source, 'ce-type', sample.type, 'ce-time', a.time, 'ce-subject', a.subject, 'content-type', 'application/json'];
};

let offset = 0;
const trials = {
  bareBus: () => measure(BUS_EVENTS, () => windowed(BUS_EVENTS, BUS_WINDOW, (i) => barePublisher.publish(`bare.e`, payload, `bare-${offset}-${i}`))),
  wireBus: () => measure(BUS_EVENTS, () => windowed(BUS_EVENTS, BUS_WINDOW, () => barePublisher.publish('bare.e', envelope, `default-bench-e/${identityOf({ source: sample.source, id: `orders-0-${++offset}` })}`))),
  minimalBus: () =>
    measure(BUS_EVENTS, () =>
      windowed(BUS_EVENTS, BUS_WINDOW, () => {
        const id = `orders-0-${++offset}`;
        return barePublisher.publish('bare.e', minimalEnvelope(id), `default-bench-e/${sample.source}\u0000${id}`);
      }),
    ),
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
  minimalSink: () =>
    measure(SINK_EVENTS, () =>
      windowed(SINK_EVENTS, SINK_WINDOW, async () => {
        const r = await barePool.request({ method: 'POST', path: '/', body, headers: minimalHeaders(`orders-0-${++offset}`) });
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

const results: Record<keyof typeof trials, Array<{ rate: number; cpuMicros: number }>> = { bareBus: [], wireBus: [], minimalBus: [], handlerBus: [], bareSink: [], wireSink: [], minimalSink: [], handlerSink: [] };
for (let pair = 0; pair < PAIRS; pair++) {
  // A/B order alternates, so neither side always runs on a warmer (or fuller) server.
  const order: Array<keyof typeof trials> =
    pair % 2 === 0 ? ['bareBus', 'wireBus', 'minimalBus', 'handlerBus', 'bareSink', 'wireSink', 'minimalSink', 'handlerSink'] : ['handlerBus', 'minimalBus', 'wireBus', 'bareBus', 'handlerSink', 'minimalSink', 'wireSink', 'bareSink'];
  for (const name of order) results[name].push(await trials[name]());
}

const ratios = (a: keyof typeof trials, b: keyof typeof trials) => results[a].map((r, i) => r.rate / results[b][i]!.rate);
const busRatios = ratios('handlerBus', 'bareBus');
const sinkRatios = ratios('handlerSink', 'bareSink');
const busWireRatios = ratios('handlerBus', 'wireBus');
const sinkWireRatios = ratios('handlerSink', 'wireSink');
const busMinimalRatios = ratios('handlerBus', 'minimalBus');
const sinkMinimalRatios = ratios('handlerSink', 'minimalSink');
const busFloorRatios = ratios('minimalBus', 'bareBus');
const sinkFloorRatios = ratios('minimalSink', 'bareSink');
const row = (label: string, name: keyof typeof trials) => [label, `${fmt(median(results[name].map((r) => r.rate)))}/s`, spread(results[name].map((r) => r.rate)), fmt(median(results[name].map((r) => r.cpuMicros)))];

console.log(`bench/eventsource — ${machine()}, ${PAIRS} interleaved pairs, 1 KiB events, bus window ${BUS_WINDOW}, sink connections ${SINK_WINDOW}\n`);
console.log(table([
  ['path', 'median rate', 'spread', 'CPU µs/event'],
  row('bus: bare pipelined publish', 'bareBus'),
  row('bus: bare, the handler\'s envelopes', 'wireBus'),
  row('bus: the least CloudEvents forwarder', 'minimalBus'),
  row('bus: eventsource-handler', 'handlerBus'),
  row('sink: bare keep-alive POST', 'bareSink'),
  row('sink: bare, with ce-* headers', 'wireSink'),
  row('sink: the least CloudEvents forwarder', 'minimalSink'),
  row('sink: eventsource-handler', 'handlerSink'),
]));
console.log(`\nratio to bare (median, min–max): bus ${median(busRatios).toFixed(2)} (${spread(busRatios)}), goal ≥ 0.8; sink ${median(sinkRatios).toFixed(2)} (${spread(sinkRatios)}), goal ≥ 0.9`);
console.log(`ratio to the bare loops sending the handler's own messages: bus ${median(busWireRatios).toFixed(2)} (${spread(busWireRatios)}); sink ${median(sinkWireRatios).toFixed(2)} (${spread(sinkWireRatios)})`);
console.log(`the least CloudEvents forwarder ÷ bare: bus ${median(busFloorRatios).toFixed(2)} (${spread(busFloorRatios)}); sink ${median(sinkFloorRatios).toFixed(2)} (${spread(sinkFloorRatios)}); the handler ÷ it: bus ${median(busMinimalRatios).toFixed(2)} (${spread(busMinimalRatios)}); sink ${median(sinkMinimalRatios).toFixed(2)} (${spread(sinkMinimalRatios)})`);

const figures = {
  ratioToBare: Number(median(busRatios).toFixed(3)),
  sinkRatioToBare: Number(median(sinkRatios).toFixed(3)),
  ratioToWire: Number(median(busWireRatios).toFixed(3)),
  sinkRatioToWire: Number(median(sinkWireRatios).toFixed(3)),
  minimalRatioToBare: Number(median(busFloorRatios).toFixed(3)),
  sinkMinimalRatioToBare: Number(median(sinkFloorRatios).toFixed(3)),
  ratioToMinimal: Number(median(busMinimalRatios).toFixed(3)),
  sinkRatioToMinimal: Number(median(sinkMinimalRatios).toFixed(3)),
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
