// Prometheus metrics of a function process (prom-client), one registry per host so tests stay independent.
//
// The counters on the per-event path are counted as plain additions into cells bound to their label values, and
// handed to prom-client when it is scraped (a metric's `collect`). prom-client's own inc hashes and validates the
// labels on every call (0.3 µs for two labels, measured hot; more in a process that also runs between events), and
// the host made five such calls per event, the trigger-handler two more. The in-flight gauge is read from the host
// when scraped. The duration histogram stays prom-client's (0.5 µs an observation). The exposition is unchanged.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
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
    let key = '';
    for (const name of this.labelNames) key += `${labels[name] ?? ''}\u0000`;
    let cell = this.cells.get(key);
    if (cell === undefined) {
      const own: Record<string, string> = {};
      for (const name of this.labelNames) own[name] = labels[name] ?? '';
      this.cells.set(key, (cell = new CounterCell(own)));
    }
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

export interface HostMetrics {
  registry: Registry;
  received: HotCounter;
  handled: HotCounter;
  sent: HotCounter;
  /** Messages being handled now (`ofn_events_in_flight`): the host says how to read its count, read when scraped. */
  watchInFlight(read: () => number): void;
  duration: Histogram<'input'>;
  /** The counters functions count through ctx.count (lib/function.ts FUNCTION_METRICS). */
  functions: Record<keyof typeof FUNCTION_METRICS, HotCounter>;
}

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
    duration: new Histogram({ name: 'ofn_events_handle_seconds', help: 'Time to handle a message, by input.', labelNames: ['input'], buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30], registers: [registry] }),
    functions: Object.fromEntries(Object.entries(FUNCTION_METRICS).map(([key, m]) => [key, new HotCounter(registry, m.name, m.help, m.labels)])) as HostMetrics['functions'],
  };
}
