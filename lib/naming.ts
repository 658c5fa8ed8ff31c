// Every name the framework derives, in one place (upstream-behaviour §3). Each function keeps upstream's template
// unless marked as a divergence; the README's compatibility section lists the divergences. Pure.

/** Source kinds, in the fixed order upstream's controller visits them (upstream-behaviour §4.2 step 9). */
export const SOURCE_KINDS = ['kafka', 'cron', 'mqtt', 'redis'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

/** Labels on generated Functions and on our resources (upstream-behaviour §3). */
export const LABELS = {
  managed: 'openfunction.io/managed',
  eventSource: 'controlled-by-eventsource',
  trigger: 'controlled-by-trigger',
  eventBus: 'eventbus-name',
} as const;

// --- Functions (workloads) -------------------------------------------------------------------------------------

/** `esw-{eventSource}-{kind}-{event}`: one Function per declared event. */
export const eventSourceFunctionName = (eventSource: string, kind: SourceKind, event: string): string =>
  `esw-${eventSource}-${kind}-${event}`;

/** `t-{trigger}`: one Function per Trigger. */
export const triggerFunctionName = (trigger: string): string => `t-${trigger}`;

// --- Bus topics ------------------------------------------------------------------------------------------------

/**
 * `{namespace}-{eventSource}-{event}`: the bus topic an event is published to and Triggers subscribe to.
 * Kept as upstream although it is ambiguous when parts contain `-`, because users and other tools subscribe to it.
 */
export const busTopic = (namespace: string, eventSource: string, event: string): string =>
  `${namespace}-${eventSource}-${event}`;

/**
 * `OFN_EVENTS`: the JetStream stream of a jetstream bus that names no `streamName`; the local runtime, the controller
 * and `dev --runtime dapr` create it and add each topic as a subject.
 */
export const DEFAULT_STREAM = 'OFN_EVENTS';

// --- Dapr components ---------------------------------------------------------------------------------------------

/** `esc-{kind}-{event}`: the source's input binding (or Redis-streams pub/sub) component. */
export const sourceComponentName = (kind: SourceKind, event: string): string => `esc-${kind}-${event}`;

/** `ebfes-{eventSource}`: the bus component of an EventSource's Functions. */
export const eventSourceBusComponentName = (eventSource: string): string => `ebfes-${eventSource}`;

/** `ebft-{trigger}`: the bus component of a Trigger's Function. */
export const triggerBusComponentName = (trigger: string): string => `ebft-${trigger}`;

/**
 * `ebft-{trigger}-{hash}`: on a JetStream bus, the bus component of one input topic of a Trigger, hash = 6 hex digits
 * of the topic. divergence: conformance 1.15 — Dapr's pubsub.jetstream makes one consumer per subscribed topic
 * under the component's `durableName`, and JetStream refuses a second filter subject on a durable ("subject does
 * not match consumer"), so one component for every topic heard only one input. The name follows the topic, not its
 * position, so adding an input never hands a durable to another topic.
 */
export const triggerTopicBusComponentName = (trigger: string, topic: string): string => `ebft-${trigger}-${shortHash(topic)}`;

/** `{namespace}-ebft-{trigger}-{hash}`: the JetStream durable (and queue group) of one input topic of a Trigger. */
export const triggerTopicConsumerId = (namespace: string, trigger: string, topic: string): string =>
  `${namespace}-${triggerTopicBusComponentName(trigger, topic)}`;

/** Six hex digits of 32-bit FNV-1a: short, stable names (not for security). */
export function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0').slice(0, 6);
}

/** `ts-{eventSource}-{sinkNamespace}`: an EventSource has one sink, so upstream's template is unique here. */
export const eventSourceSinkComponentName = (eventSource: string, sinkNamespace: string): string =>
  `ts-${eventSource}-${sinkNamespace}`;

/**
 * `ts-{trigger}-{sinkNamespace}-{index}`, index = the sink's output index.
 * divergence: upstream-behaviour §5.4 — upstream names every sink component of a Trigger `ts-{trigger}-{ns}`, so all
 * subscribers' outputs end up on the last subscriber's URL. The index makes each sink its own component.
 */
export const triggerSinkComponentName = (trigger: string, sinkNamespace: string, index: number): string =>
  `ts-${trigger}-${sinkNamespace}-${index}`;

// --- Function inputs and outputs (DaprIO names) -----------------------------------------------------------------

/** `esi-{event}`: the EventSource Function's input. */
export const eventSourceInputName = (event: string): string => `esi-${event}`;

/** `ti-{topic}`: one Trigger Function input per subscribed topic. */
export const triggerInputName = (topic: string): string => `ti-${topic}`;

/** `ebo-{eventSource}`: the EventSource Function's bus output. */
export const eventSourceBusOutputName = (eventSource: string): string => `ebo-${eventSource}`;

/** `ebo-{topic}`: a Trigger subscriber's topic (or dead-letter topic) output. */
export const topicOutputName = (topic: string): string => `ebo-${topic}`;

/** `so-es-{eventSource}-1`: the EventSource Function's sink output (always index 1). */
export const eventSourceSinkOutputName = (eventSource: string): string => `so-es-${eventSource}-1`;

/** `so-t-{trigger}-{index}`: a Trigger's sink (and dead-letter sink) outputs, numbered from 1 in subscriber order. */
export const triggerSinkOutputName = (trigger: string, index: number): string => `so-t-${trigger}-${index}`;

// --- Consumer identities -----------------------------------------------------------------------------------------

/**
 * Kafka consumer group of a Kafka event: `{namespace}-esw-{eventSource}-kafka-{event}`.
 * divergence: upstream-behaviour §3 — upstream uses `{namespace}-esc-kafka-{event}`, shared by every EventSource in
 * the namespace that declares the same event name, so Kafka splits the messages between them. Ours is the namespace
 * plus the Function name, which Kubernetes already keeps unique.
 */
export const kafkaConsumerGroup = (namespace: string, eventSource: string, event: string): string =>
  `${namespace}-${eventSourceFunctionName(eventSource, 'kafka', event)}`;

/**
 * MQTT client id of an MQTT event: `{namespace}-esw-{eventSource}-mqtt-{event}`.
 * divergence: upstream-behaviour §3 — upstream's `{namespace}-esc-mqtt-{event}` collides across EventSources, and
 * an MQTT broker disconnects the older of two clients with one id.
 */
export const mqttClientId = (namespace: string, eventSource: string, event: string): string =>
  `${namespace}-${eventSourceFunctionName(eventSource, 'mqtt', event)}`;

/** Consumer group of a Redis-streams source (new: upstream's Redis source never received): as Kafka's. */
export const redisConsumerGroup = (namespace: string, eventSource: string, event: string): string =>
  `${namespace}-${eventSourceFunctionName(eventSource, 'redis', event)}`;

/** `{namespace}-ebfes-{eventSource}`: the bus consumer id of an EventSource's Functions. */
export const eventSourceBusConsumerId = (namespace: string, eventSource: string): string =>
  `${namespace}-${eventSourceBusComponentName(eventSource)}`;

/** `{namespace}-ebft-{trigger}`: the bus consumer id (and KEDA queue group) of a Trigger's Function. */
export const triggerBusConsumerId = (namespace: string, trigger: string): string =>
  `${namespace}-${triggerBusComponentName(trigger)}`;
