// Kafka, on kafkajs: the bus (one topic per bus topic, CloudEvents in structured mode keyed by id) and the source
// (a consumer group per event). Tested against a real single-node KRaft Kafka 4 (test/integration/kafka-local):
// kafkajs 2.2 speaks protocol versions Kafka 4 still accepts, and it runs on Node 16.
import { Kafka, type KafkaMessage, type SASLOptions } from 'kafkajs';
import { decodeStructured, encodeStructured, type Event } from '../cloudevents.js';
import { DeliveryError } from '../errors.js';
import type { Bus, Deliver, Source, Subscription } from './types.js';

export interface KafkaOptions {
  brokers: string[];
  clientId: string;
  sasl?: SASLOptions;
  ssl?: boolean;
}

/** A bus record: key = CloudEvent id (a partition keeps one event's redeliveries in order), value = structured. */
export function toKafkaRecord(event: Event): { key: string; value: Buffer; headers: Record<string, string> } {
  return { key: event.id, value: encodeStructured(event), headers: { 'content-type': 'application/cloudevents+json; charset=utf-8' } };
}

export const fromKafkaRecord = (message: Pick<KafkaMessage, 'value'>): Event => decodeStructured(message.value ?? Buffer.alloc(0));

/** What a Kafka source tells the handler about a record: its coordinates make a stable CloudEvent id. */
export function sourceMetadataOf(topic: string, partition: number, message: Pick<KafkaMessage, 'offset' | 'key' | 'timestamp'>): Record<string, string> {
  return {
    topic,
    partition: String(partition),
    offset: message.offset,
    ...(message.key ? { key: message.key.toString('utf8') } : {}),
    ...(message.timestamp ? { time: new Date(Number(message.timestamp)).toISOString() } : {}),
  };
}

const kafkaOf = (o: KafkaOptions) => new Kafka({ clientId: o.clientId, brokers: o.brokers, ...(o.sasl ? { sasl: o.sasl } : {}), ...(o.ssl ? { ssl: true } : {}) });

export async function connectKafkaBus(options: KafkaOptions): Promise<Bus> {
  const kafka = kafkaOf(options);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const consumers: Array<{ disconnect(): Promise<void> }> = [];
  return {
    kind: 'kafka',
    async publish(topic, event) {
      try {
        await producer.send({ topic, acks: -1, messages: [toKafkaRecord(event)] });
      } catch (e) {
        throw new DeliveryError(`cannot publish to Kafka topic ${topic}: ${(e as Error).message}`, true, e);
      }
    },
    async subscribe(topic, group, handler) {
      const consumer = kafka.consumer({ groupId: group });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      consumers.push(consumer);
      await consumer.run({
        eachMessage: async ({ message }) => {
          let verdict;
          try {
            verdict = await handler(fromKafkaRecord(message));
          } catch {
            verdict = 'drop' as const;
          }
          // Throwing leaves the offset uncommitted: kafkajs seeks back and the record is consumed again.
          if (verdict === 'retry') throw new DeliveryError('retry requested', true);
        },
      });
      return { stop: () => consumer.disconnect() } satisfies Subscription;
    },
    async close() {
      await Promise.all(consumers.map((c) => c.disconnect()));
      await producer.disconnect();
    },
  };
}

export function kafkaSource(options: KafkaOptions & { topic: string; groupId: string }): Source {
  const kafka = kafkaOf(options);
  const consumer = kafka.consumer({ groupId: options.groupId });
  return {
    async start(deliver: Deliver) {
      await consumer.connect();
      await consumer.subscribe({ topic: options.topic, fromBeginning: false });
      await consumer.run({
        // A rejected delivery throws here: the offset is not committed and kafkajs consumes the record again.
        eachMessage: async ({ topic, partition, message }) => deliver(message.value ?? Buffer.alloc(0), sourceMetadataOf(topic, partition, message)),
      });
    },
    stop: () => consumer.disconnect(),
  };
}
