// A whole set of resources on one machine (`ofn-events dev`): every EventSource event and every Trigger, with the
// same handlers as in a cluster, on the local adapters. Buses: the resources' own (real brokers) when reachable,
// else the in-memory bus, saying which and why; `bus: 'memory'` or a NATS URL overrides. Sinks: `uri` as given;
// a `ref` (which needs a cluster to resolve) maps through `sinks` or goes to the display.
import { randomUUID } from 'node:crypto';
import type { EventSource, Resource, Sink, Trigger } from '../../lib/api/index.js';
import { busSpecIn, namespaceOf } from '../../lib/api/index.js';
import { planTriggerHandler } from '../../lib/config/plan-trigger.js';
import type { AsyncFunction, Logger } from '../../lib/function.js';
import { busTopic, eventSourceBusOutputName, eventSourceSinkOutputName, SOURCE_KINDS, triggerBusConsumerId, type SourceKind } from '../../lib/naming.js';
import { createEventSourceHandler } from '../../functions/eventsource-handler/index.js';
import { createTriggerHandler } from '../../functions/trigger-handler/index.js';
import { displaySink } from '../../lib/local/display.js';
import { busOutput, runEventSource } from '../../lib/local/eventsource.js';
import { retryPolicyOf } from '../../lib/delivery.js';
import { connectBus, connectJetStream, createMemoryBus, httpSink, plain, sourceFor } from '../../lib/local/index.js';
import { runTrigger } from '../../lib/local/trigger.js';
import { MemoryStateStore, type StateStore } from '../../lib/state/index.js';
import { connectRedisStateStore } from '../../lib/state/redis.js';
import { startTriggerThread, threadsAvailable, TopologyError } from './thread.js';
import type { Scheduler } from '../../lib/local/cron.js';
import type { Bus, Output } from '../../lib/local/types.js';
import { identityOf, isEvent } from '../../lib/cloudevents.js';
import { newCounters, type Counters } from '../counters.js';

export interface TopologyOptions {
  bus?: 'memory' | string;
  /** Sink name (a ref's name) → URL, or "display". */
  sinks?: ReadonlyMap<string, string>;
  display(text: string): void;
  log: Logger;
  /** How long to wait for a bus broker before falling back to memory. */
  connectTimeoutMs?: number;
  /** Triggers on a broker-backed bus each on a worker thread (default true; runtime/local/thread.ts). */
  threads?: boolean;
  /** One bus for every resource, owned by the caller (never closed here): tests that watch the bus themselves. */
  busInstance?: Bus;
  /** When cron ticks (default: the clock); tests fire ticks by hand. */
  scheduler?: Scheduler;
  /** How handlers wait between retries (default: real time). */
  sleep?: (ms: number) => Promise<void>;
}

export type { Counters };

export interface Topology {
  notes: string[];
  counters: Counters;
  /** Resources not running (yet): a source whose broker is unreachable, retried meanwhile, with the reason. */
  waiting(): Map<string, string>;
  stop(): Promise<void>;
}

/** Said once per output and distinct reason, and again at most every `everyMs` with how many more there were. */
export class FailureReporter {
  private readonly seen = new Map<string, { at: number; more: number }>();
  constructor(private readonly say: (line: string) => void, private readonly now: () => number, private readonly everyMs = 10_000) {}

  report(key: string, reason: string): void {
    // Counts and ids vary between attempts of one failure; the reason without them is what is new or not.
    const id = `${key}\u0000${reason.replace(/\d+/g, '#')}`;
    const last = this.seen.get(id);
    if (!last) {
      this.seen.set(id, { at: this.now(), more: 0 });
      return this.say(`${key}: delivery failed: ${reason}`);
    }
    last.more++;
    if (this.now() - last.at >= this.everyMs) {
      this.say(`${key}: delivery failed: ${reason} (${last.more} more like it)`);
      this.seen.set(id, { at: this.now(), more: 0 });
    }
  }
}

const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);

/** Identities remembered per output or input, for redeliveries and undelivered events. */
const REMEMBERED = 10_000;

/** A set that forgets its oldest members beyond `limit`. */
class BoundedSet {
  private readonly items = new Set<string>();
  constructor(private readonly limit: number) {}
  has = (item: string) => this.items.has(item);
  values = () => this.items.values();
  add(item: string) {
    this.items.add(item);
    if (this.items.size > this.limit) this.items.delete(this.items.values().next().value as string);
  }
}

/** The suffix of a subscriber's dead-letter output key. */
export const DEAD_LETTER = ' dead letter';

function timeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms).unref())]);
}

export async function startTopology(resources: readonly Resource[], options: TopologyOptions): Promise<Topology> {
  const notes: string[] = [];
  const counters: Counters = newCounters();
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const failures = new FailureReporter((line) => options.log.warn({}, line), Date.now);
  const waiting = new Map<string, string>();
  // Per output key, identities that failed there, and of those, the ones delivered later (there or to the dead
  // letter): what is still undelivered. Only failures are remembered, at most REMEMBERED per output, so a long run
  // that delivers everything holds nothing.
  const outcomes = new Map<string, { failed: BoundedSet; delivered: Set<string> }>();
  const outcomeOf = (key: string) => outcomes.get(key) ?? outcomes.set(key, { failed: new BoundedSet(REMEMBERED), delivered: new Set() }).get(key)!;
  const baseOf = (key: string) => (key.endsWith(DEAD_LETTER) ? key.slice(0, -DEAD_LETTER.length) : key);
  const recount = (key: string) => {
    const own = outcomeOf(baseOf(key));
    let lost = 0;
    for (const id of own.failed.values()) if (!own.delivered.has(id)) lost++;
    counters.undelivered.set(baseOf(key), lost);
  };
  const seenIn = new Map<string, BoundedSet>();
  /** Counts a message in, telling a redelivery (an identity seen recently) from a new event. */
  const countIn = (key: string, identity: string | undefined) => {
    bump(counters.in, key);
    if (identity === undefined) return;
    const seen = seenIn.get(key) ?? seenIn.set(key, new BoundedSet(REMEMBERED)).get(key)!;
    if (seen.has(identity)) bump(counters.redelivered, key);
    else seen.add(identity);
  };

  const stops: Array<() => Promise<void>> = [];
  const memory = createMemoryBus();
  const buses = new Map<string, Bus>();


  async function busFor(ns: string, name: string): Promise<Bus> {
    const key = `${ns}/${name}`;
    const known = buses.get(key);
    if (known) return known;
    let bus: Bus = memory;
    if (options.busInstance) bus = options.busInstance;
    else if (options.bus === 'memory') {
      if (buses.size === 0) notes.push('bus: in memory (--bus memory)');
    } else if (options.bus) {
      bus = [...buses.values()].find((b) => b !== memory) ?? (await connectJetStream({ url: options.bus }));
      notes.push(`bus ${key}: NATS JetStream at ${options.bus} (--bus)`);
    } else {
      const spec = busSpecIn(resources, ns, name);
      if (!spec) notes.push(`bus ${key}: not in the files; using the in-memory bus`);
      else {
        try {
          bus = await timeout(connectBus(spec, 'spec', (w) => notes.push(`bus ${key}: ${w}`)), options.connectTimeoutMs ?? 3000, 'connect');
          notes.push(`bus ${key}: ${bus.kind} (reachable)`);
        } catch (e) {
          notes.push(`bus ${key}: unreachable (${(e as Error).message.split('\n')[0]}); using the in-memory bus`);
        }
      }
    }
    buses.set(key, bus);
    return bus;
  }

  /** `timeoutMs`: a subscriber's delivery.timeout, bounding each request (as the sink component's responseTimeout does under Dapr). */
  function sinkOutput(sink: Sink, label: string, timeoutMs?: number): Output {
    const limits = timeoutMs === undefined ? {} : { timeoutMs };
    // --sink <uri>=<url> redirects a uri sink too (a cluster address that means nothing on this machine).
    const redirected = sink.uri ? options.sinks?.get(sink.uri) : undefined;
    if (redirected === 'display') return displaySink(label, options.display);
    if (sink.uri) {
      const client = httpSink(redirected ?? sink.uri, limits);
      stops.push(() => client.close());
      return client;
    }
    const mapped = sink.ref ? options.sinks?.get(sink.ref.name) : undefined;
    if (mapped && mapped !== 'display') {
      const client = httpSink(mapped, limits);
      stops.push(() => client.close());
      return client;
    }
    if (!mapped) notes.push(`${label}: sink ${sink.ref?.kind}/${sink.ref?.name} needs a cluster to resolve; printing to the console (map it with --sink ${sink.ref?.name}=<url>)`);
    return displaySink(label, options.display);
  }

  const counted = (output: Output, key: string): Output => ({
    async send(data) {
      // The identity is needed only where something failed: a run that delivers everything computes none.
      const idOf = () => (isEvent(data) ? identityOf(data) : undefined);
      try {
        await output.send(data);
        bump(counters.out, key);
        const own = outcomes.get(baseOf(key));
        const id = own ? idOf() : undefined;
        if (own && id !== undefined && own.failed.has(id)) {
          own.delivered.add(id);
          recount(key);
        }
      } catch (e) {
        bump(counters.failed, key);
        const id = idOf();
        if (id !== undefined && !key.endsWith(DEAD_LETTER)) {
          outcomeOf(key).failed.add(id);
          recount(key);
        }
        failures.report(key, (e as Error).message);
        throw e;
      }
    },
  });

  /** Starts `start` again with backoff until it runs or the topology stops; returns the stop. */
  function retryStart(key: string, start: () => Promise<{ stop(): Promise<void> }>): () => Promise<void> {
    let stopped = false;
    let running: { stop(): Promise<void> } | undefined;
    let timer: NodeJS.Timeout | undefined;
    const attempt = (n: number) => {
      timer = setTimeout(() => {
        void start().then(
          (r) => {
            if (stopped) return void r.stop();
            running = r;
            waiting.delete(key);
            options.log.warn({}, `${key}: running now (after ${n} retries)`);
          },
          (e: Error) => {
            waiting.set(key, e.message.split('\n')[0]!);
            if (!stopped) attempt(n + 1);
          },
        );
      }, Math.min(30_000, 500 * 2 ** Math.min(n, 6)));
    };
    attempt(1);
    return async () => {
      stopped = true;
      clearTimeout(timer);
      await running?.stop();
    };
  }

  const stopAll = async () => {
    // Sources first (nothing new comes in), then triggers and clients, then buses.
    for (const stop of stops) await stop().catch(() => undefined);
    for (const bus of new Set(buses.values())) if (bus !== options.busInstance) await bus.close().catch(() => undefined);
    await memory.close();
  };

  // A resource that cannot start stops what already runs before the error goes up.
  try {
    for (const es of resources.filter((r): r is EventSource => r.kind === 'EventSource')) {
      const ns = namespaceOf(es);
      const name = es.metadata.name;
      const bus = es.spec.eventBus ? await busFor(ns, es.spec.eventBus) : undefined;
      for (const kind of SOURCE_KINDS) {
        for (const event of Object.keys(es.spec[kind] ?? {})) {
          const key = `EventSource/${ns}/${name}/${event}`;
          const outputs: Record<string, Output> = {};
          if (bus) outputs[eventSourceBusOutputName(name)] = counted(busOutput(bus, busTopic(ns, name, event)), `${key} → bus`);
          if (es.spec.sink) outputs[eventSourceSinkOutputName(name)] = counted(sinkOutput(es.spec.sink, key), `${key} → sink`);
          const fn = createEventSourceHandler(
            { namespace: ns, eventSource: name, event, sourceKind: kind as SourceKind, ...(bus ? { eventBusOutputName: eventSourceBusOutputName(name) } : {}), ...(es.spec.sink ? { sinkOutputName: eventSourceSinkOutputName(name) } : {}) },
            { env: { now: () => new Date(), newId: randomUUID }, sleep },
          );
          const start = async () => {
            const source = sourceFor(kind as SourceKind, es, { namespace: ns, eventSource: name, event }, { notice: (message) => options.log.warn({}, message), ...(options.scheduler ? { scheduler: options.scheduler } : {}) });
            try {
              return await timeout(
                runEventSource(source, {
                  name: `esw-${name}-${kind}-${event}`, inputName: `esi-${event}`, log: options.log, outputs,
                  fn: async (ctx, data) => (countIn(key, ctx.input.metadata.tick ?? ctx.input.metadata.id), fn(ctx, data)),
                }),
                options.connectTimeoutMs ?? 3000,
                `${kind} source`,
              );
            } catch (e) {
              // A start given up on may still be connecting (broker clients retry by themselves): stop it, or it
              // outlives the run and keeps the process alive.
              await source.stop().catch(() => undefined);
              throw e;
            }
          };
          try {
            const running = await start();
            stops.push(() => running.stop());
          } catch (e) {
            // A broker that is down now may be up in a moment: wait for it, with backoff, and say so.
            const reason = (e as Error).message.split('\n')[0]!;
            notes.push(`${key}: waiting: ${reason}; retrying`);
            waiting.set(key, reason);
            stops.push(retryStart(key, start));
          }
        }
      }
    }

    for (const t of resources.filter((r): r is Trigger => r.kind === 'Trigger')) {
      const ns = namespaceOf(t);
      const key = `Trigger/${ns}/${t.metadata.name}`;
      const bus = await busFor(ns, t.spec.eventBus);
      if (bus !== memory && !options.busInstance && options.threads !== false && threadsAvailable()) {
        try {
          const thread = await startTriggerThread(
            {
              resources: [...resources.filter((r) => r.kind === 'EventBus' || r.kind === 'ClusterEventBus'), t],
              sinks: [...(options.sinks ?? [])],
              ...(options.bus ? { bus: options.bus } : {}),
              ...(options.connectTimeoutMs ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
              ...(options.log.debugEnabled ? { verbose: true } : {}),
            },
            counters,
            { display: options.display, log: options.log },
          );
          for (const note of thread.notes) if (!notes.includes(note)) notes.push(note);
          notes.push(`${key}: on its own worker thread (as its own pod in a cluster)`);
          stops.push(() => thread.stop());
          continue;
        } catch (e) {
          if (e instanceof TopologyError) throw e;
          notes.push(`${key}: no worker thread (${(e as Error).message.split('\n')[0]}); running on the main thread`);
        }
      }
      const { config, outputs: planned } = planTriggerHandler(t, ns);
      const outputs: Record<string, Output> = {};
      for (const s of planned.sinks) {
        const timeoutMs = s.deadLetter ? undefined : retryPolicyOf(t.spec.subscribers[s.subscriber]?.delivery).timeoutMs;
        outputs[s.output] = counted(sinkOutput(s.sink, `${key} subscriber ${s.subscriber}`, timeoutMs), `${key} subscriber ${s.subscriber}${s.deadLetter ? ' dead letter' : ''}`);
      }
      for (const o of planned.topics) outputs[o.output] = counted(busOutput(bus, o.topic), `${key} → topic ${o.topic}`);
      const store = correlationStore(t, key, notes);
      const fn = createTriggerHandler(config, { now: () => Date.now(), sleep, ...(store ? { store } : {}) });
      const topics = [...new Set(config.inputs.map((i) => busTopic(i.namespace ?? ns, i.eventSource, i.event)))];
      const running = await runTrigger(bus, { name: `t-${t.metadata.name}`, group: triggerBusConsumerId(ns, t.metadata.name), topics, outputs, log: options.log, fn: withClockOf(fn, async (ctx, data) => (countIn(key, isEvent(data) ? identityOf(data) : undefined), fn(ctx, data))) });
      // The store closes after the Trigger stopped: its last messages and timer ticks still write to it.
      stops.push(async () => {
        await running.stop();
        await store?.close?.();
      });
    }
  } catch (e) {
    await stopAll();
    throw e;
  }

  return { notes, counters, waiting: () => waiting, stop: stopAll };
}

/**
 * A Trigger's correlation state store outside a cluster: a real Redis for `state.redis` (the same layout as Dapr's),
 * else process memory — said in the notes, since such state does not survive the run.
 */
function correlationStore(t: Trigger, key: string, notes: string[]): StateStore | undefined {
  const state = t.spec.correlation?.state;
  if (!state) return undefined;
  const at = 'spec.correlation.state.metadata';
  const host = state.type === 'state.redis' ? plain(state.metadata?.redisHost, `${at}.redisHost`) : undefined;
  if (host) {
    const password = plain(state.metadata?.redisPassword, `${at}.redisPassword`);
    const url = `redis://${password ? `:${encodeURIComponent(password)}@` : ''}${host}`;
    notes.push(`${key}: correlation state in Redis at ${host}`);
    return connectRedisStateStore(url);
  }
  notes.push(`${key}: correlation state in memory (${state.component ? `component ${state.component}` : state.type} exists only in a cluster)`);
  return new MemoryStateStore();
}

/** A wrapper of a function that keeps its clocked work (absence timers). */
const withClockOf = (fn: AsyncFunction, wrapper: AsyncFunction): AsyncFunction => (fn.clock ? Object.assign(wrapper, { clock: fn.clock }) : wrapper);
