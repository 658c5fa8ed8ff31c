// EventSource (upstream-behaviour §2.2): one Function per declared event, keyed by event name under its source kind.
import { z } from 'zod';
import { EXTENSION, genericScaleOption, int64, opaqueObject, resourceSchema, secretValue, sink } from './common.js';

const kafkaScaleOption = z
  .strictObject({
    ...genericScaleOption,
    consumerGroup: z.string().optional().describe('Ignored: the consumer group is derived (see README, naming).'),
    topic: z.string().optional().describe('Ignored: the topic of the event is used.'),
    lagThreshold: z.string().describe('Consumer lag per replica at which KEDA scales out.'),
  })
  .describe('KEDA scaling on Kafka consumer lag.');

export const kafkaSource = z
  .strictObject({
    brokers: z.string().describe('Comma-separated Kafka brokers, host:port.'),
    topic: z.string().optional().describe('Kafka topic to consume.'),
    authRequired: z.boolean().describe('Whether SASL authentication is used.'),
    saslUsername: z.string().optional().describe('SASL user name.'),
    saslPassword: secretValue('SASL password').optional(),
    maxMessageBytes: int64().optional().describe('Largest message accepted, in bytes (Dapr default 1024).'),
    scaleOption: kafkaScaleOption.optional(),
  })
  .describe('A Kafka topic as an event source.');

export const cronSource = z
  .strictObject({
    schedule: z.string().describe('When to fire: "@every 5s", "@hourly" or a cron expression, as Dapr bindings.cron.'),
  })
  .describe('A schedule as an event source.');

export const mqttSource = z
  .strictObject({
    url: z.string().describe('Broker URL, e.g. tcp://mosquitto:1883 or ssl://host:8883.'),
    topic: z.string().describe('Topic (filter) to subscribe to.'),
    consumerID: z.string().optional().describe('Ignored: the client id is derived (see README, naming).'),
    qos: int64().optional().describe('Quality of service: 0, 1 or 2.'),
    retain: z.boolean().optional().describe('Retain flag for messages the binding publishes.'),
    cleanSession: z.boolean().optional().describe('Start a clean session on connect.'),
    caCert: secretValue('CA certificate (PEM)').optional(),
    clientCert: secretValue('Client certificate (PEM)').optional(),
    clientKey: secretValue('Client private key (PEM)').optional(),
  })
  .describe('An MQTT topic as an event source.');

export const redisSource = z
  .strictObject({
    redisHost: z.string().describe('Redis address, host:port.'),
    redisPassword: secretValue('Redis password (required by upstream; may be "")'),
    stream: z
      .string()
      .optional()
      .describe(`Redis stream to read; defaults to the event name ${EXTENSION}.`),
    enableTLS: z.boolean().optional().describe('Connect with TLS.'),
    failover: z.boolean().optional().describe('Use Redis Sentinel failover.'),
    sentinelMasterName: z.string().optional().describe('Sentinel master name.'),
    redeliverInterval: z.string().optional().describe('How often pending messages are checked for redelivery.'),
    processingTimeout: z.string().optional().describe('How long a message may stay pending before redelivery.'),
    concurrency: int64()
      .min(0)
      .optional()
      .describe(`Entries delivered at once (Dapr pubsub.redis \`concurrency\`; 0 or unset: 10); 1 delivers them one at a time, in the stream's order ${EXTENSION}.`),
    redisType: z.string().optional().describe('node or cluster.'),
    redisDB: int64().optional().describe('Database number.'),
    redisMaxRetries: int64().optional().describe('Maximum command retries.'),
    redisMinRetryInterval: z.string().optional().describe('Minimum back-off between retries.'),
    redisMaxRetryInterval: z.string().optional().describe('Maximum back-off between retries.'),
    dialTimeout: z.string().optional().describe('Dial timeout.'),
    readTimeout: z.string().optional().describe('Read timeout.'),
    writeTimeout: z.string().optional().describe('Write timeout.'),
    poolSize: int64().optional().describe('Connection pool size.'),
    poolTimeout: z.string().optional().describe('Pool wait timeout.'),
    maxConnAge: z.string().optional().describe('Connection age at which it is recycled.'),
    minIdleConns: int64().optional().describe('Minimum idle connections.'),
    idleCheckFrequency: z.string().optional().describe('Idle reaper frequency.'),
    idleTimeout: z.string().optional().describe('Idle connection timeout.'),
  })
  .describe(`A Redis stream as an event source (upstream's Redis source could never receive) ${EXTENSION}.`);

const eventsOf = <S extends z.ZodType>(source: S, kind: string) =>
  z.record(z.string().min(1), source).optional().describe(`${kind} events, keyed by event name.`);

export const eventSourceSpec = z
  .strictObject({
    eventBus: z.string().optional().describe('EventBus (or else ClusterEventBus) the events are published to.'),
    redis: eventsOf(redisSource, 'Redis'),
    kafka: eventsOf(kafkaSource, 'Kafka'),
    cron: eventsOf(cronSource, 'Cron'),
    mqtt: eventsOf(mqttSource, 'MQTT'),
    sink: sink.optional(),
    build: opaqueObject('Accepted for compatibility and ignored, as upstream.').optional(),
    logLevel: z.string().optional().describe('Handler log level: "1" (default), "2" logs every event, "3" debug.'),
  })
  .describe('Event sources, and where their events go: an event bus, a sink, or both.');

export const eventSource = resourceSchema('EventSource', eventSourceSpec, 'EventSource turns external events into CloudEvents on a bus or a sink.');

export type EventSource = z.infer<typeof eventSource>;
export type EventSourceSpec = z.infer<typeof eventSourceSpec>;
export type KafkaSource = z.infer<typeof kafkaSource>;
export type CronSource = z.infer<typeof cronSource>;
export type MqttSource = z.infer<typeof mqttSource>;
export type RedisSource = z.infer<typeof redisSource>;
