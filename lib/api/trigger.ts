// Trigger (upstream-behaviour §2.4): conditions over bus inputs, fanned out to subscribers. Beyond upstream:
// correlation options (§10 fixes a 60 s sliding window with no reset) and Knative-style per-subscriber delivery.
import { z } from 'zod';
import { EXTENSION, duration, int32, resourceSchema, secretValue, sink } from './common.js';

export const triggerInput = z
  .strictObject({
    namespace: z.string().optional().describe("Namespace of the EventSource; defaults to the Trigger's."),
    eventSource: z.string().describe('Name of the EventSource.'),
    event: z.string().describe('Name of the event within the EventSource.'),
    window: duration()
      .optional()
      .describe(`How long this input stays active after its last event; overrides correlation.window ${EXTENSION}.`),
    key: z
      .string()
      .optional()
      .describe(
        `Correlation key: a path into the event, e.g. data.orderId, subject or an extension attribute. Conditions ` +
          `and windows then hold per key (order.created && payment.received for the same order). When one input ` +
          `has a key, every input needs one ${EXTENSION}.`,
      ),
  })
  .describe('An event of an EventSource, read from the bus.');

export const correlation = z
  .strictObject({
    window: duration()
      .optional()
      .describe('How long an input stays active after its last event (sliding). Default 60s, as upstream.'),
    resetAfterFire: z
      .boolean()
      .optional()
      .describe('After a condition fires, the inputs it names become inactive until their next event. Default false.'),
    payload: z
      .enum(['event', 'correlated'])
      .optional()
      .describe(
        'What a firing delivers: event (default, the incoming event, as upstream) or correlated (one CloudEvent ' +
          'holding the latest event of each input the condition names).',
      ),
    state: z
      .strictObject({
        component: z.string().optional().describe('An existing Dapr state store component in the namespace, e.g. statestore.'),
        type: z.string().optional().describe('Or a state store the controller creates for this Trigger: a Dapr type with ETag support, e.g. state.redis.'),
        version: z.string().optional().describe('Component version. Default v1.'),
        metadata: z
          .record(z.string(), secretValue('A metadata value'))
          .optional()
          .describe('The component metadata, e.g. {redisHost: "redis:6379", redisPassword: {secretKeyRef: {name: redis, key: password}}}.'),
      })
      .optional()
      .describe(
        'Keep correlation state in a Dapr state store instead of process memory: windows and absence timers survive ' +
          'restarts, and the Trigger can run several replicas (optimistic concurrency with ETags). Example: ' +
          '{type: state.redis, metadata: {redisHost: "redis:6379"}}.',
      ),
    maxKeys: int32()
      .min(1)
      .optional()
      .describe('Most correlation keys held in memory; the oldest is evicted beyond it (counted and logged), e.g. 50000. Default 10000.'),
    ttl: duration()
      .optional()
      .describe('How long a key stays in the state store after its last event. Default: its longest window or absence, plus an hour. E.g. 24h.'),
  })
  .describe(`How inputs are correlated over time ${EXTENSION}.`);

export const absence = z
  .strictObject({
    input: z.string().describe('The input awaited, e.g. paid.'),
    within: duration().describe('How long to wait after the condition held, e.g. 10m.'),
  })
  .describe(
    `Fire when the input did NOT arrive within a duration after the condition held (per key), e.g. condition ` +
      `"created", absence {input: paid, within: 10m}. The subscriber receives one CloudEvent of type ` +
      `io.openfunction.events.trigger.absent whose data is the event that held the condition ${EXTENSION}.`,
  );

export const delivery = z
  .strictObject({
    retry: int32().min(0).optional().describe('Retries after the first attempt before dead-lettering. Default 3.'),
    backoffPolicy: z.enum(['exponential', 'linear']).optional().describe('exponential (default) or linear.'),
    backoffDelay: duration().optional().describe('Base delay between attempts, e.g. PT0.2S or 200ms. Default 200ms.'),
    timeout: duration().optional().describe('Timeout of each attempt, e.g. PT10S or 10s. Default 10s.'),
  })
  .describe(`Retry policy of this subscriber's deliveries, as Knative's delivery spec ${EXTENSION}.`);

export const subscriber = z
  .strictObject({
    condition: z.string().describe('When to deliver: input names with !, &&, ||, parentheses, e.g. "eventA && eventB".'),
    sink: sink.optional(),
    deadLetterSink: sink.optional(),
    topic: z.string().optional().describe('Bus topic the event is published to.'),
    deadLetterTopic: z.string().optional().describe('Bus topic that receives events whose delivery failed.'),
    delivery: delivery.optional(),
    absence: absence.optional(),
  })
  .describe('A condition and where matching events go.');

export const triggerSpec = z
  .strictObject({
    eventBus: z.string().describe('EventBus (or else ClusterEventBus) the inputs are read from.'),
    inputs: z.record(z.string().min(1), triggerInput).describe('Inputs, keyed by the name conditions use.'),
    subscribers: z.array(subscriber).describe('Subscribers, each with its condition.'),
    correlation: correlation.optional(),
    replicas: int32()
      .min(1)
      .optional()
      .describe(
        `Replicas of the Trigger's Function. Default 1; more need correlation.state, as in-memory state would be split ` +
          `between them ${EXTENSION}.`,
      ),
    logLevel: z.string().optional().describe('Handler log level: "1" (default), "2" logs every event, "3" debug.'),
  })
  .describe('Inputs from the bus, and subscribers that receive events when their condition holds.');

export const trigger = resourceSchema('Trigger', triggerSpec, 'Trigger delivers bus events to sinks and topics when conditions hold.');

export type Trigger = z.infer<typeof trigger>;
export type TriggerSpec = z.infer<typeof triggerSpec>;
export type TriggerInput = z.infer<typeof triggerInput>;
export type Subscriber = z.infer<typeof subscriber>;
export type Delivery = z.infer<typeof delivery>;
export type Correlation = z.infer<typeof correlation>;
export type Absence = z.infer<typeof absence>;
