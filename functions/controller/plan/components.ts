// Dapr component specs embedded in generated Functions (upstream-behaviour §4.3), metadata sorted by name so the
// output is stable (upstream's order was random per reconcile, which churned Functions). Credentials given as Secret
// references become Dapr `secretKeyRef`s, never plain text. Pure.
import type { EventBusSpec, KafkaSource, MqttSource, RedisSource, SecretValue } from '../../../lib/api/index.js';

export interface MetadataItem {
  name: string;
  value?: string;
  secretKeyRef?: { name: string; key: string };
}

export interface ComponentSpec {
  type: string;
  version: 'v1';
  metadata: MetadataItem[];
}

type Value = string | number | boolean | SecretValue | undefined;

/** Sorted metadata; undefined values are left out; numbers and booleans as Dapr reads them, strings. */
export function metadata(entries: Record<string, Value>): MetadataItem[] {
  return Object.entries(entries)
    .filter((e): e is [string, Exclude<Value, undefined>] => e[1] !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => (typeof value === 'object' ? { name, secretKeyRef: { name: value.secretKeyRef.name, key: value.secretKeyRef.key } } : { name, value: String(value) }));
}

const spec = (type: string, entries: Record<string, Value>): ComponentSpec => ({ type, version: 'v1', metadata: metadata(entries) });

export function kafkaSourceComponent(k: KafkaSource, consumerGroup: string): ComponentSpec {
  return spec('bindings.kafka', {
    brokers: k.brokers,
    topics: k.topic,
    publishTopic: k.topic,
    consumerGroup,
    // authRequired is what Dapr ≤ 1.10 reads; authType replaced it.
    authRequired: k.authRequired,
    authType: k.authRequired ? 'password' : 'none',
    saslUsername: k.saslUsername,
    saslPassword: k.saslPassword,
    maxMessageBytes: k.maxMessageBytes,
  });
}

export const cronSourceComponent = (schedule: string): ComponentSpec => spec('bindings.cron', { schedule });

/** divergence: upstream used `bindings.mqtt`; Dapr replaced it with `bindings.mqtt3` (1.10) and removed the old one. */
export function mqttSourceComponent(m: MqttSource, consumerID: string): ComponentSpec {
  return spec('bindings.mqtt3', { url: m.url, topic: m.topic, consumerID, qos: m.qos, retain: m.retain, cleanSession: m.cleanSession, caCert: m.caCert, clientCert: m.clientCert, clientKey: m.clientKey });
}

/**
 * divergence: upstream-behaviour §4.3 — upstream used the output-only `bindings.redis`, so a Redis EventSource never
 * received anything. Ours reads a Redis stream through Dapr's `pubsub.redis` (Redis Streams) as a pub/sub input.
 */
export function redisSourceComponent(r: RedisSource, consumerID: string): ComponentSpec {
  return spec('pubsub.redis', {
    redisHost: r.redisHost, redisPassword: r.redisPassword, consumerID, enableTLS: r.enableTLS, failover: r.failover, sentinelMasterName: r.sentinelMasterName,
    redeliverInterval: r.redeliverInterval, processingTimeout: r.processingTimeout, redisType: r.redisType, redisDB: r.redisDB, redisMaxRetries: r.redisMaxRetries,
    redisMinRetryInterval: r.redisMinRetryInterval, redisMaxRetryInterval: r.redisMaxRetryInterval, dialTimeout: r.dialTimeout, readTimeout: r.readTimeout,
    writeTimeout: r.writeTimeout, poolSize: r.poolSize, poolTimeout: r.poolTimeout, maxConnAge: r.maxConnAge, minIdleConns: r.minIdleConns,
    idleCheckFrequency: r.idleCheckFrequency, idleTimeout: r.idleTimeout,
  });
}

/** The bus component of one consumer (EventSource or Trigger): the bus spec plus that consumer's identity. */
export function busComponent(bus: EventBusSpec, consumerID: string): ComponentSpec {
  if (bus.jetstream) {
    const j = bus.jetstream;
    return spec('pubsub.jetstream', {
      natsURL: j.natsURL, streamName: j.streamName, deliverPolicy: j.deliverPolicy, startSequence: j.startSequence, startTime: j.startTime, ackWait: j.ackWait,
      maxDeliver: j.maxDeliver, maxAckPending: j.maxAckPending, replicas: j.replicas, memoryStorage: j.memoryStorage, token: j.token, jwt: j.jwt, seedKey: j.seedKey,
      // JetStream has no consumerID: competing consumers share a durable name and a queue group (runtime-contract §5.8).
      durableName: consumerID, queueGroupName: consumerID,
    });
  }
  if (bus.kafka) {
    const k = bus.kafka;
    return spec('pubsub.kafka', {
      brokers: k.brokers, consumerGroup: consumerID, clientID: consumerID, authType: k.authType ?? 'none', saslUsername: k.saslUsername, saslPassword: k.saslPassword,
      saslMechanism: k.saslMechanism, initialOffset: k.initialOffset, maxMessageBytes: k.maxMessageBytes, caCert: k.caCert, clientCert: k.clientCert, clientKey: k.clientKey,
    });
  }
  if (bus.redis) {
    const r = bus.redis;
    return spec('pubsub.redis', {
      redisHost: r.redisHost, redisUsername: r.redisUsername, redisPassword: r.redisPassword, redisDB: r.redisDB, enableTLS: r.enableTLS, maxLenApprox: r.maxLenApprox,
      processingTimeout: r.processingTimeout, redeliverInterval: r.redeliverInterval, concurrency: r.concurrency, consumerID,
    });
  }
  const n = bus.natsStreaming!;
  return spec('pubsub.natsstreaming', {
    natsURL: n.natsURL, natsStreamingClusterID: n.natsStreamingClusterID, subscriptionType: n.subscriptionType, durableSubscriptionName: n.durableSubscriptionName,
    ackWaitTime: n.ackWaitTime, maxInFlight: n.maxInFlight, deliverNew: n.deliverNew, startAtSequence: n.startAtSequence, startWithLastReceived: n.startWithLastReceived,
    deliverAll: n.deliverAll, startAtTimeDelta: n.startAtTimeDelta, startAtTime: n.startAtTime, startAtTimeFormat: n.startAtTimeFormat, consumerID,
  });
}

export const httpSinkComponent = (url: string): ComponentSpec => spec('bindings.http', { url });
