// Prometheus metrics of a function process (prom-client), one registry per host so tests stay independent.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { FUNCTION_METRICS } from '../function.js';

export interface HostMetrics {
  registry: Registry;
  received: Counter<'input'>;
  handled: Counter<'input' | 'result'>;
  sent: Counter<'output' | 'result'>;
  inFlight: Gauge;
  duration: Histogram<'input'>;
  /** The counters functions count through ctx.count (lib/function.ts FUNCTION_METRICS). */
  functions: Record<keyof typeof FUNCTION_METRICS, Counter<string>>;
}

export function createMetrics(defaults = true): HostMetrics {
  const registry = new Registry();
  if (defaults) collectDefaultMetrics({ register: registry });
  return {
    registry,
    received: new Counter({ name: 'ofn_events_received_total', help: 'Messages received, by input.', labelNames: ['input'], registers: [registry] }),
    handled: new Counter({ name: 'ofn_events_handled_total', help: 'Messages handled, by input and result (success, retry, drop; busy: refused for redelivery while at the in-flight limit).', labelNames: ['input', 'result'], registers: [registry] }),
    sent: new Counter({ name: 'ofn_events_sent_total', help: 'Sends to outputs, by output and result (success, failure).', labelNames: ['output', 'result'], registers: [registry] }),
    inFlight: new Gauge({ name: 'ofn_events_in_flight', help: 'Messages being handled now.', registers: [registry] }),
    duration: new Histogram({ name: 'ofn_events_handle_seconds', help: 'Time to handle a message, by input.', labelNames: ['input'], buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30], registers: [registry] }),
    functions: Object.fromEntries(
      Object.entries(FUNCTION_METRICS).map(([key, m]) => [key, new Counter({ name: m.name, help: m.help, labelNames: [...m.labels], registers: [registry] })]),
    ) as HostMetrics['functions'],
  };
}
