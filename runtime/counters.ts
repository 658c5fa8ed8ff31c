// What flowed where, per EventSource event, Trigger and subscriber: the counters the live view and the summary show.
// The local runtime counts in process; a topology of real processes reads them from each function's Prometheus
// metrics (lib/host/metrics.ts): messages received per input, sends per output and result.

export interface Counters {
  /** key: "EventSource/ns/name/event" or "Trigger/ns/name", "…/subscriber N" */
  in: Map<string, number>;
  out: Map<string, number>;
  failed: Map<string, number>;
  /** Of `in`, messages seen before (a redelivery, not a new event). */
  redelivered: Map<string, number>;
  /** Per output: events that failed there and were neither delivered there nor dead-lettered (so far). */
  undelivered: Map<string, number>;
}

export const COUNTER_KINDS = ['in', 'out', 'failed', 'redelivered', 'undelivered'] as const;

export const newCounters = (): Counters => ({ in: new Map(), out: new Map(), failed: new Map(), redelivered: new Map(), undelivered: new Map() });

import type { Resource } from '../lib/api/index.js';
import { namespaceOf } from '../lib/api/index.js';
import { planTriggerHandler } from '../lib/config/plan-trigger.js';
import { eventSourceBusOutputName, eventSourceSinkOutputName } from '../lib/naming.js';

/** How one function's metric labels map to counter keys. */
export interface MetricKeys {
  in(input: string): string;
  /** Output name → key, when it does not depend on the input. */
  out?: ReadonlyMap<string, string>;
  outFor?(output: string, input: string): string;
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition (the subset prom-client writes). */
export function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m || line.startsWith('#')) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, '$1');
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

export function countersOf(functions: ReadonlyArray<{ text: string; keys: MetricKeys }>): Counters {
  const counters = newCounters();
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  for (const { text, keys } of functions) {
    const samples = parseMetrics(text);
    const inputs = samples.filter((s) => s.name === 'ofn_events_received_total').map((s) => s.labels.input ?? '');
    for (const s of samples) {
      if (s.name === 'ofn_events_received_total') add(counters.in, keys.in(s.labels.input ?? ''), s.value);
      if (s.name === 'ofn_events_sent_total') {
        const output = s.labels.output ?? '';
        // An EventSource Function has one input: its outputs count under that input's key.
        const key = keys.out?.get(output) ?? keys.outFor?.(output, inputs[0] ?? '') ?? output;
        add(s.labels.result === 'success' ? counters.out : counters.failed, key, s.value);
      }
    }
  }
  return counters;
}

/** Reads every function's metrics; one that does not answer counts as nothing. */
export async function countersFromMetrics(functions: ReadonlyArray<{ url: string; keys: MetricKeys }>): Promise<Counters> {
  const texts = await Promise.all(
    functions.map(async (f) => {
      try {
        const response = await fetch(f.url, { signal: AbortSignal.timeout(2000) });
        return { text: await response.text(), keys: f.keys };
      } catch {
        return { text: '', keys: f.keys };
      }
    }),
  );
  return countersOf(texts);
}

/** Which counter each of a resource's Function metrics feeds, named as the local runtime names them. */
export function metricKeysOf(resource: Resource): MetricKeys {
  const ns = namespaceOf(resource);
  if (resource.kind === 'Trigger') {
    const key = `Trigger/${ns}/${resource.metadata.name}`;
    const { outputs } = planTriggerHandler(resource, ns);
    const out = new Map<string, string>();
    for (const s of outputs.sinks) out.set(s.output, `${key} subscriber ${s.subscriber}${s.deadLetter ? ' dead letter' : ''}`);
    for (const t of outputs.topics) out.set(t.output, `${key} → topic ${t.topic}`);
    return { in: () => key, out };
  }
  const name = resource.metadata.name;
  return {
    in: (input) => `EventSource/${ns}/${name}/${input.replace(/^esi-/, '')}`,
    outFor: (output, input) => {
      const base = `EventSource/${ns}/${name}/${input.replace(/^esi-/, '')}`;
      return output === eventSourceBusOutputName(name) ? `${base} → bus` : output === eventSourceSinkOutputName(name) ? `${base} → sink` : `${base} → ${output}`;
    },
  };
}
