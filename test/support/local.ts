// Wires an EventSource event to the local runtime the way `ofn-events dev` will: the real handler, a real source,
// a real bus and/or HTTP sink.
import { randomUUID } from 'node:crypto';
import { parseResource, type EventSource } from '../../lib/api/index.js';
import { silentLogger } from '../../lib/function.js';
import { busOutput, httpSink, runEventSource, type Bus, type Output } from '../../lib/local/index.js';
import { sourceFor } from '../../lib/local/index.js';
import type { Scheduler } from '../../lib/local/cron.js';
import { busTopic, eventSourceBusOutputName, eventSourceSinkOutputName, type SourceKind } from '../../lib/naming.js';
import { createEventSourceHandler } from '../../functions/eventsource-handler/index.js';

export function eventSource(spec: Record<string, unknown>, name = 'my-es'): EventSource {
  const parsed = parseResource({ apiVersion: 'events.openfunction.io/v1alpha1', kind: 'EventSource', metadata: { name, namespace: 'default' }, spec });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.resource as EventSource;
}

export async function runLocal(es: EventSource, kind: SourceKind, event: string, edges: { bus?: Bus; sinkUrl?: string; scheduler?: Scheduler }) {
  const id = { namespace: 'default', eventSource: es.metadata.name, event };
  const outputs: Record<string, Output> = {};
  const sinks: Array<{ close(): Promise<void> }> = [];
  if (edges.bus) outputs[eventSourceBusOutputName(id.eventSource)] = busOutput(edges.bus, busTopic(id.namespace, id.eventSource, event));
  if (edges.sinkUrl) {
    const sink = httpSink(edges.sinkUrl, { timeoutMs: 2000 });
    sinks.push(sink);
    outputs[eventSourceSinkOutputName(id.eventSource)] = sink;
  }
  const fn = createEventSourceHandler(
    {
      ...id,
      sourceKind: kind,
      ...(edges.bus ? { eventBusOutputName: eventSourceBusOutputName(id.eventSource) } : {}),
      ...(edges.sinkUrl ? { sinkOutputName: eventSourceSinkOutputName(id.eventSource) } : {}),
    },
    { env: { now: () => new Date(), newId: randomUUID }, sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 50))) },
  );
  const source = sourceFor(kind, es, id, edges.scheduler ? { scheduler: edges.scheduler } : {});
  const running = await runEventSource(source, { name: `esw-${id.eventSource}-${kind}-${event}`, inputName: `esi-${event}`, fn, outputs, log: silentLogger });
  return {
    topic: busTopic(id.namespace, id.eventSource, event),
    async stop() {
      await running.stop();
      await Promise.all(sinks.map((s) => s.close()));
    },
  };
}

/** A scheduler the test fires by hand. */
export function manualScheduler(): Scheduler & { fire(at: Date): void } {
  let tick: ((at: Date) => void) | undefined;
  const scheduler = ((_schedule: string, t: (at: Date) => void) => {
    tick = t;
    return () => (tick = undefined);
  }) as Scheduler & { fire(at: Date): void };
  scheduler.fire = (at) => tick?.(at);
  return scheduler;
}

/** Polls until `check` holds (for state in another process: a broker, a sink). */
export async function eventually<T>(check: () => T | Promise<T>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

import { planTriggerHandler } from '../../lib/config/plan-trigger.js';
import { runTrigger } from '../../lib/local/index.js';
import { createTriggerHandler } from '../../functions/trigger-handler/index.js';
import { busTopic as topicOf, triggerBusConsumerId } from '../../lib/naming.js';
import type { Trigger } from '../../lib/api/index.js';

export function trigger(spec: Record<string, unknown>, name = 'my-trigger'): Trigger {
  const parsed = parseResource({ apiVersion: 'events.openfunction.io/v1alpha1', kind: 'Trigger', metadata: { name, namespace: 'default' }, spec });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.resource as Trigger;
}

/** A Trigger on the local runtime: its handler, subscribed to its input topics, delivering to real sinks/topics. */
export async function runLocalTrigger(t: Trigger, bus: Bus, log = silentLogger) {
  const { config, outputs } = planTriggerHandler(t);
  const sinks = outputs.sinks.map((s) => ({ ...s, client: httpSink(s.sink.uri!, { timeoutMs: 2000 }) }));
  const named: Record<string, Output> = Object.fromEntries([...sinks.map((s) => [s.output, s.client] as const), ...outputs.topics.map((o) => [o.output, busOutput(bus, o.topic)] as const)]);
  const fn = createTriggerHandler(config, { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 50))) });
  const topics = [...new Set(config.inputs.map((i) => topicOf(i.namespace ?? 'default', i.eventSource, i.event)))];
  const running = await runTrigger(bus, { name: `t-${t.metadata.name}`, group: triggerBusConsumerId('default', t.metadata.name), topics, fn, outputs: named, log });
  return {
    async stop() {
      await running.stop();
      await Promise.all(sinks.map((s) => s.client.close()));
    },
  };
}
