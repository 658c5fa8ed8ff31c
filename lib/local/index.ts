// The local runtime: buses, sources and sinks built from the resources' own specs, so that `ofn-events dev` and the
// integration tests run the same handlers as the cluster does, on real brokers or in memory.
import type { EventBusSpec, EventSource, SecretValue } from '../api/index.js';
import { parseDuration } from '../duration.js';
import { InvalidSpecError } from '../errors.js';
import { kafkaConsumerGroup, mqttClientId, redisConsumerGroup, type SourceKind } from '../naming.js';
import { cronSource, type Scheduler } from './cron.js';
import { connectJetStream } from './jetstream.js';
import { connectKafkaBus, kafkaSource } from './kafka.js';
import { createMemoryBus } from './memory.js';
import { mqttSource } from './mqtt-source.js';
import { connectRedisBus } from './redis-bus.js';
import { redisSource } from './redis-source.js';
import type { Bus, Source } from './types.js';

export { createMemoryBus, connectJetStream, connectRedisBus, connectKafkaBus };
export { httpSink } from './sink.js';
export { busOutput, deliverTo, runEventSource } from './eventsource.js';
export { runTrigger } from './trigger.js';
export type { Bus, Deliver, Output, Source, Subscription, Verdict } from './types.js';

/** Secret references need a cluster; locally a credential must be given inline. */
export function plain(value: SecretValue | undefined, path: string): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  throw new InvalidSpecError(`${path}: a secretKeyRef cannot be read without a cluster; give the value inline for local runs`, path);
}

const ms = (text: string | undefined, fallback: number): number => (text === undefined ? fallback : (parseDuration(text) ?? fallback));

/**
 * A client for the bus a spec describes. NATS Streaming is served by JetStream on the same NATS URL, with a
 * warning: it is end of life, and a NATS Streaming server's own protocol is not spoken here.
 */
export async function connectBus(spec: EventBusSpec, path = 'spec', warn: (message: string) => void = () => {}, notice: (message: string) => void = warn): Promise<Bus> {
  if (spec.jetstream) {
    const j = spec.jetstream;
    return connectJetStream({
      url: j.natsURL,
      notice,
      ...(j.streamName ? { streamName: j.streamName } : {}),
      ...(j.ackWait ? { ackWaitMs: ms(j.ackWait, 30_000) } : {}),
      ...(j.deliverPolicy === 'new' || j.deliverPolicy === 'last' || j.deliverPolicy === 'all' ? { deliverPolicy: j.deliverPolicy } : {}),
      ...(j.maxAckPending ? { maxAckPending: j.maxAckPending } : {}),
      ...(plain(j.token, `${path}.jetstream.token`) ? { token: plain(j.token, `${path}.jetstream.token`)! } : {}),
    });
  }
  if (spec.natsStreaming) {
    warn(`${path}.natsStreaming: NATS Streaming is end of life (Dapr removed pubsub.natsstreaming in 1.13); running this bus on JetStream at ${spec.natsStreaming.natsURL}. Prefer a jetstream bus.`);
    return connectJetStream({ url: spec.natsStreaming.natsURL, notice });
  }
  if (spec.redis) {
    const r = spec.redis;
    const password = plain(r.redisPassword, `${path}.redis.redisPassword`);
    const auth = r.redisUsername || password ? `${encodeURIComponent(r.redisUsername ?? '')}:${encodeURIComponent(password ?? '')}@` : '';
    return connectRedisBus({
      url: `${r.enableTLS ? 'rediss' : 'redis'}://${auth}${r.redisHost}/${r.redisDB ?? 0}`,
      notice,
      ...(r.maxLenApprox ? { maxLenApprox: r.maxLenApprox } : {}),
      processingTimeoutMs: ms(r.processingTimeout, 30_000),
      redeliverIntervalMs: ms(r.redeliverInterval, 5_000),
      ...(r.concurrency ? { concurrency: r.concurrency } : {}),
    });
  }
  if (spec.kafka) {
    const k = spec.kafka;
    const password = plain(k.saslPassword, `${path}.kafka.saslPassword`);
    return connectKafkaBus({
      brokers: k.brokers.split(',').map((b) => b.trim()),
      clientId: 'ofn-events',
      ...(k.authType === 'password' && k.saslUsername && password ? { sasl: { mechanism: (k.saslMechanism ?? 'PLAIN').toLowerCase() as 'plain', username: k.saslUsername, password } } : {}),
    });
  }
  return createMemoryBus();
}

export interface SourceIdentity {
  namespace: string;
  eventSource: string;
  event: string;
}

/** The source of one declared event of an EventSource. */
export function sourceFor(kind: SourceKind, es: EventSource, id: SourceIdentity, options: { scheduler?: Scheduler; notice?: (message: string) => void } = {}): Source {
  const path = `spec.${kind}[${JSON.stringify(id.event)}]`;
  switch (kind) {
    case 'cron':
      return cronSource({ schedule: es.spec.cron![id.event]!.schedule, eventSource: id.eventSource, event: id.event, ...(options.scheduler ? { scheduler: options.scheduler } : {}), ...(options.notice ? { notice: options.notice } : {}) });
    case 'mqtt': {
      const m = es.spec.mqtt![id.event]!;
      const url = m.url.replace(/^tcp:\/\//, 'mqtt://').replace(/^ssl:\/\//, 'mqtts://');
      const [ca, cert, key] = [plain(m.caCert, `${path}.caCert`), plain(m.clientCert, `${path}.clientCert`), plain(m.clientKey, `${path}.clientKey`)];
      return mqttSource({
        url, topic: m.topic, clientId: mqttClientId(id.namespace, id.eventSource, id.event), qos: (m.qos ?? 1) as 0 | 1 | 2,
        ...(m.cleanSession === undefined ? {} : { cleanSession: m.cleanSession }), ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}),
      });
    }
    case 'redis': {
      const r = es.spec.redis![id.event]!;
      const password = plain(r.redisPassword, `${path}.redisPassword`);
      return redisSource({
        url: `${r.enableTLS ? 'rediss' : 'redis'}://${password ? `:${encodeURIComponent(password)}@` : ''}${r.redisHost}/${r.redisDB ?? 0}`,
        stream: r.stream ?? id.event,
        group: redisConsumerGroup(id.namespace, id.eventSource, id.event),
        processingTimeoutMs: ms(r.processingTimeout, 30_000),
        redeliverIntervalMs: ms(r.redeliverInterval, 5_000),
        // 0 is daprd's default, as unset.
        ...(r.concurrency ? { concurrency: r.concurrency } : {}),
      });
    }
    case 'kafka': {
      const k = es.spec.kafka![id.event]!;
      const password = plain(k.saslPassword, `${path}.saslPassword`);
      return kafkaSource({
        brokers: k.brokers.split(',').map((b) => b.trim()),
        clientId: 'ofn-events',
        topic: k.topic ?? '',
        groupId: kafkaConsumerGroup(id.namespace, id.eventSource, id.event),
        ...(k.authRequired && k.saslUsername && password ? { sasl: { mechanism: 'plain' as const, username: k.saslUsername, password } } : {}),
      });
    }
  }
}
