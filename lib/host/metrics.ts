// Prometheus metrics of a function process (prom-client), one registry per host so tests stay independent.
//
// The counters on the per-event path are counted as plain additions into cells bound to their label values, and
// handed to prom-client when it is scraped (a metric's `collect`). prom-client's own inc hashes and validates the
// labels on every call (0.3 µs for two labels, measured hot; more in a process that also runs between events), and
// the host made five such calls per event, the trigger-handler two more. The in-flight gauge is read from the host
// when scraped. The duration histogram is counted the same way, into bucket counts per input that the registry reads
// through the histogram's `get` (prom-client's observe hashed and validated the labels too: 1.6 µs an event in the
// trigger-handler's profile under bench/dapr-app). The exposition is prom-client's (tested against its Histogram).
import { Counter, Gauge, Registry, collectDefaultMetrics, type Metric } from 'prom-client';
import { FUNCTION_METRICS } from '../function.js';

/** One label set of a counter: what it counted since the last scrape. */
export class CounterCell {
  pending = 0;
  constructor(readonly labels: Readonly<Record<string, string>>) {}
  inc(by = 1): void {
    this.pending += by;
  }
}

/** A counter whose label sets are looked up once and counted into as cells. */
export class HotCounter {
  private readonly cells = new Map<string, CounterCell>();
  private readonly constants = new WeakMap<object, CounterCell>();

  constructor(registry: Registry, name: string, help: string, private readonly labelNames: readonly string[]) {
    const cells = this.cells;
    new Counter({
      name,
      help,
      labelNames: [...labelNames],
      registers: [registry],
      collect() {
        for (const cell of cells.values()) {
          if (cell.pending === 0) continue;
          this.inc(cell.labels, cell.pending);
          cell.pending = 0;
        }
      },
    });
  }

  /** The cell of these label values (labels outside the counter's names are ignored, missing ones are empty). */
  cell(labels: Readonly<Record<string, string>>): CounterCell {
    const key = keyOf(this.labelNames, labels);
    let cell = this.cells.get(key);
    if (cell === undefined) this.cells.set(key, (cell = new CounterCell(ownLabels(this.labelNames, labels))));
    return cell;
  }

  /**
   * Counts into the cell of these labels. A frozen labels object is taken for a constant and its cell remembered by
   * identity, so a caller that keeps one per label set (the trigger-handler, per subscriber) skips building the key.
   */
  inc(labels: Readonly<Record<string, string>>, by = 1): void {
    let cell = this.constants.get(labels);
    if (cell === undefined) {
      cell = this.cell(labels);
      if (Object.isFrozen(labels)) this.constants.set(labels, cell);
    }
    cell.inc(by);
  }
}

/** The label key of a label set: its values in the metric's label order (labels outside it ignored, missing ones empty). */
function keyOf(labelNames: readonly string[], labels: Readonly<Record<string, string>>): string {
  let key = '';
  for (const name of labelNames) key += `${labels[name] ?? ''}\u0000`;
  return key;
}

function ownLabels(labelNames: readonly string[], labels: Readonly<Record<string, string>>): Record<string, string> {
  const own: Record<string, string> = {};
  for (const name of labelNames) own[name] = labels[name] ?? '';
  return own;
}

/** One label set of a histogram: observations per bucket (not cumulative; the last one is +Inf), their sum and count. */
export class HistogramCell {
  readonly counts: number[];
  sum = 0;
  count = 0;
  constructor(readonly labels: Readonly<Record<string, string>>, private readonly bounds: readonly number[]) {
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }
  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
  }
}

/**
 * A histogram observed through cells bound once to their labels. It is registered as a metric of its own: the
 * registry asks it for its values (`get`, prom-client's MetricObject shape), as it asks its own histograms.
 */
export class HotHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly cells = new Map<string, HistogramCell>();

  constructor(registry: Registry, readonly name: string, readonly help: string, private readonly labelNames: readonly string[], private readonly bounds: readonly number[]) {
    registry.registerMetric(this as unknown as Metric);
  }

  cell(labels: Readonly<Record<string, string>>): HistogramCell {
    const key = keyOf(this.labelNames, labels);
    let cell = this.cells.get(key);
    if (cell === undefined) this.cells.set(key, (cell = new HistogramCell(ownLabels(this.labelNames, labels), this.bounds)));
    return cell;
  }

  get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: Array<{ labels: Record<string, string | number>; value: number; metricName: string }> }> {
    const values: Array<{ labels: Record<string, string | number>; value: number; metricName: string }> = [];
    for (const cell of this.cells.values()) {
      let cumulative = 0;
      this.bounds.forEach((le, i) => {
        cumulative += cell.counts[i]!;
        values.push({ labels: { le, ...cell.labels }, value: cumulative, metricName: `${this.name}_bucket` });
      });
      values.push({ labels: { le: '+Inf', ...cell.labels }, value: cell.count, metricName: `${this.name}_bucket` });
      values.push({ labels: { ...cell.labels }, value: cell.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...cell.labels }, value: cell.count, metricName: `${this.name}_count` });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }

  /** Registry#resetMetrics. */
  reset(): void {
    for (const cell of this.cells.values()) {
      cell.counts.fill(0);
      cell.sum = 0;
      cell.count = 0;
    }
  }
}

export interface HostMetrics {
  registry: Registry;
  received: HotCounter;
  handled: HotCounter;
  sent: HotCounter;
  /** Messages being handled now (`ofn_events_in_flight`): the host says how to read its count, read when scraped. */
  watchInFlight(read: () => number): void;
  /** Time to handle a message (`ofn_events_handle_seconds`), by input. */
  duration: HotHistogram;
  /** The counters functions count through ctx.count (lib/function.ts FUNCTION_METRICS). */
  functions: Record<keyof typeof FUNCTION_METRICS, HotCounter>;
}

/** Upper bounds of the handling-time buckets, seconds. */
export const HANDLE_SECONDS_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30] as const;

export function createMetrics(defaults = true): HostMetrics {
  const registry = new Registry();
  if (defaults) collectDefaultMetrics({ register: registry });
  let inFlight = (): number => 0;
  new Gauge({
    name: 'ofn_events_in_flight',
    help: 'Messages being handled now.',
    registers: [registry],
    collect() {
      this.set(inFlight());
    },
  });
  return {
    registry,
    received: new HotCounter(registry, 'ofn_events_received_total', 'Messages received, by input.', ['input']),
    handled: new HotCounter(registry, 'ofn_events_handled_total', 'Messages handled, by input and result (success, retry, drop; busy: refused for redelivery while at the in-flight limit).', ['input', 'result']),
    sent: new HotCounter(registry, 'ofn_events_sent_total', 'Sends to outputs, by output and result (success, failure).', ['output', 'result']),
    watchInFlight: (read) => void (inFlight = read),
    duration: new HotHistogram(registry, 'ofn_events_handle_seconds', 'Time to handle a message, by input.', ['input'], HANDLE_SECONDS_BUCKETS),
    functions: Object.fromEntries(Object.entries(FUNCTION_METRICS).map(([key, m]) => [key, new HotCounter(registry, m.name, m.help, m.labels)])) as HostMetrics['functions'],
  };
}
