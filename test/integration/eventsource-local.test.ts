// The eventsource-handler on the local adapters against real brokers (nats-server with JetStream, mosquitto,
// redis-server) and real HTTP sinks: every event arrives as a CloudEvent, none lost, none duplicated, through sink
// outages and broker restarts. Kafka has no server here: its mapping is covered by test/unit/local/kafka.test.ts.
import mqtt from 'mqtt';
import { createClient } from 'redis';
import type { Event } from '../../lib/cloudevents.js';
import { connectJetStream, createMemoryBus, type Bus } from '../../lib/local/index.js';
import { freePort, sharedBrokerUrl, startBroker } from '../support/brokers.js';
import { startRecorder, type Recorder } from '../support/http.js';
import { startHoldingSink } from '../support/holding-sink.js';
import { eventSource, eventually, manualScheduler, runLocal } from '../support/local.js';

const N = 20;
let unique = 0;
const name = (prefix: string) => `${prefix}-${process.pid}-${++unique}`;

function collect(bus: Bus, topic: string, group: string) {
  const seen: Event[] = [];
  const sub = bus.subscribe(topic, group, async (e) => (seen.push(e), 'ack'));
  return { seen, sub };
}

async function publishMqtt(url: string, topic: string, messages: string[]) {
  const client = await mqtt.connectAsync(url, { clientId: name('producer') });
  for (const m of messages) await client.publishAsync(topic, m, { qos: 1 });
  await client.endAsync();
}

const okRequests = (sink: Recorder) => sink.requests.filter((_, i) => (sink.answers[Math.min(i, sink.answers.length - 1)]?.status ?? 200) < 300);

describe('eventsource local - every source kind delivers', () => {
  test('MQTT → JetStream bus and HTTP sink: each message once, as a CloudEvent, on both', async () => {
    const bus = await connectJetStream({ url: sharedBrokerUrl('nats'), streamName: name('S').replace(/-/g, '_') });
    const sink = await startRecorder();
    const topic = `sensors/${name('t')}`;
    const es = eventSource({ eventBus: 'default', sink: { uri: sink.url }, mqtt: { reading: { url: sharedBrokerUrl('mosquitto').replace('mqtt://', 'tcp://'), topic } } }, name('es'));
    const running = await runLocal(es, 'mqtt', 'reading', { bus, sinkUrl: `${sink.url}/events` });
    const onBus = collect(bus, running.topic, 'checker');
    try {
      await onBus.sub;
      await publishMqtt(sharedBrokerUrl('mosquitto'), topic, Array.from({ length: N }, (_, i) => JSON.stringify({ n: i })));
      await sink.waitFor(N);
      await eventually(() => onBus.seen.length >= N, 'bus events');
      expect(sink.requests.map((r) => JSON.parse(r.body.toString()).n).sort((a, b) => a - b)).toEqual([...Array(N).keys()]);
      const first = sink.requests[0]!;
      expect(first.path).toBe('/events');
      expect(first.headers).toMatchObject({ 'ce-specversion': '1.0', 'ce-type': 'io.openfunction.events.mqtt', 'ce-subject': topic, 'ce-source': `/apis/events.openfunction.io/v1alpha1/namespaces/default/eventsources/${es.metadata.name}/events/reading`, 'content-type': 'application/json' });
      expect(new Set(sink.requests.map((r) => r.headers['ce-id'])).size).toBe(N);
      expect(onBus.seen.map((e) => (e.data as { n: number }).n).sort((a, b) => a - b)).toEqual([...Array(N).keys()]);
      expect(new Set(onBus.seen.map((e) => e.id))).toEqual(new Set(sink.requests.map((r) => r.headers['ce-id'])));
    } finally {
      await (await onBus.sub).stop();
      await running.stop();
      await bus.close();
      await sink.close();
    }
  });

  test('Redis stream → HTTP sink: each entry once, with a stable id, acknowledged in Redis', async () => {
    const sink = await startRecorder();
    const stream = name('orders');
    const es = eventSource({ sink: { uri: sink.url }, redis: { created: { redisHost: sharedBrokerUrl('redis').replace('redis://', ''), redisPassword: '', stream } } }, name('es'));
    const running = await runLocal(es, 'redis', 'created', { sinkUrl: sink.url });
    const redis = createClient({ url: sharedBrokerUrl('redis') });
    await redis.connect();
    try {
      const ids: string[] = [];
      for (let i = 0; i < N; i++) ids.push(await redis.xAdd(stream, '*', { data: `order ${i}` }));
      await sink.waitFor(N);
      // Up to 10 in flight (below): each once, in whatever order the sink finished them.
      expect(sink.requests.map((r) => r.headers['ce-id']).sort()).toEqual(ids.map((id) => `${stream}-${id}`).sort());
      const first = sink.requests.find((r) => r.headers['ce-id'] === `${stream}-${ids[0]}`)!;
      expect([first.headers['content-type'], first.body.toString()]).toEqual(['text/plain; charset=utf-8', 'order 0']);
      await eventually(async () => ((await redis.xPending(stream, `default-esw-${es.metadata.name}-redis-created`)) as { pending: number }).pending === 0, 'no pending entries');
    } finally {
      await running.stop();
      await redis.quit();
      await sink.close();
    }
  });

  test.each([
    [undefined, 10],
    [3, 3],
  ])("a Redis stream's entries are delivered `concurrency` (%s) at a time, %s as daprd's pubsub.redis workers take them, started in the stream's order", async (concurrency, atOnce) => {
    // One at a time, a second request would never come; more than `atOnce` at a time, they would all be open together.
    const ENTRIES = 25;
    const sink = await startHoldingSink();
    const url = `${sink.url}/`;
    const stream = name('inflight');
    const es = eventSource({ sink: { uri: url }, redis: { e: { redisHost: sharedBrokerUrl('redis').replace('redis://', ''), redisPassword: '', stream, ...(concurrency ? { concurrency } : {}) } } }, name('es'));
    const redis = createClient({ url: sharedBrokerUrl('redis') });
    await redis.connect();
    // Written before the source starts, so its first read takes all 25.
    for (let i = 0; i < ENTRIES; i++) await redis.xAdd(stream, '*', { data: `e${i}` });
    const running = await runLocal(es, 'redis', 'e', { sinkUrl: url });
    try {
      for (let answered = 0; answered < ENTRIES; ) {
        const next = Math.min(atOnce, ENTRIES - answered);
        await eventually(() => sink.open() >= next, () => `${next} requests open at the sink (${sink.open()} are, ${sink.bodies.length} came)`);
        answered += sink.answer();
      }
      expect(sink.most()).toBe(atOnce);
      // The first requests are the first entries: handlers start in the stream's order.
      expect(sink.bodies.slice(0, atOnce).sort()).toEqual(Array.from({ length: atOnce }, (_, i) => `e${i}`).sort());
      expect(sink.bodies.slice().sort()).toEqual(Array.from({ length: ENTRIES }, (_, i) => `e${i}`).sort());
    } finally {
      await running.stop();
      await redis.quit();
      await sink.close();
    }
  });

  test('cron → in-memory bus: one event per tick, the tick time as a stable id', async () => {
    const bus = createMemoryBus();
    const scheduler = manualScheduler();
    const es = eventSource({ eventBus: 'default', cron: { tick: { schedule: '@every 5s' } } }, 'clock');
    const running = await runLocal(es, 'cron', 'tick', { bus, scheduler });
    const onBus = collect(bus, running.topic, 'g');
    await onBus.sub;
    scheduler.fire(new Date('2026-01-01T00:00:05Z'));
    scheduler.fire(new Date('2026-01-01T00:00:10Z'));
    await eventually(() => onBus.seen.length === 2, 'two ticks');
    expect(onBus.seen.map((e) => [e.id, e.type, e.time, e.data])).toEqual([
      ['clock-tick-2026-01-01T00:00:05.000Z', 'io.openfunction.events.cron', '2026-01-01T00:00:05.000Z', undefined],
      ['clock-tick-2026-01-01T00:00:10.000Z', 'io.openfunction.events.cron', '2026-01-01T00:00:10.000Z', undefined],
    ]);
    await running.stop();
  });
});

describe('eventsource local - failures lose nothing', () => {
  test('a sink answering 503 and then recovering: every MQTT message delivered, none twice', async () => {
    const sink = await startRecorder();
    sink.answers.push(...Array.from({ length: 6 }, () => ({ status: 503 })), { status: 202 });
    const topic = `outage/${name('t')}`;
    const es = eventSource({ sink: { uri: sink.url }, mqtt: { m: { url: sharedBrokerUrl('mosquitto'), topic } } }, name('es'));
    const running = await runLocal(es, 'mqtt', 'm', { sinkUrl: sink.url });
    try {
      await publishMqtt(sharedBrokerUrl('mosquitto'), topic, Array.from({ length: 10 }, (_, i) => `m${i}`));
      await eventually(() => okRequests(sink).length >= 10, '10 accepted deliveries');
      const accepted = okRequests(sink).map((r) => r.body.toString());
      expect(accepted.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}`).sort());
    } finally {
      await running.stop();
      await sink.close();
    }
  });

  test('a sink that is down (connection refused) and comes back: every Redis entry delivered once', async () => {
    const port = await freePort();
    const stream = name('down');
    const es = eventSource({ sink: { uri: `http://127.0.0.1:${port}/` }, redis: { e: { redisHost: sharedBrokerUrl('redis').replace('redis://', ''), redisPassword: '', stream, processingTimeout: '200ms', redeliverInterval: '100ms' } } }, name('es'));
    const running = await runLocal(es, 'redis', 'e', { sinkUrl: `http://127.0.0.1:${port}/` });
    const redis = createClient({ url: sharedBrokerUrl('redis') });
    await redis.connect();
    let sink: Recorder | undefined;
    try {
      for (let i = 0; i < 10; i++) await redis.xAdd(stream, '*', { data: `e${i}` });
      // The entries are read and their deliveries fail while nothing listens; then the sink starts.
      await eventually(async () => ((await redis.xPending(stream, `default-esw-${es.metadata.name}-redis-e`)) as { pending: number }).pending > 0, 'entries pending while the sink is down');
      sink = await startRecorder(200, port);
      await sink.waitFor(10);
      await eventually(async () => ((await redis.xPending(stream, `default-esw-${es.metadata.name}-redis-e`)) as { pending: number }).pending === 0, 'all acknowledged');
      const bodies = sink.requests.map((r) => r.body.toString());
      expect(bodies.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `e${i}`).sort());
    } finally {
      await running.stop();
      await redis.quit();
      await sink?.close();
    }
  });

  test('a JetStream restart mid-stream is survived: the client reconnects and every tick is stored once', async () => {
    const nats = await startBroker('nats');
    const bus = await connectJetStream({ url: nats.url, streamName: 'RESTART', publishTimeoutMs: 1000 });
    const scheduler = manualScheduler();
    const es = eventSource({ eventBus: 'default', cron: { tick: { schedule: '@every 1s' } } }, 'restarting');
    const running = await runLocal(es, 'cron', 'tick', { bus, scheduler });
    const onBus = collect(bus, running.topic, 'g');
    try {
      await onBus.sub;
      const at = (i: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, i));
      for (let i = 0; i < 5; i++) scheduler.fire(at(i));
      await eventually(() => onBus.seen.length >= 5, 'ticks before the restart');
      await nats.restart();
      for (let i = 5; i < 10; i++) scheduler.fire(at(i));
      await eventually(() => new Set(onBus.seen.map((e) => e.id)).size >= 10, 'ticks after the restart', 30_000);
      expect([...new Set(onBus.seen.map((e) => e.id))].sort()).toEqual(Array.from({ length: 10 }, (_, i) => `restarting-tick-${at(i).toISOString()}`).sort());
      // A publish whose acknowledgement was lost in the restart is retried; Nats-Msg-Id keeps it stored once.
      expect(onBus.seen).toHaveLength(10);
    } finally {
      await (await onBus.sub).stop().catch(() => undefined);
      await running.stop();
      await bus.close();
      await nats.stop();
    }
  });
});
