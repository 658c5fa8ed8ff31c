import fc from 'fast-check';
import { Histogram, Registry } from 'prom-client';
import { createMetrics, HANDLE_SECONDS_BUCKETS, HotHistogram } from '../../../lib/host/metrics.js';

const line = (text: string, prefix: string) => text.split('\n').find((l) => l.startsWith(prefix));

describe('host metrics', () => {
  test('counted cells reach the exposition as running totals, scrape after scrape', async () => {
    const metrics = createMetrics(false);
    const success = metrics.handled.cell({ input: 'in', result: 'success' });
    success.inc();
    success.inc();
    metrics.handled.inc({ input: 'in', result: 'retry' });
    let text = await metrics.registry.metrics();
    expect([line(text, 'ofn_events_handled_total{input="in",result="success"}'), line(text, 'ofn_events_handled_total{input="in",result="retry"}')]).toEqual([
      'ofn_events_handled_total{input="in",result="success"} 2',
      'ofn_events_handled_total{input="in",result="retry"} 1',
    ]);
    success.inc(3);
    expect(metrics.handled.cell({ result: 'success', input: 'in' })).toBe(success); // one cell per label set, whatever the key order
    text = await metrics.registry.metrics();
    expect(line(text, 'ofn_events_handled_total{input="in",result="success"}')).toBe('ofn_events_handled_total{input="in",result="success"} 5');
    text = await metrics.registry.metrics(); // nothing new: the total stays
    expect(line(text, 'ofn_events_handled_total{input="in",result="success"}')).toBe('ofn_events_handled_total{input="in",result="success"} 5');
  });

  test("a function's counts keep their own labels only; messages in flight are read when scraped", async () => {
    const metrics = createMetrics(false);
    metrics.functions.firings.inc({ trigger: 't', subscriber: '0', condition: 'a && b', extra: 'ignored' });
    let inFlight = 3;
    metrics.watchInFlight(() => inFlight);
    expect(line(await metrics.registry.metrics(), 'ofn_events_firings_total{')).toBe('ofn_events_firings_total{trigger="t",subscriber="0",condition="a && b"} 1');
    inFlight = 0;
    expect(line(await metrics.registry.metrics(), 'ofn_events_in_flight')).toBe('ofn_events_in_flight 0');
    inFlight = 7;
    expect(line(await metrics.registry.metrics(), 'ofn_events_in_flight')).toBe('ofn_events_in_flight 7');
  });

  test('a frozen label set is remembered by identity; a mutable one is read afresh on every count', async () => {
    const metrics = createMetrics(false);
    const delivered = Object.freeze({ trigger: 't', subscriber: '0', result: 'delivered' });
    metrics.functions.deliveries.inc(delivered);
    metrics.functions.deliveries.inc(delivered);
    metrics.functions.deliveries.inc({ trigger: 't', subscriber: '0', result: 'delivered' }); // same values, another object
    const reused: Record<string, string> = { trigger: 't', subscriber: '0', result: 'delivered' };
    metrics.functions.deliveries.inc(reused);
    reused.result = 'failed'; // a caller reusing its object with other values counts into the other cell
    metrics.functions.deliveries.inc(reused);
    const text = await metrics.registry.metrics();
    expect([line(text, 'ofn_events_deliveries_total{trigger="t",subscriber="0",result="delivered"}'), line(text, 'ofn_events_deliveries_total{trigger="t",subscriber="0",result="failed"}')]).toEqual([
      'ofn_events_deliveries_total{trigger="t",subscriber="0",result="delivered"} 4',
      'ofn_events_deliveries_total{trigger="t",subscriber="0",result="failed"} 1',
    ]);
  });

  test("the handling-time histogram's exposition is prom-client's own for the same observations", async () => {
    // Label order within a line is not meaningful to Prometheus (prom-client writes `le` first); lines are compared with their labels sorted.
    const normalised = (text: string) =>
      text.trim().split('\n').map((l) => l.replace(/\{([^}]*)\}/, (_, inner: string) => `{${inner.split(',').sort().join(',')}}`)).sort();
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom('a', 'b'), fc.oneof(fc.constantFrom(...HANDLE_SECONDS_BUCKETS, 0, 100), fc.double({ min: 0, max: 60, noNaN: true }))), { maxLength: 50 }), async (observations) => {
        const ours = new Registry();
        const theirs = new Registry();
        const hot = new HotHistogram(ours, 'h_seconds', 'Help.', ['input'], HANDLE_SECONDS_BUCKETS);
        const reference = new Histogram({ name: 'h_seconds', help: 'Help.', labelNames: ['input'], buckets: [...HANDLE_SECONDS_BUCKETS], registers: [theirs] });
        const cells = { a: hot.cell({ input: 'a' }), b: hot.cell({ input: 'b' }) };
        for (const [input, value] of observations) {
          cells[input].observe(value);
          reference.observe({ input }, value);
        }
        // A cell is exposed from its creation; prom-client's from its first observation.
        for (const input of ['a', 'b'] as const) if (!observations.some(([i]) => i === input)) reference.zero({ input });
        expect(normalised(await ours.metrics())).toEqual(normalised(await theirs.metrics()));
      }),
      { numRuns: 200 },
    );
  });

  test('the handling-time histogram is zeroed by the registry, and serves JSON as its other metrics do', async () => {
    const metrics = createMetrics(false);
    metrics.duration.cell({ input: 'in' }).observe(0.002);
    const json = await metrics.registry.getMetricsAsJSON();
    expect(json.find((m) => m.name === 'ofn_events_handle_seconds')?.values.filter((v) => (v as { metricName?: string }).metricName === 'ofn_events_handle_seconds_count')).toEqual([{ labels: { input: 'in' }, value: 1, metricName: 'ofn_events_handle_seconds_count' }]);
    metrics.registry.resetMetrics();
    expect(line(await metrics.registry.metrics(), 'ofn_events_handle_seconds_count{input="in"}')).toBe('ofn_events_handle_seconds_count{input="in"} 0');
  });
});
