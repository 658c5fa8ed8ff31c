// Runs resources on the same local runtime `ofn-events dev` starts (runtime/local/topology.ts), with the edges a
// test controls: its own bus, cron ticks fired by hand, retries capped at 50 ms.
import { parseResource, type EventSource, type Trigger } from '../../lib/api/index.js';
import { silentLogger } from '../../lib/function.js';
import type { Bus } from '../../lib/local/index.js';
import type { Scheduler } from '../../lib/local/cron.js';
import { busTopic, SOURCE_KINDS, type SourceKind } from '../../lib/naming.js';
import { startTopology } from '../../runtime/local/topology.js';

export function eventSource(spec: Record<string, unknown>, name = 'my-es'): EventSource {
  const parsed = parseResource({ apiVersion: 'events.openfunction.io/v1alpha1', kind: 'EventSource', metadata: { name, namespace: 'default' }, spec });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.resource as EventSource;
}

/**
 * One event of an EventSource on the local runtime `dev` runs (runtime/local/topology.ts): the real handler and
 * source, publishing to `edges.bus` and/or POSTing to `edges.sinkUrl`, retries capped at 50 ms.
 */
export async function runLocal(es: EventSource, kind: SourceKind, event: string, edges: { bus?: Bus; sinkUrl?: string; scheduler?: Scheduler }) {
  // Only that event, with only the edges asked for.
  const { eventBus: _bus, sink: _sink, ...rest } = es.spec;
  const only: EventSource = {
    ...es,
    spec: { ...Object.fromEntries(Object.entries(rest).filter(([k]) => !SOURCE_KINDS.includes(k as SourceKind))), [kind]: { [event]: es.spec[kind]![event] }, ...(edges.bus ? { eventBus: 'default' } : {}), ...(edges.sinkUrl ? { sink: { uri: edges.sinkUrl } } : {}) } as EventSource['spec'],
  };
  const topology = await startTopology([only], { ...TEST_OPTIONS, ...(edges.bus ? { busInstance: edges.bus } : {}), ...(edges.scheduler ? { scheduler: edges.scheduler } : {}) });
  return { topic: busTopic('default', es.metadata.name, event), stop: () => topology.stop() };
}

const TEST_OPTIONS = { display: () => {}, log: silentLogger, threads: false, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, Math.min(ms, 50))) };

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

/**
 * Polls until `check` holds (for state in another process: a broker, a sink). `what` may be a function, read when
 * the wait fails, so the message can quote logs written meanwhile.
 */
export async function eventually<T>(check: () => T | Promise<T>, what: string | (() => string), timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'function' ? what() : what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function trigger(spec: Record<string, unknown>, name = 'my-trigger'): Trigger {
  const parsed = parseResource({ apiVersion: 'events.openfunction.io/v1alpha1', kind: 'Trigger', metadata: { name, namespace: 'default' }, spec });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.resource as Trigger;
}

/** A Trigger on the local runtime `dev` runs: its handler on `bus`, delivering to real sinks and topics. */
export async function runLocalTrigger(t: Trigger, bus: Bus, log = silentLogger) {
  const topology = await startTopology([t], { ...TEST_OPTIONS, log, busInstance: bus });
  return { stop: () => topology.stop() };
}
