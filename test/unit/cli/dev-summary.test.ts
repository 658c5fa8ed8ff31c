// The closing summary of `dev`: a publish to a bus is never called a delivery.
import { lostAnything, summary } from '../../../cli/dev/summary.js';
import { newCounters } from '../../../runtime/counters.js';

test('bus and topic outputs are "published"; sinks are "delivered"; failures are counted', () => {
  const counters = {
    ...newCounters(),
    in: new Map([['Trigger/default/t', 5]]),
    out: new Map([['EventSource/default/es/tick → bus', 7], ['Trigger/default/t → topic copies', 3], ['Trigger/default/t subscriber 0', 2]]),
    failed: new Map([['Trigger/default/t subscriber 0', 4]]),
  };
  expect(summary(counters)).toEqual([
    '  EventSource/default/es/tick → bus: 7 published',
    '  Trigger/default/t: 5 in',
    '  Trigger/default/t subscriber 0: 2 delivered, 4 failed attempts',
    '  Trigger/default/t → topic copies: 3 published',
  ]);
});

test('what was not delivered and what never ran are named, and make the run fail', () => {
  const counters = { ...newCounters(), in: new Map([['Trigger/default/t', 6]]), redelivered: new Map([['Trigger/default/t', 2]]), undelivered: new Map([['Trigger/default/t subscriber 0', 3]]), failed: new Map([['Trigger/default/t subscriber 0', 12]]) };
  const waiting = new Map([['EventSource/default/es/m', 'mqtt source: connect ECONNREFUSED 127.0.0.1:1884']]);
  expect(summary(counters, waiting)).toEqual([
    '  Trigger/default/t: 6 in (2 of them redelivered)',
    '  Trigger/default/t subscriber 0: 12 failed attempts, 3 NOT DELIVERED',
    '  EventSource/default/es/m: NEVER RAN: mqtt source: connect ECONNREFUSED 127.0.0.1:1884',
  ]);
  expect(lostAnything(counters, new Map())).toBe(true);
  expect(lostAnything(newCounters(), waiting)).toBe(true);
  expect(lostAnything(newCounters(), new Map())).toBe(false);
});

test('a failure is said once per output and reason, then at most every 10 s with how many more', async () => {
  const { FailureReporter } = await import('../../../runtime/local/topology.js');
  const said: string[] = [];
  let now = 0;
  const reporter = new FailureReporter((l) => said.push(l), () => now);
  for (let i = 0; i < 5; i++) reporter.report('T subscriber 0', `sink answered HTTP 503 (attempt ${i})`);
  reporter.report('T subscriber 0', 'connect ECONNREFUSED');
  now = 10_000;
  reporter.report('T subscriber 0', 'sink answered HTTP 503 (attempt 9)');
  expect(said).toEqual([
    'T subscriber 0: delivery failed: sink answered HTTP 503 (attempt 0)',
    'T subscriber 0: delivery failed: connect ECONNREFUSED',
    'T subscriber 0: delivery failed: sink answered HTTP 503 (attempt 9) (5 more like it)',
  ]);
});
