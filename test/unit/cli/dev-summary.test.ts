// The closing summary of `dev`: a publish to a bus is never called a delivery.
import { summary } from '../../../cli/dev/command.js';

test('bus and topic outputs are "published"; sinks are "delivered"; failures are counted', () => {
  const counters = {
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
