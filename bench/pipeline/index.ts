// bench/pipeline: `ofn-events dev` (MQTT source → eventsource-handler → JetStream → trigger-handler → HTTP sink),
// run as users run it — the CLI, in its own process, on a YAML file — next to a minimal hand-written pipeline doing
// the same hops with the same clients (bench/pipeline/bare.ts, also its own process), in one run on private
// brokers. This process is the producer and the sink: events carry their publish time (a monotonic clock shared
// by the machine's processes) and the sink measures end-to-end latency. One pipeline is loaded at a time.
// PIPELINE_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/p") is passed to both pipelines’ node, for profiling.
// Goals (issue): p50 ≤ 1.5× and p99 ≤ 2× the hand-written pipeline at 1,000 events/s; the highest rate held (no
// growing backlog, p99 ≤ 50 ms) ≥ 0.8× its.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { startBroker } from '../../test/support/brokers.js';
import { fmt, machine, median, processCpuMicros, spread, startJsonSink, table } from '../support/report.js';

const SECONDS = Number(process.env.SECONDS_PER_RATE ?? 3);
const PAIRS_AT_1K = Math.max(1, Number(process.env.PAIRS ?? 5)); // interleaved pairs at 1,000/s for the latency ratios
const RATES = (process.env.RATES ?? '500,1000,1500,2000,2500,3000,4000').split(',').map(Number); // must include 1,000/s: the latency figures
const pad = 'x'.repeat(900);
const here = dirname(fileURLToPath(import.meta.url));

const nats = await startBroker('nats');
const mosquitto = await startBroker('mosquitto');

// The sink: one server for both pipelines, recording latency per run.
const latencies = new Map<string, number[]>();
const sink = await startJsonSink<{ sentAt: string; run: string }>((body, arrivedAt) => latencies.get(body.run)?.push(Number(arrivedAt - BigInt(body.sentAt)) / 1e6));
const sinkUrl = sink.url;

const outputs = new Map<ChildProcess, string>();

/** Starts a child process and resolves once a line of its output matches `ready`. */
function start(args: string[], ready: RegExp): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...(process.env.PIPELINE_NODE_ARGS?.split(' ').filter(Boolean) ?? []), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const check = (chunk: Buffer) => {
      output += chunk.toString();
      outputs.set(child, output);
      if (ready.test(output)) resolve(child);
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code} before it was ready:\n${output}`)));
  });
}

/** CPU seconds a child has used so far. */
const cpuSeconds = (child: ChildProcess): number => processCpuMicros(child.pid) / 1e6;

// A: the framework, as `ofn-events dev` runs it.
const dir = mkdtempSync(join(tmpdir(), 'ofn-events-bench-'));
writeFileSync(join(dir, 'pipeline.yaml'), [
  { kind: 'EventBus', name: 'default', spec: { jetstream: { natsURL: nats.url, streamName: 'PIPE_DEV', maxAckPending: 256 } } },
  { kind: 'EventSource', name: 'in', spec: { eventBus: 'default', mqtt: { events: { url: mosquitto.url, topic: 'bench/dev', qos: 1 } } } },
  { kind: 'Trigger', name: 'out', spec: { eventBus: 'default', inputs: { events: { eventSource: 'in', event: 'events' } }, subscribers: [{ condition: 'events', sink: { uri: sinkUrl } }] } },
].map((d) => JSON.stringify({ apiVersion: 'events.openfunction.io/v1alpha1', kind: d.kind, metadata: { name: d.name }, spec: d.spec })).join('\n---\n'));
const dev = await start([join(here, '..', '..', 'cli', 'main.js'), 'dev', '-f', join(dir, 'pipeline.yaml')], /running \d+ resources/);

// B: the hand-written pipeline.
const bare = await start([join(here, 'bare.js'), nats.url, mosquitto.url, 'bench/bare', sinkUrl], /^ready$/m);

const producer = await mqtt.connectAsync(mosquitto.url, { clientId: 'producer' });
let runs = 0;

/** Publishes `rate` events/s for SECONDS to the pipeline's topic; returns what arrived, its latency, and CPU. */
async function trial(pipeline: ChildProcess, topic: string, rate: number, drainMs = 2000): Promise<{ sent: number; got: number; p50: number; p99: number; cpuMicros: number }> {
  const run = `r${++runs}`;
  const cpu0 = cpuSeconds(pipeline);
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
  return { cpuMicros: ((cpuSeconds(pipeline) - cpu0) * 1e6) / Math.max(1, samples.length), sent: total, got: samples.length, p50: sorted[Math.floor(sorted.length * 0.5)] ?? Infinity, p99: sorted[Math.floor(sorted.length * 0.99)] ?? Infinity };
}

const held = (r: { sent: number; got: number; p99: number }) => r.got >= r.sent * 0.99 && r.p99 <= 50;
// Warm-up (connections, streams, JIT), drained completely before anything is measured.
await trial(dev, 'bench/dev', 200, 15_000);
await trial(bare, 'bench/bare', 200, 15_000);
const sustained = { dev: 0, bare: 0 };
let at1k: { dev: Awaited<ReturnType<typeof trial>>; bare: Awaited<ReturnType<typeof trial>> } | undefined;
// CPU per event is the pipeline process's own (producer and sink are this process).
const rows = [['rate/s', 'dev: got / sent', 'p50 / p99 ms', 'cpu µs/event', 'hand-written: got / sent', 'p50 / p99 ms', 'cpu µs/event']];
for (const rate of RATES) {
  const [a, b] = [await trial(dev, 'bench/dev', rate), await trial(bare, 'bench/bare', rate)];
  if (rate === 1000) at1k = { dev: a, bare: b };
  if (held(a)) sustained.dev = rate;
  if (held(b)) sustained.bare = rate;
  rows.push([String(rate), `${a.got} / ${a.sent}`, `${fmt(a.p50)} / ${fmt(a.p99)}`, fmt(a.cpuMicros), `${b.got} / ${b.sent}`, `${fmt(b.p50)} / ${fmt(b.p99)}`, fmt(b.cpuMicros)]);
  await new Promise((r) => setTimeout(r, 1000)); // let any backlog drain before the next rate
}

if (!at1k) throw new Error('RATES must include 1000');
// The latency ratios over pairs at 1,000/s, alternating which pipeline goes first: the sweep's pair, then more.
const pairs = [at1k];
for (let i = 1; i < PAIRS_AT_1K; i++) {
  if (i % 2 === 1) {
    const b = await trial(bare, 'bench/bare', 1000);
    pairs.push({ dev: await trial(dev, 'bench/dev', 1000), bare: b });
  } else {
    const a = await trial(dev, 'bench/dev', 1000);
    pairs.push({ dev: a, bare: await trial(bare, 'bench/bare', 1000) });
  }
}
const p50Ratios = pairs.map((p) => p.dev.p50 / p.bare.p50);
const p99Ratios = pairs.map((p) => p.dev.p99 / p.bare.p99);
const cpuRatios = pairs.map((p) => p.dev.cpuMicros / p.bare.cpuMicros);

console.log(`bench/pipeline — ${machine()}, ${SECONDS} s per rate, ~1 KiB JSON events, MQTT QoS 1 → JetStream → trigger → HTTP\n`);
console.log(`at 1,000/s over ${pairs.length} interleaved pairs (median, min–max): dev ÷ hand-written p50 ${fmt(median(p50Ratios))}× (${spread(p50Ratios)}), goal ≤ 1.5×; p99 ${fmt(median(p99Ratios))}× (${spread(p99Ratios)}), goal ≤ 2×; CPU per event ${fmt(median(cpuRatios))}× (${spread(cpuRatios)})`);
console.log(`  dev p50 ${pairs.map((p) => fmt(p.dev.p50)).join(', ')} ms, p99 ${pairs.map((p) => fmt(p.dev.p99)).join(', ')} ms; hand-written p50 ${pairs.map((p) => fmt(p.bare.p50)).join(', ')} ms, p99 ${pairs.map((p) => fmt(p.bare.p99)).join(', ')} ms\n`);
console.log(table(rows));
console.log(`\nhighest rate held (≥ 99 % through within 2 s, p99 ≤ 50 ms): dev ${sustained.dev}/s, hand-written ${sustained.bare}/s`);
const figures = {
  pairsAt1k: pairs.length,
  p50Ratio: Number(median(p50Ratios).toFixed(2)),
  p99Ratio: Number(median(p99Ratios).toFixed(2)),
  p50RatioSpread: [Number(Math.min(...p50Ratios).toFixed(2)), Number(Math.max(...p50Ratios).toFixed(2))],
  p99RatioSpread: [Number(Math.min(...p99Ratios).toFixed(2)), Number(Math.max(...p99Ratios).toFixed(2))],
  cpuRatio: Number(median(cpuRatios).toFixed(2)),
  sustainedRatio: sustained.bare > 0 ? Number((sustained.dev / sustained.bare).toFixed(2)) : null,
  devP50Ms: Number(median(pairs.map((p) => p.dev.p50)).toFixed(3)),
  devP99Ms: Number(median(pairs.map((p) => p.dev.p99)).toFixed(3)),
  devSustainedPerSec: sustained.dev,
  bareSustainedPerSec: sustained.bare,
};
await producer.endAsync();
// dev drains on SIGINT (Ctrl-C) and exits 0; the hand-written pipeline on SIGTERM.
await Promise.all([[dev, 'SIGINT'], [bare, 'SIGTERM']].map(([child, signal]) => new Promise((r) => (child as ChildProcess).once('exit', r).kill(signal as NodeJS.Signals))));
sink.close();
// What dev itself counted (its closing summary): failed attempts would explain latency.
console.log(`\ndev's own account:\n${(outputs.get(dev) ?? '').split('draining…')[1]?.trim() ?? '(none)'}`);
await nats.stop();
await mosquitto.stop();
console.log(JSON.stringify(figures));
process.exit(0);
