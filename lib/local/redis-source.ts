// Redis source: reads a Redis stream through a consumer group (upstream used Dapr's output-only Redis binding and
// never received anything). An entry is acknowledged once the function took it; one it did not take stays
// pending and is claimed again after `processingTimeoutMs`. Up to `concurrency` entries are in flight, as daprd's
// pubsub.redis (what the controller generates for this source) runs 10 workers unless told otherwise (cc
// common/component/redis/redis.go: `settings.Concurrency = 10`); one at a time, the source waited for each event's
// publish and XACK round trips, and that bound `dev`'s whole pipeline (bench/soak's maximum).
import type { createClient } from 'redis';
import { closeRedis, redisClient } from '../io/redis.js';
import { readGroup } from './redis-streams.js';
import type { Deliver, Source } from './types.js';

export interface RedisSourceOptions {
  url: string;
  stream: string;
  group: string;
  consumer?: string;
  processingTimeoutMs?: number;
  redeliverIntervalMs?: number;
  /** Entries in flight at once (default 10, as daprd's); handlers start in the stream's order. */
  concurrency?: number;
}

const DAPR_REDIS_CONCURRENCY = 10;

export function redisSource(options: RedisSourceOptions): Source {
  let client: ReturnType<typeof createClient> | undefined;
  let stop: (() => Promise<void>) | undefined;
  return {
    async start(deliver: Deliver) {
      const own = (client = redisClient(options.url)); // reconnects once connected; reads retry
      await own.connect();
      // stop() while connecting ends connect() without an error: do not start reading on a closed client.
      if (!own.isReady) throw new Error(`Redis at ${options.url}: stopped before it connected`);
      stop = readGroup(client, options.stream, options.group, options.consumer ?? `${options.group}-${process.pid}`, async (entry) => {
        const ms = Number(entry.id.split('-')[0]);
        // A plain `data` field is the payload; an entry with other fields is delivered as their JSON object.
        const keys = Object.keys(entry.fields);
        const payload = keys.length === 1 && keys[0] === 'data' ? Buffer.from(entry.fields.data!, 'utf8') : Buffer.from(JSON.stringify(entry.fields), 'utf8');
        await deliver(payload, { stream: options.stream, id: entry.id, ...(Number.isFinite(ms) ? { time: new Date(ms).toISOString() } : {}) });
        return 'ack';
      }, { processingTimeoutMs: options.processingTimeoutMs ?? 30_000, redeliverIntervalMs: options.redeliverIntervalMs ?? 5_000, concurrency: options.concurrency ?? DAPR_REDIS_CONCURRENCY });
    },
    async stop() {
      await stop?.();
      await closeRedis(client);
    },
  };
}
