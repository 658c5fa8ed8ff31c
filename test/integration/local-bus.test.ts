// Buses built from EventBus specs, on the real brokers: what `dev` will connect to.
import type { Event } from '../../lib/cloudevents.js';
import { connectBus } from '../../lib/local/index.js';
import { sharedBrokerUrl } from '../support/brokers.js';
import { eventually } from '../support/local.js';

const event = (id: string): Event => ({ specversion: '1.0', id, source: '/s', type: 't', time: '2026-01-01T00:00:00Z', datacontenttype: 'application/json', data: { id } });

describe('local buses from EventBus specs', () => {
  test.each([
    ['jetstream', () => ({ jetstream: { natsURL: sharedBrokerUrl('nats'), streamName: 'SPEC_JS' } })],
    ['natsStreaming (served by JetStream, with a warning)', () => ({ natsStreaming: { natsURL: sharedBrokerUrl('nats'), natsStreamingClusterID: 'stan', subscriptionType: 'queue', durableSubscriptionName: 'd' } })],
    ['redis', () => ({ redis: { redisHost: sharedBrokerUrl('redis').replace('redis://', ''), processingTimeout: '1s', redeliverInterval: '200ms' } })],
    ['memory (no backend given)', () => ({})],
  ])('%s: publish, then a subscriber group receives each event once; retry redelivers', async (name, spec) => {
    const warnings: string[] = [];
    const bus = await connectBus(spec(), 'spec', (w) => warnings.push(w));
    const topic = `spec-${name.split(' ')[0]}-${process.pid}`;
    const seen: string[] = [];
    let retried = false;
    const sub = await bus.subscribe(topic, 'g', async (e) => {
      seen.push(e.id);
      if (e.id === 'b' && !retried) return (retried = true), 'retry';
      return 'ack';
    });
    try {
      for (const id of ['a', 'b', 'c']) await bus.publish(topic, event(id));
      await eventually(() => seen.filter((s) => s === 'b').length === 2 && seen.length >= 4, 'three events and one redelivery');
      expect([...seen].sort()).toEqual(['a', 'b', 'b', 'c']);
      expect(warnings.length).toBe(name.startsWith('natsStreaming') ? 1 : 0);
    } finally {
      await sub.stop();
      await bus.close();
    }
  });
});
