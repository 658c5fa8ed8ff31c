// The trigger-handler with keyed, durable correlation and absence: what is delivered, what is acknowledged (the
// handler resolves) and what is left for redelivery (it rejects, retryably), on a virtual clock.
import type { Event } from '../../../lib/cloudevents.js';
import type { TriggerHandlerConfig } from '../../../lib/config/trigger.js';
import { isRetryable } from '../../../lib/errors.js';
import { silentLogger, type AsyncFunction, type FunctionContext } from '../../../lib/function.js';
import { MemoryStateStore } from '../../../lib/state/index.js';
import { createTriggerHandler } from '../../../functions/trigger-handler/index.js';

const config: TriggerHandlerConfig = {
  trigger: 'orders', namespace: 'shop',
  inputs: [
    { name: 'created', eventSource: 'shop', event: 'created', key: 'data.orderId' },
    { name: 'paid', eventSource: 'pay', event: 'paid', key: 'data.orderId' },
  ],
  subscribers: [
    { condition: 'created && paid', sinkOutputName: 'ship' },
    { condition: 'created', absence: { input: 'paid', within: '10m' }, sinkOutputName: 'remind' },
  ],
  stateStore: 'correlation',
};
const TOPIC = { created: 'shop-shop-created', paid: 'shop-pay-paid' } as const;
const ev = (id: string, orderId?: string): Event => ({ specversion: '1.0', id, source: '/shop', type: 't', data: orderId === undefined ? {} : { orderId } });

function harness(store = new MemoryStateStore()) {
  let now = 0;
  const sent: string[] = [];
  const logged: string[] = [];
  const counted: string[] = [];
  let refuse = false;
  const make = () => createTriggerHandler(config, { now: () => now, sleep: async () => {}, store });
  const ctx = (topic: string): FunctionContext => ({
    name: 't-orders',
    log: { ...silentLogger, warn: (_, m) => void logged.push(m) },
    input: { name: `ti-${topic}`, kind: 'pubsub', metadata: { topic } },
    async send(data, output) {
      if (refuse) throw Object.assign(new Error('sink down'), {});
      const e = data as Event;
      sent.push(`${output} ${e.ofnkey} ${e.type === 't' ? e.id : e.type}`);
    },
    count: (metric, labels) => void counted.push(`${metric} ${Object.values(labels).join(' ')}`),
  });
  let handler: AsyncFunction = make();
  return {
    store, sent, logged, counted,
    at: (t: number) => void (now = t),
    refuse: (on: boolean) => void (refuse = on),
    restart: () => void (handler = make()),
    call: (input: keyof typeof TOPIC, event: Event) => handler(ctx(TOPIC[input]), event),
    tick: () => handler.clock!.tick(ctx('timer')),
  };
}

describe('trigger-handler with durable, keyed correlation', () => {
  test('fires per order, and a restart (a new handler on the same store) keeps open windows', async () => {
    const h = harness();
    await h.call('created', ev('c1', 'o1'));
    await h.call('created', ev('c2', 'o2'));
    h.restart();
    h.at(1_000);
    await h.call('paid', ev('p1', 'o1'));
    expect(h.sent).toEqual(['ship o1 p1']);
  });

  test('a store outage: the message is refused retryably (no ack), nothing delivered; after it, delivered once', async () => {
    const h = harness();
    await h.call('created', ev('c1', 'o1'));
    h.store.down = true;
    const failed = await h.call('paid', ev('p1', 'o1')).catch((e: unknown) => e);
    expect(isRetryable(failed)).toBe(true);
    expect(h.sent).toEqual([]);
    h.store.down = false;
    await h.call('paid', ev('p1', 'o1'));
    await h.call('paid', ev('p1', 'o1')); // a duplicate redelivery: replayed, and not sent again
    expect(h.sent).toEqual(['ship o1 p1']);
  });

  test('a delivery that failed is retried on redelivery from the recorded firing, even after a restart', async () => {
    const h = harness();
    await h.call('created', ev('c1', 'o1'));
    h.refuse(true);
    await expect(h.call('paid', ev('p1', 'o1'))).rejects.toThrow('sink down');
    h.refuse(false);
    h.restart();
    h.at(120_000); // the window has passed: re-correlating would not fire, the recorded firing does
    await h.call('paid', ev('p1', 'o1'));
    expect(h.sent).toEqual(['ship o1 p1']);
  });

  test('absence: remind fires for the unpaid order only, at its deadline, once', async () => {
    const h = harness();
    await h.call('created', ev('c1', 'o1'));
    await h.call('created', ev('c2', 'o2'));
    await h.tick(); // creates the wheel's cursor
    h.at(30_000);
    await h.call('paid', ev('p2', 'o2'));
    h.at(599_000);
    await h.tick();
    expect(h.sent).toEqual(['ship o2 p2']);
    h.at(600_000);
    await h.tick();
    h.restart();
    h.at(700_000);
    await h.tick();
    expect(h.sent).toEqual(['ship o2 p2', 'remind o1 io.openfunction.events.trigger.absent']);
  });

  test('an event without its key is not correlated, and said', async () => {
    const h = harness();
    await h.call('created', ev('c1'));
    expect(h.logged).toEqual(['event without its correlation key: not correlated']);
    expect(h.counted).toEqual(['unkeyed orders created']);
  });

  test('a config naming a store the handler was not given is refused at start', () => {
    expect(() => createTriggerHandler(config, { now: () => 0, sleep: async () => {} })).toThrow('keeps its state in the store "correlation"');
  });
});

describe('trigger-handler with keyed correlation in memory', () => {
  test('evictions beyond maxKeys are logged and counted', async () => {
    const handler = createTriggerHandler({ ...config, stateStore: undefined, subscribers: [config.subscribers[0]!], correlation: { maxKeys: 1 } }, { now: () => 0, sleep: async () => {} });
    const warned: string[] = [];
    const counted: string[] = [];
    const ctx: FunctionContext = {
      name: 't', log: { ...silentLogger, warn: (_, m) => void warned.push(m) }, input: { name: 'ti', kind: 'pubsub', metadata: { topic: TOPIC.created } },
      send: async () => {}, count: (metric, labels) => void counted.push(`${metric} ${Object.values(labels).join(' ')}`),
    };
    await handler(ctx, ev('c1', 'o1'));
    await handler(ctx, ev('c2', 'o2'));
    expect(warned).toEqual(['correlation key evicted while it still mattered: correlation.maxKeys reached']);
    expect(counted).toEqual(['evictions orders']);
    expect(handler.clock).toBeUndefined(); // no absence: no clock
  });
});
