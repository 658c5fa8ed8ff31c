// EventBus and ClusterEventBus (upstream-behaviour §2.3): the same spec, a template of the Dapr pub/sub component that
// each EventSource and Trigger on the bus gets its own copy of. `natsStreaming` is upstream's only backend;
// `jetstream`, `kafka` and `redis` are our additions.
import { z } from 'zod';
import { EXTENSION, duration, genericScaleOption, int32, int64, resourceSchema, secretValue } from './common.js';

const natsStreamingScaleOption = z
  .strictObject({
    ...genericScaleOption,
    natsServerMonitoringEndpoint: z.string().describe('NATS Streaming monitoring endpoint, host:port.'),
    lagThreshold: z.string().describe('Pending messages per replica at which KEDA scales out.'),
    queueGroup: z.string().optional().describe('Ignored: derived per consumer.'),
    durableName: z.string().optional().describe('Ignored: durableSubscriptionName is used.'),
    subject: z.string().optional().describe('Ignored: derived per input.'),
  })
  .describe('KEDA scaling of Trigger Functions on NATS Streaming lag.');

export const natsStreamingBus = z
  .strictObject({
    natsURL: z.string().describe('NATS server URL, e.g. nats://nats:4222.'),
    natsStreamingClusterID: z.string().describe('NATS Streaming cluster id.'),
    subscriptionType: z.string().describe('topic or queue.'),
    durableSubscriptionName: z.string().describe('Durable subscription name.'),
    ackWaitTime: z.string().optional().describe('How long the server waits for an ack, e.g. 30s.'),
    maxInFlight: int64().optional().describe('Maximum unacknowledged messages.'),
    deliverNew: z.boolean().optional().describe('Start with new messages only.'),
    startAtSequence: int64().optional().describe('Start at this sequence number.'),
    startWithLastReceived: z.boolean().optional().describe('Start with the last message received.'),
    deliverAll: z.boolean().optional().describe('Deliver every available message.'),
    startAtTimeDelta: z.string().optional().describe('Start this long ago, e.g. 10m.'),
    startAtTime: z.string().optional().describe('Start at this time.'),
    startAtTimeFormat: z.string().optional().describe('Go layout of startAtTime.'),
    consumerID: z.string().optional().describe('Ignored: derived per consumer (see README, naming).'),
    scaleOption: natsStreamingScaleOption.optional(),
  })
  .describe('NATS Streaming (STAN) bus. End of life since June 2023 and removed from Dapr 1.13: prefer jetstream.');

export const jetstreamBus = z
  .strictObject({
    natsURL: z.string().describe('NATS server URL, e.g. nats://nats:4222.'),
    streamName: z.string().optional().describe('JetStream stream holding the bus topics; created locally when missing.'),
    deliverPolicy: z
      .enum(['all', 'last', 'new', 'sequence', 'startTime'])
      .optional()
      .describe('Where a new consumer starts: all (default), last, new, sequence or startTime (Dapr\'s "time").'),
    startSequence: int64().optional().describe('With deliverPolicy sequence: the first sequence delivered.'),
    startTime: z.string().optional().describe('With deliverPolicy startTime: the first time delivered (RFC 3339).'),
    ackWait: duration().optional().describe('How long the server waits for an ack before redelivering, e.g. 30s.'),
    maxDeliver: int64().optional().describe('Deliveries of one message before the server gives up.'),
    maxAckPending: int64().optional().describe('Maximum unacknowledged messages per consumer.'),
    replicas: int32().optional().describe('Replicas of the stream.'),
    memoryStorage: z.boolean().optional().describe('Keep the stream in memory instead of on disk.'),
    token: secretValue('NATS token').optional(),
    jwt: secretValue('NATS user JWT').optional(),
    seedKey: secretValue('NATS user seed key').optional(),
    scaleOption: z
      .strictObject({
        ...genericScaleOption,
        natsServerMonitoringEndpoint: z.string().describe('NATS monitoring endpoint, host:port.'),
        lagThreshold: z.string().describe('Pending messages per replica at which KEDA scales out.'),
        account: z.string().optional().describe('NATS account (default $G).'),
      })
      .optional()
      .describe('KEDA scaling of Trigger Functions on JetStream consumer lag.'),
  })
  .describe(`NATS JetStream bus, the recommended bus (Dapr pubsub.jetstream) ${EXTENSION}.`);

export const kafkaBus = z
  .strictObject({
    brokers: z.string().describe('Comma-separated Kafka brokers, host:port.'),
    authType: z.enum(['none', 'password', 'mtls']).optional().describe('none (default), password (SASL) or mtls.'),
    saslUsername: z.string().optional().describe('SASL user name (authType password).'),
    saslPassword: secretValue('SASL password').optional(),
    saslMechanism: z.enum(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']).optional().describe('SASL mechanism.'),
    initialOffset: z.enum(['newest', 'oldest']).optional().describe('Where a new consumer group starts (default newest).'),
    maxMessageBytes: int64().optional().describe('Largest message accepted, in bytes.'),
    caCert: secretValue('CA certificate (PEM)').optional(),
    clientCert: secretValue('Client certificate (PEM), for mtls').optional(),
    clientKey: secretValue('Client private key (PEM), for mtls').optional(),
    scaleOption: z
      .strictObject({ ...genericScaleOption, lagThreshold: z.string().describe('Consumer lag per replica.') })
      .optional()
      .describe('KEDA scaling of Trigger Functions on Kafka consumer lag.'),
  })
  .describe(`Kafka bus (Dapr pubsub.kafka) ${EXTENSION}.`);

export const redisBus = z
  .strictObject({
    redisHost: z.string().describe('Redis address, host:port.'),
    redisUsername: z.string().optional().describe('Redis ACL user name.'),
    redisPassword: secretValue('Redis password').optional(),
    redisDB: int64().optional().describe('Database number.'),
    enableTLS: z.boolean().optional().describe('Connect with TLS.'),
    maxLenApprox: int64().optional().describe('Approximate maximum length of each topic stream.'),
    processingTimeout: duration().optional().describe('How long a message may stay pending before redelivery.'),
    redeliverInterval: duration().optional().describe('How often pending messages are checked for redelivery.'),
    concurrency: int64().optional().describe('Messages processed in parallel per consumer.'),
  })
  .describe(`Redis Streams bus (Dapr pubsub.redis) ${EXTENSION}.`);

/** The backends a bus may name; exactly one must be set (checked by lib/api/rules.ts). */
export const BUS_BACKENDS = ['natsStreaming', 'jetstream', 'kafka', 'redis'] as const;
export type BusBackend = (typeof BUS_BACKENDS)[number];

export const eventBusSpec = z
  .strictObject({
    topic: z.string().optional().describe('Accepted for compatibility; never used, as upstream.'),
    natsStreaming: natsStreamingBus.optional(),
    jetstream: jetstreamBus.optional(),
    kafka: kafkaBus.optional(),
    redis: redisBus.optional(),
  })
  .describe('The bus backend: exactly one of natsStreaming, jetstream, kafka, redis.');

export const eventBus = resourceSchema('EventBus', eventBusSpec, 'EventBus is a bus for the EventSources and Triggers of its namespace.');
export const clusterEventBus = resourceSchema(
  'ClusterEventBus',
  eventBusSpec,
  'ClusterEventBus is a bus for every namespace that has no EventBus of the same name.',
);

export type EventBusSpec = z.infer<typeof eventBusSpec>;
export type EventBus = z.infer<typeof eventBus>;
export type ClusterEventBus = z.infer<typeof clusterEventBus>;
