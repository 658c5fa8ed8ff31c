// Buses built from EventBus specs, on the real brokers: what `dev` will connect to.
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { createClient } from 'redis';
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

describe('JetStream deduplication', () => {
  test('identity is source + id: two sources reusing an id are both stored; a republished event is stored once', async () => {
    const bus = await connectBus({ jetstream: { natsURL: sharedBrokerUrl('nats'), streamName: 'SPEC_DEDUPE' } }, 'spec', () => undefined);
    const topic = `dedupe-${process.pid}`;
    const seen: string[] = [];
    const sub = await bus.subscribe(topic, 'g', async (e) => (seen.push(`${e.source}#${e.id}`), 'ack'));
    try {
      await bus.publish(topic, { ...event('1'), source: '/a' });
      await bus.publish(topic, { ...event('1'), source: '/b' });
      await bus.publish(topic, { ...event('1'), source: '/a' }); // a retried publish
      await bus.publish(topic, { ...event('2'), source: '/a' }); // a marker: everything before it has arrived
      await eventually(() => seen.includes('/a#2'), 'the marker');
      expect(seen).toEqual(['/a#1', '/b#1', '/a#2']);
    } finally {
      await sub.stop();
      await bus.close();
    }
  });
});

describe('JetStream ack wait', () => {
  test('a handler working longer than the ack wait keeps its message: in-progress acks, no second delivery', async () => {
    const { connectJetStream } = await import('../../lib/local/jetstream.js');
    const bus = await connectJetStream({ url: sharedBrokerUrl('nats'), streamName: 'SPEC_ACKWAIT', ackWaitMs: 1000 });
    const topic = `ackwait-${process.pid}`;
    const seen: string[] = [];
    const sub = await bus.subscribe(topic, 'g', async (e) => {
      seen.push(e.id);
      if (e.id === 'slow') await new Promise((r) => setTimeout(r, 2500)); // 2.5 ack waits: the slow sink's part
      return 'ack';
    });
    try {
      await bus.publish(topic, event('slow'));
      await bus.publish(topic, event('after'));
      await eventually(() => seen.includes('after'), 'the next message');
      // The server's own record: both acknowledged, neither ever handed out again.
      const nc = await connect({ servers: sharedBrokerUrl('nats') });
      try {
        const jsm = await jetstreamManager(nc);
        const info = await eventually(async () => {
          const i = await jsm.consumers.info('SPEC_ACKWAIT', `g__${topic}`);
          return i.num_ack_pending === 0 ? i : undefined;
        }, 'both acknowledged');
        expect([info!.delivered.consumer_seq, info!.num_redelivered]).toEqual([2, 0]);
      } finally {
        await nc.close();
      }
      expect(seen).toEqual(['slow', 'after']);
    } finally {
      await sub.stop();
      await bus.close();
    }
  });
});

describe('Redis bus concurrency', () => {
  test("the spec's concurrency bounds messages in flight; handlers start in stream order; each is acknowledged once", async () => {
    const bus = await connectBus({ redis: { redisHost: sharedBrokerUrl('redis').replace('redis://', ''), concurrency: 3, processingTimeout: '30s', redeliverInterval: '30s' } });
    const topic = `spec-redis-concurrency-${process.pid}`;
    const started: string[] = [];
    let [inFlight, peak] = [0, 0];
    const waiting: Array<() => void> = [];
    for (const id of ['e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7', 'e8']) await bus.publish(topic, event(id));
    // A Trigger asks for 64 at once; the bus's own setting (3) is the bound.
    const sub = await bus.subscribe(topic, 'g', async (e) => {
      started.push(e.id);
      peak = Math.max(peak, ++inFlight);
      // Nothing completes until three overlap: one at a time would never get there.
      if (peak < 3) await new Promise<void>((r) => waiting.push(r));
      else waiting.splice(0).forEach((r) => r());
      inFlight--;
      return 'ack';
    }, { concurrency: 64 });
    try {
      await eventually(() => started.length === 8 && inFlight === 0, 'eight events handled');
      expect(started).toEqual(['e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7', 'e8']);
      expect(peak).toBe(3);
      const redis = createClient({ url: sharedBrokerUrl('redis') });
      await redis.connect();
      await eventually(async () => ((await redis.xPending(topic, 'g')) as { pending: number }).pending === 0, 'every entry acknowledged');
      await redis.quit();
    } finally {
      await sub.stop();
      await bus.close();
    }
  });
});

describe('broker state loss', () => {
  test.each([
    ['jetstream', 'nats'],
    ['redis', 'redis'],
  ] as const)('%s: after the broker restarts without its data, the bus makes its stream and group again, says so, and loses nothing published after', async (name, kind) => {
    const { startBroker } = await import('../support/brokers.js');
    const broker = await startBroker(kind);
    const notices: string[] = [];
    const spec = kind === 'nats' ? { jetstream: { natsURL: broker.url, streamName: 'LOSS' } } : { redis: { redisHost: broker.url.replace('redis://', ''), redeliverInterval: '200ms' } };
    const bus = await connectBus(spec, 'spec', () => undefined, (n) => notices.push(n));
    const topic = `loss-${name}`;
    const seen = new Set<string>();
    const sub = await bus.subscribe(topic, 'g', async (e) => (seen.add(e.id), 'ack'));
    try {
      for (let i = 0; i < 20; i++) await bus.publish(topic, event(`before-${i}`));
      await eventually(() => seen.size === 20, 'the events before the loss');
      await broker.restart({ wipe: true });
      const after = Array.from({ length: 50 }, (_, i) => `after-${i}`);
      for (const id of after) {
        // A publish may fail while the broker comes back: the caller's retry, as a handler's redelivery would.
        await eventually(async () => bus.publish(topic, event(id)).then(() => true, () => false), `publish ${id}`, 20_000);
      }
      await eventually(() => after.every((id) => seen.has(id)), 'every event published after the loss', 30_000);
      expect(notices.join('\n')).toMatch(kind === 'nats' ? /JetStream: / : /consumer group g was gone/);
    } finally {
      await sub.stop();
      await bus.close();
      await broker.stop();
    }
  });
});
