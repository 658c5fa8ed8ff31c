// The trigger-handler with a scripted context: delivery, retries, dead letters, and what is acknowledged.
import type { Event } from '../../../lib/cloudevents.js';
import type { TriggerHandlerConfig } from '../../../lib/config/trigger.js';
import { DeliveryError, PoisonMessageError } from '../../../lib/errors.js';
import { silentLogger, type FunctionContext } from '../../../lib/function.js';
import { createTriggerHandler } from '../../../functions/trigger-handler/index.js';

const config: TriggerHandlerConfig = {
  trigger: 'orders', namespace: 'default',
  inputs: [{ name: 'paid', eventSource: 'shop', event: 'paid' }, { name: 'packed', eventSource: 'store', event: 'packed' }],
  subscribers: [
    { condition: 'paid && packed', sinkOutputName: 'so-t-orders-1', deadLetterSinkOutputName: 'so-t-orders-2', delivery: { retry: 2, backoffDelay: '10ms' } },
    { condition: 'paid', eventBusOutputName: 'ebo-paid-copy' },
  ],
};

const ev = (id: string): Event => ({ specversion: '1.0', id, source: '/s', type: 't', data: { id } });

function harness(failures: Record<string, Error[]> = {}) {
  let now = 0;
  const sent: Array<{ output: string; event: Event }> = [];
  const slept: number[] = [];
  const counted: string[] = [];
  const handler = createTriggerHandler(config, { now: () => now, sleep: async (ms) => void slept.push(ms) });
  const call = (topic: string, event: Event, at: number) => {
    now = at;
    const ctx: FunctionContext = {
      name: 't-orders', log: silentLogger, input: { name: `ti-${topic}`, kind: 'pubsub', metadata: { topic } },
      async send(data, output) {
        const f = failures[output]?.shift();
        if (f) throw f;
        sent.push({ output, event: data as Event });
      },
      count: (metric, labels) => void counted.push(`${metric} ${Object.values(labels).join(' ')}`),
    };
    return handler(ctx, event);
  };
  return { call, sent, slept, counted };
}

describe('trigger-handler', () => {
  test('a multi-input condition delivers the incoming event with extensions naming trigger and condition', async () => {
    const h = harness();
    await h.call('default-shop-paid', ev('p1'), 0);
    expect(h.sent.map((s) => s.output)).toEqual(['ebo-paid-copy']);
    await h.call('default-store-packed', ev('k1'), 1000);
    expect(h.sent[1]).toEqual({ output: 'so-t-orders-1', event: { ...ev('k1'), ofntrigger: 'orders', ofncondition: 'paid && packed', ofnsubscriber: '0' } });
  });

  test('a sink failing for a while is retried with the subscriber policy, then acknowledged', async () => {
    const h = harness({ 'so-t-orders-1': [new DeliveryError('HTTP 503', true), new DeliveryError('HTTP 503', true)] });
    await h.call('default-shop-paid', ev('p1'), 0);
    await h.call('default-store-packed', ev('k1'), 1);
    expect(h.sent.filter((s) => s.output === 'so-t-orders-1')).toHaveLength(1);
    expect(h.slept).toEqual([10, 20]);
  });

  test('a permanent refusal goes to the dead-letter sink with where and why', async () => {
    const h = harness({ 'so-t-orders-1': [new DeliveryError('sink answered HTTP 400', false)] });
    await h.call('default-shop-paid', ev('p1'), 0);
    await h.call('default-store-packed', ev('k1'), 1);
    // Counted per trigger, subscriber and condition, for metrics and `ofn-events status`.
    expect(h.counted).toEqual(['firings orders 1 paid', 'deliveries orders 1 delivered', 'firings orders 0 paid && packed', 'deliveries orders 0 dead-lettered']);
    const dead = h.sent.find((s) => s.output === 'so-t-orders-2')!.event;
    expect(dead).toMatchObject({ id: 'k1', ofntrigger: 'orders', ofnerrordest: 'so-t-orders-1', ofnerrorcode: '400', ofnerrordata: 'so-t-orders-1: sink answered HTTP 400 (1 attempts)' });
  });

  test('retries spent and no dead letter: the message is not acknowledged; its redelivery skips subscribers that had it', async () => {
    const down = Array.from({ length: 4 }, () => new DeliveryError('bus down', true)); // the default policy: 1 + 3 retries
    const h = harness({ 'ebo-paid-copy': down });
    await expect(h.call('default-shop-paid', ev('p1'), 0)).rejects.toMatchObject({ name: 'DeliveryError', retryable: true });
    await h.call('default-shop-paid', ev('p1'), 5);
    expect(h.sent.filter((s) => s.output === 'ebo-paid-copy')).toHaveLength(1);
    await h.call('default-shop-paid', ev('p1'), 6); // a third copy of the same message
    expect(h.sent.filter((s) => s.output === 'ebo-paid-copy')).toHaveLength(1);
  });

  test('identity is source + id: two sources reusing an id are two events, each delivered; a true redelivery is not', async () => {
    const h = harness();
    const fromA = { ...ev('1'), source: '/sources/a' };
    const fromB = { ...ev('1'), source: '/sources/b' };
    await h.call('default-shop-paid', fromA, 0);
    await h.call('default-shop-paid', fromB, 1);
    await h.call('default-shop-paid', fromA, 2); // redelivered
    expect(h.sent.filter((s) => s.output === 'ebo-paid-copy').map((s) => s.event.source)).toEqual(['/sources/a', '/sources/b']);
  });

  test('a message from an unknown topic, or not a CloudEvent, is poison', async () => {
    const h = harness();
    await expect(h.call('default-other-x', ev('x'), 0)).rejects.toBeInstanceOf(PoisonMessageError);
    await expect(h.call('default-shop-paid', { id: 'x' } as unknown as Event, 0)).rejects.toBeInstanceOf(PoisonMessageError);
  });

  test('an invalid condition refuses to start, naming it', () => {
    expect(() => createTriggerHandler({ ...config, subscribers: [{ condition: 'paid & packed', topic: 'x' } as never] }, { now: () => 0, sleep: async () => {} })).toThrow(
      'spec.subscribers[0].condition: at character 6: bitwise "&" is not supported; did you mean "&&"?',
    );
  });
});
