// Dapr component specs embedded in generated Functions (upstream-behaviour §4.3), metadata sorted by name so the
// output is stable (upstream's order was random per reconcile, which churned Functions). Credentials given as Secret
// references become Dapr `secretKeyRef`s, never plain text. Pure.
import { sortKeys } from './sort.js';
import type { EventBusSpec, KafkaSource, MqttSource, RedisSource, SecretValue } from '../../../lib/api/index.js';
import { goDuration } from '../../../lib/duration.js';

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
  const items: MetadataItem[] = [];
  // A plain loop over the sorted keys: every Function of every resync goes through here (bench/controller).
  for (const name of sortKeys(Object.keys(entries))) {
    const value = entries[name];
    if (value === undefined) continue;
    items.push(typeof value === 'object' ? { name, secretKeyRef: { name: value.secretKeyRef.name, key: value.secretKeyRef.key } } : { name, value: String(value) });
  }
  return items;
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
    // Without it a record the app failed is logged and skipped for good (conformance 1.3: the binding's default is
    // false, cc bindings/kafka). With it the consumer retries the record until the app takes it.
    consumeRetryEnabled: 'true',
  });
}

export const cronSourceComponent = (schedule: string): ComponentSpec => spec('bindings.cron', { schedule });

/** divergence: upstream used `bindings.mqtt`, which Dapr keeps only as an alias of `bindings.mqtt3` (1.10): we name the current one. */
export function mqttSourceComponent(m: MqttSource, consumerID: string): ComponentSpec {
  return spec('bindings.mqtt3', {
    url: m.url, topic: m.topic, consumerID, qos: m.qos, retain: m.retain, cleanSession: m.cleanSession, caCert: m.caCert, clientCert: m.clientCert, clientKey: m.clientKey,
    // The binding's default is 0: a message the app failed is neither retried nor acknowledged (conformance 1.8,
    // cc bindings/mqtt3 handleMessage). -1 retries every 5 s until the app takes it, then acknowledges.
    backOffMaxRetries: '-1',
  });
}

/**
 * divergence: upstream-behaviour §4.3 — upstream used the output-only `bindings.redis`, so a Redis EventSource never
 * received anything. Ours reads a Redis stream through Dapr's `pubsub.redis` (Redis Streams) as a pub/sub input.
 */
export function redisSourceComponent(r: RedisSource, consumerID: string): ComponentSpec {
  return spec('pubsub.redis', {
    redisHost: r.redisHost, redisPassword: r.redisPassword, consumerID, enableTLS: r.enableTLS, failover: r.failover, sentinelMasterName: r.sentinelMasterName,
    redeliverInterval: dur(r.redeliverInterval), processingTimeout: dur(r.processingTimeout), concurrency: r.concurrency || undefined, redisType: r.redisType, redisDB: r.redisDB, redisMaxRetries: r.redisMaxRetries,
    redisMinRetryInterval: r.redisMinRetryInterval, redisMaxRetryInterval: r.redisMaxRetryInterval, dialTimeout: r.dialTimeout, readTimeout: r.readTimeout,
    writeTimeout: r.writeTimeout, poolSize: r.poolSize, poolTimeout: r.poolTimeout, maxConnAge: r.maxConnAge, minIdleConns: r.minIdleConns,
    idleCheckFrequency: r.idleCheckFrequency, idleTimeout: r.idleTimeout,
  });
}

/**
 * The bus component of one consumer (EventSource or Trigger): the bus spec plus that consumer's identity.
 * `handlingMs`: the longest the consumer may take over one message. Unless the bus says otherwise, the broker waits
 * at least that long before redelivering (JetStream's ackWait is 30 s and Redis' processingTimeout 60 s by default:
 * a Trigger retrying a slow sink got its message a second time while still delivering the first).
 */
export function busComponent(bus: EventBusSpec, consumerID: string, handlingMs = 0): ComponentSpec {
  // Every consumer of a bus gets the same component but for its identity: built once per bus object and handling
  // time, with a placeholder where the identity goes, whose items (frozen) are shared by every plan of the bus.
  let byHandling = busTemplates.get(bus);
  if (!byHandling) busTemplates.set(bus, (byHandling = new Map()));
  let template = byHandling.get(handlingMs);
  if (!template) byHandling.set(handlingMs, (template = busTemplate(bus, handlingMs)));
  return { type: template.type, version: 'v1', metadata: template.metadata.map((m) => (m.value === CONSUMER ? { name: m.name, value: consumerID } : m)) };
}

const CONSUMER = '\u0000consumer';
const busTemplates = new WeakMap<EventBusSpec, Map<number, ComponentSpec>>();

function busTemplate(bus: EventBusSpec, handlingMs: number): ComponentSpec {
  const component = busComponentFor(bus, CONSUMER, handlingMs);
  for (const item of component.metadata) Object.freeze(item);
  return component;
}

function busComponentFor(bus: EventBusSpec, consumerID: string, handlingMs: number): ComponentSpec {
  const patience = handlingMs > 0 ? `${Math.ceil((handlingMs * 1.1) / 1000) + 5}s` : undefined;
  if (bus.jetstream) {
    const j = bus.jetstream;
    return spec('pubsub.jetstream', {
      natsURL: j.natsURL, streamName: j.streamName, startSequence: j.startSequence, ackWait: dur(j.ackWait) ?? patience,
      // Dapr knows `time` (with startTime in Unix seconds), not `startTime` with RFC 3339 (conformance 1.14).
      deliverPolicy: j.deliverPolicy === 'startTime' ? 'time' : j.deliverPolicy,
      startTime: j.startTime === undefined ? undefined : unixSeconds(j.startTime),
      maxDeliver: j.maxDeliver, maxAckPending: j.maxAckPending, replicas: j.replicas, memoryStorage: j.memoryStorage, token: j.token, jwt: j.jwt, seedKey: j.seedKey,
      // JetStream has no consumerID: competing consumers share a durable name and a queue group (runtime-contract §5.8).
      durableName: consumerID, queueGroupName: consumerID,
    });
  }
  if (bus.kafka) {
    const k = bus.kafka;
    return spec('pubsub.kafka', {
      brokers: k.brokers, consumerGroup: consumerID, clientID: consumerID, authType: k.authType ?? 'none', saslUsername: k.saslUsername, saslPassword: k.saslPassword,
      // Dapr reads SHA-256 / SHA-512 and silently falls back to PLAIN for anything else (conformance 1.18).
      saslMechanism: k.saslMechanism?.replace(/^SCRAM-/, ''), initialOffset: k.initialOffset, maxMessageBytes: k.maxMessageBytes, caCert: k.caCert, clientCert: k.clientCert, clientKey: k.clientKey,
    });
  }
  if (bus.redis) {
    const r = bus.redis;
    return spec('pubsub.redis', {
      redisHost: r.redisHost, redisUsername: r.redisUsername, redisPassword: r.redisPassword, redisDB: r.redisDB, enableTLS: r.enableTLS, maxLenApprox: r.maxLenApprox,
      processingTimeout: dur(r.processingTimeout) ?? patience, redeliverInterval: dur(r.redeliverInterval), concurrency: r.concurrency, consumerID,
    });
  }
  const n = bus.natsStreaming!;
  return spec('pubsub.natsstreaming', {
    natsURL: n.natsURL, natsStreamingClusterID: n.natsStreamingClusterID, subscriptionType: n.subscriptionType, durableSubscriptionName: n.durableSubscriptionName,
    // Dapr accepts only "true" for these three: "false" is an Init error (conformance 1.19), so false is left out.
    ackWaitTime: n.ackWaitTime, maxInFlight: n.maxInFlight, deliverNew: n.deliverNew || undefined, startAtSequence: n.startAtSequence,
    startWithLastReceived: n.startWithLastReceived || undefined, deliverAll: n.deliverAll || undefined, startAtTimeDelta: n.startAtTimeDelta, startAtTime: n.startAtTime, startAtTimeFormat: n.startAtTimeFormat, consumerID,
  });
}

/**
 * A sink. `timeout` (a subscriber's delivery.timeout, default 10 s as the local runtime's) bounds each request in the
 * sidecar: bindings.http has no timeout of its own, so a sink that hangs would hold the request until the handler's
 * sidecar client gave up.
 */
export const httpSinkComponent = (url: string, timeout = '10s'): ComponentSpec => spec('bindings.http', { url, responseTimeout: dur(timeout) });

function dur(value: string | undefined): string | undefined {
  return value === undefined ? undefined : goDuration(value);
}

/** RFC 3339 → Unix seconds; anything else as written, for Dapr to reject. */
function unixSeconds(time: string): string {
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? time : String(Math.floor(ms / 1000));
}
