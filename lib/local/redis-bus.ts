// Redis Streams bus (as Dapr's pubsub.redis): one stream per topic, one consumer group per subscriber group.
// A message stays pending until acknowledged; pending messages idle longer than `processingTimeoutMs` are claimed
// again, so a crash or a `retry` verdict never loses one.
import type { createClient } from 'redis';
import { closeRedis, redisClient } from '../io/redis.js';
import { decodeStructured, encodeStructured, type Event } from '../cloudevents.js';
import { DeliveryError } from '../errors.js';
import { readGroup, type StreamEntry } from './redis-streams.js';
import type { Bus, Subscription, Verdict } from './types.js';

export interface RedisBusOptions {
  url: string;
  maxLenApprox?: number;
  processingTimeoutMs?: number;
  redeliverIntervalMs?: number;
  /** Messages in flight per subscription (the bus spec's `concurrency`; Dapr's pubsub.redis defaults to 10). */
  concurrency?: number;
  /** What the bus says when it repairs itself (a consumer group recreated after the server lost it). */
  notice?: (message: string) => void;
}

export async function connectRedisBus(options: RedisBusOptions): Promise<Bus> {
  const client = redisClient(options.url);
  await client.connect();
  const readers: Array<ReturnType<typeof createClient>> = [];
  return {
    kind: 'redis',
    async publish(topic, event) {
      try {
        await client.xAdd(topic, '*', { data: encodeStructured(event).toString('utf8') }, options.maxLenApprox ? { TRIM: { strategy: 'MAXLEN', strategyModifier: '~', threshold: options.maxLenApprox } } : undefined);
      } catch (e) {
        throw new DeliveryError(`cannot publish to Redis stream ${topic}: ${(e as Error).message}`, true, e);
      }
    },
    async subscribe(topic, group, handler, subscribeOptions) {
      const reader = client.duplicate();
      reader.on('error', () => {});
      await reader.connect();
      readers.push(reader);
      const stop = readGroup(reader, topic, group, `${group}-${process.pid}`, async (entry: StreamEntry): Promise<Verdict> => {
        let event: Event;
        try {
          event = decodeStructured(Buffer.from(entry.fields.data ?? '', 'utf8'));
        } catch {
          return 'drop';
        }
        return handler(event);
      }, {
        processingTimeoutMs: options.processingTimeoutMs ?? 30_000,
        redeliverIntervalMs: options.redeliverIntervalMs ?? 5_000,
        // The bus's own setting bounds what a subscriber asks for (a Trigger asks for 64).
        concurrency: Math.min(subscribeOptions?.concurrency ?? 1, options.concurrency ?? 10),
        ...(options.notice ? { notice: options.notice } : {}),
      });
      return { stop } satisfies Subscription;
    },
    async close() {
      await Promise.all(readers.map((r) => closeRedis(r)));
      await closeRedis(client);
    },
  };
}
