import { createMetrics } from '../../../lib/host/metrics.js';

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
});
