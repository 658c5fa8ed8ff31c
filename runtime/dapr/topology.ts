// A set of resources run the way a cluster runs it, on the real Dapr runtime (`ofn-events dev --runtime dapr`, and
// the harness of the tests that prove our cluster claims): the controller's plan renders the Functions, and each
// runs as OpenFunction runs it — its package plus a daprd sidecar loaded with its components (./sidecar.ts) — on the
// brokers the set points to. What the cluster install does besides is done here too: a JetStream bus's stream is
// created (Dapr never creates one), and sinks given as refs map to URLs or to the event display.
// Where a loopback broker the set names is not running, a private one is started on its port (nats-server,
// redis-server, mosquitto; Kafka when `npm run peers` fetched it).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventBusSpec, EventSource, Resource, Sink, Trigger } from '../../lib/api/index.js';
import { namespaceOf } from '../../lib/api/index.js';
import { ensureStream } from '../../lib/io/jetstream-streams.js';
import { planAll, worldOf } from '../../functions/controller/plan/index.js';
import { streamsNeeded } from '../../functions/controller/plan/streams.js';
import { startBroker, type Broker, type BrokerKind } from '../brokers.js';
import { startDisplayServer, type DisplayServer } from '../display-server.js';
import { canConnect } from '../processes.js';
import { countersFromMetrics, metricKeysOf, newCounters, type Counters, type MetricKeys } from '../counters.js';
import { launchOf, randomSuffix } from './openfunction.js';
import { startFunction, type PackageCommand, type RunningFunction } from './sidecar.js';

export interface DaprTopologyOptions {
  daprd: string;
  packageCommand(handler: 'eventsource-handler' | 'trigger-handler'): PackageCommand;
  /** Sink ref name → URL, or "display". */
  sinks?: ReadonlyMap<string, string>;
  display(text: string): void;
  /** Start private brokers for loopback URLs nobody listens on (default true). */
  startBrokers?: boolean;
  daprLogLevel?: string;
  onLine?(fn: string, source: 'app' | 'daprd', line: string): void;
  random?: () => number;
  /** Dapr API tokens for every sidecar and app (runtime/dapr/sidecar.ts). */
  apiTokens?: { app: string; dapr: string };
}

export interface DaprTopology {
  notes: string[];
  functions: RunningFunction[];
  /** What flowed, read from the functions' metrics (refresh() updates it). */
  counters: Counters;
  refresh(): Promise<void>;
  stop(): Promise<void>;
}

/** Each sink given as a ref becomes a `uri`: the mapped URL or a display sink. */
function withSinkUrls(resources: readonly Resource[], urlFor: (sink: Sink, label: string) => string | undefined): Resource[] {
  const map = (sink: Sink | undefined, label: string): Sink | undefined => {
    if (!sink || sink.uri) return sink;
    const url = urlFor(sink, label);
    return url ? { uri: url } : sink;
  };
  return resources.map((r) => {
    const ns = namespaceOf(r);
    if (r.kind === 'EventSource') return { ...r, spec: { ...r.spec, ...(r.spec.sink ? { sink: map(r.spec.sink, `EventSource/${ns}/${r.metadata.name}`) } : {}) } } as EventSource;
    if (r.kind === 'Trigger') {
      return {
        ...r,
        spec: {
          ...r.spec,
          subscribers: r.spec.subscribers.map((s, i) => ({
            ...s,
            ...(s.sink ? { sink: map(s.sink, `Trigger/${ns}/${r.metadata.name} subscriber ${i}`) } : {}),
            ...(s.deadLetterSink ? { deadLetterSink: map(s.deadLetterSink, `Trigger/${ns}/${r.metadata.name} subscriber ${i} dead letter`) } : {}),
          })),
        },
      } as Trigger;
    }
    return r;
  });
}

interface Endpoint {
  kind: BrokerKind;
  host: string;
  port: number;
  what: string;
}

function endpointsOf(resources: readonly Resource[]): Endpoint[] {
  const found: Endpoint[] = [];
  const add = (kind: BrokerKind, address: string | undefined, what: string, defaultPort: number) => {
    if (!address) return;
    for (const one of address.split(',')) {
      const m = /^(?:[a-z]+:\/\/)?([^:/]+)(?::(\d+))?/.exec(one.trim());
      if (m) found.push({ kind, host: m[1]!, port: Number(m[2] ?? defaultPort), what });
    }
  };
  for (const r of resources) {
    const label = `${r.kind} ${r.metadata.name}`;
    if (r.kind === 'EventBus' || r.kind === 'ClusterEventBus') {
      const spec = r.spec as EventBusSpec;
      add('nats', spec.jetstream?.natsURL, label, 4222);
      add('redis', spec.redis?.redisHost, label, 6379);
      add('kafka', spec.kafka?.brokers, label, 9092);
    }
    if (r.kind === 'EventSource') {
      for (const m of Object.values(r.spec.mqtt ?? {})) add('mosquitto', m.url, label, 1883);
      for (const m of Object.values(r.spec.redis ?? {})) add('redis', m.redisHost, label, 6379);
      for (const m of Object.values(r.spec.kafka ?? {})) add('kafka', m.brokers, label, 9092);
    }
  }
  return found;
}

export async function startDaprTopology(resources: readonly Resource[], options: DaprTopologyOptions): Promise<DaprTopology> {
  const notes: string[] = [];
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    let display: DisplayServer | undefined;
    const displaySink = async () => {
      if (!display) {
        display = await startDisplayServer(options.display);
        stops.push(() => display!.close());
      }
      return display;
    };
    // Sinks first: a ref needs a cluster to resolve, so it maps to --sink or the display.
    const shown: string[] = [];
    const mapped = withSinkUrls(resources, (sink, label) => {
      const url = sink.ref ? options.sinks?.get(sink.ref.name) : undefined;
      if (url && url !== 'display') return url;
      if (!url) notes.push(`${label}: sink ${sink.ref?.kind ?? 'Service'}/${sink.ref?.name} needs a cluster to resolve; printing to the console (map it with --sink ${sink.ref?.name}=<url>)`);
      shown.push(label);
      return `display:${shown.length - 1}`;
    });
    if (shown.length > 0) {
      const server = await displaySink();
      const urls = shown.map((label) => server.sink(label));
      for (const r of mapped) replaceDisplayUrls(r, urls);
    }

    // This machine is the "pod": sinks on loopback are the user's own services here, not a sidecar to protect.
    const plans = planAll(mapped, { ...worldOf(mapped), allowPrivateSinks: true });
    const problems = plans.flatMap((p) => p.problems.map((problem) => `${p.resource.kind}/${p.resource.metadata.name}: ${problem.reason}: ${problem.message}`));
    if (problems.length > 0) throw new Error(`the set cannot run:\n  ${problems.join('\n  ')}`);
    for (const r of mapped) {
      if ((r.kind === 'EventBus' || r.kind === 'ClusterEventBus') && (r.spec as EventBusSpec).natsStreaming) {
        throw new Error(`${r.kind}/${r.metadata.name}: natsStreaming: Dapr removed pubsub.natsstreaming in 1.13; use a jetstream bus`);
      }
    }

    if (options.startBrokers !== false) {
      const started = new Map<string, Broker>();
      for (const e of endpointsOf(mapped)) {
        const key = `${e.host}:${e.port}`;
        if (started.has(key) || !['127.0.0.1', 'localhost'].includes(e.host) || (await canConnect(e.port))) continue;
        try {
          const broker = await startBroker(e.kind, e.port);
          started.set(key, broker);
          stops.push(() => broker.stop());
          notes.push(`${e.what}: nothing listened on ${key}; started a private ${e.kind === 'mosquitto' ? 'mosquitto' : e.kind} there for this run`);
        } catch (err) {
          notes.push(`${e.what}: nothing listens on ${key} and no ${e.kind} could be started (${(err as Error).message.split('\n')[0]})`);
        }
      }
    }

    const functions = plans.flatMap((p) => p.functions.map((fn) => ({ fn, resource: p.resource })));
    // As the controller does in a cluster: Dapr never creates a JetStream stream.
    for (const s of streamsNeeded(functions.map((f) => f.fn))) {
      await ensureStream({ url: s.url, ...(s.token ? { token: s.token } : {}) }, s.stream, s.topics);
      notes.push(`JetStream at ${s.url}: stream ${s.stream} captures ${s.topics.join(', ')}`);
    }

    const workDir = mkdtempSync(join(tmpdir(), 'ofn-events-dapr-'));
    stops.push(async () => rmSync(workDir, { recursive: true, force: true }));
    const random = options.random ?? Math.random;
    // Triggers first, so that their subscriptions exist before the sources publish.
    const ordered = [...functions].sort((a, b) => Number(b.resource.kind === 'Trigger') - Number(a.resource.kind === 'Trigger'));
    const running: RunningFunction[] = [];
    const keys = new Map<RunningFunction, MetricKeys>();
    const results = await Promise.allSettled(
      ordered.map(async ({ fn, resource }) => {
        const launch = launchOf(fn, () => randomSuffix(random));
        const started = await startFunction(launch, {
          daprd: options.daprd,
          packageCommand: options.packageCommand,
          workDir,
          ...(options.daprLogLevel ? { daprLogLevel: options.daprLogLevel } : {}),
          ...(options.apiTokens ? { apiTokens: options.apiTokens } : {}),
          ...(options.onLine ? { onLine: (source, line) => options.onLine!(fn.metadata.name, source, line) } : {}),
        });
        running.push(started);
        keys.set(started, metricKeysOf(resource));
        stops.push(() => started.stop());
      }),
    );
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length > 0) throw new Error(failed.map((f) => (f.reason as Error).message).join('\n'));

    const counters: Counters = newCounters();
    return {
      notes,
      functions: running,
      counters,
      async refresh() {
        const fresh = await countersFromMetrics(running.map((r) => ({ url: `${r.appUrl}/metrics`, keys: keys.get(r)! })));
        for (const kind of ['in', 'out', 'failed'] as const) for (const [k, v] of fresh[kind]) counters[kind].set(k, v);
      },
      stop: stopAll,
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}

function replaceDisplayUrls(resource: Resource, urls: string[]): void {
  const fix = (sink: Sink | undefined) => {
    const m = sink?.uri ? /^display:(\d+)$/.exec(sink.uri) : null;
    if (sink && m) sink.uri = urls[Number(m[1])]!;
  };
  if (resource.kind === 'EventSource') fix(resource.spec.sink);
  if (resource.kind === 'Trigger') {
    for (const s of resource.spec.subscribers) {
      fix(s.sink);
      fix(s.deadLetterSink);
    }
  }
}
