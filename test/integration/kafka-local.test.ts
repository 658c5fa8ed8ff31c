// The local runtime's Kafka adapters (kafkajs) against a real single-node KRaft Kafka 4 broker (scripts/peers.sh
// kafka): the bus built from an EventBus spec, and the source, each with redelivery of what the function refused.
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import type { Event } from '../../lib/cloudevents.js';
import { connectBus } from '../../lib/local/index.js';
import { kafkaSource } from '../../lib/local/kafka.js';
import { sourceMessageOf } from '../../functions/eventsource-handler/index.js';
import { startBroker, type Broker } from '../../runtime/brokers.js';
import { eventually } from '../support/local.js';

const TIMEOUT = 120_000;
let kafka: Broker;

beforeAll(async () => {
  kafka = await startBroker('kafka');
}, TIMEOUT);
afterAll(() => kafka?.stop(), TIMEOUT);

const event = (id: string): Event => ({ specversion: '1.0', id, source: '/s', type: 't', time: '2026-01-01T00:00:00Z', datacontenttype: 'application/json', data: { id } });

test('bus: publish, then a subscriber group receives each event once; retry redelivers', async () => {
  const bus = await connectBus({ kafka: { brokers: kafka.url } });
  const topic = `bus-${process.pid}`;
  const seen: string[] = [];
  let retried = false;
  // The topic exists before the group joins (a consumer of a missing topic waits for metadata).
  await bus.publish(topic, event('a'));
  const sub = await bus.subscribe(topic, 'g', async (e) => {
    seen.push(e.id);
    if (e.id === 'b' && !retried) return (retried = true), 'retry';
    return 'ack';
  });
  try {
    for (const id of ['b', 'c']) await bus.publish(topic, event(id));
    await eventually(() => seen.filter((s) => s === 'b').length === 2 && seen.includes('c'), 'three events and one redelivery', 60_000);
    expect([...seen].sort()).toEqual(['a', 'b', 'b', 'c']);
  } finally {
    await sub.stop();
    await bus.close();
  }
}, TIMEOUT);

test('source: each record reaches the function with coordinates that make a stable id; a refused record comes again', async () => {
  const topic = `src-${process.pid}`;
  const producer = new Kafka({ brokers: [kafka.url], logLevel: logLevel.NOTHING }).producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  await producer.send({ topic, messages: [{ value: 'warm-up' }] });
  const seen: Array<{ value: string; id: string | undefined }> = [];
  let refused = false;
  const source = kafkaSource({ brokers: [kafka.url], clientId: 'test', topic, groupId: `g-${process.pid}` });
  await source.start(async (payload, metadata) => {
    const value = payload.toString();
    seen.push({ value, id: sourceMessageOf('kafka', metadata, payload).id });
    if (value === 'two' && !refused) {
      refused = true;
      throw new Error('not now');
    }
  });
  try {
    // The source starts at the newest offset: send until the group has joined and reads.
    await eventually(async () => (await producer.send({ topic, messages: [{ value: 'probe' }] }), seen.length > 0), 'the consumer group joined', 60_000);
    await producer.send({ topic, messages: [{ value: 'one' }, { value: 'two' }, { value: 'three' }] });
    await eventually(() => seen.filter((s) => s.value === 'two').length === 2 && seen.some((s) => s.value === 'three'), 'the refused record again, and the next', 60_000);
    const twos = seen.filter((s) => s.value === 'two');
    expect(twos[0]!.id).toMatch(new RegExp(`^${topic}-0-\\d+$`));
    expect(twos[1]!.id).toBe(twos[0]!.id);
  } finally {
    await source.stop();
    await producer.disconnect();
  }
}, TIMEOUT);
