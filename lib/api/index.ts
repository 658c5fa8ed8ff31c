// The API of the four kinds: schemas, types, validation and CRD generation.
export { API_GROUP, API_GROUP_VERSION, API_VERSION, EXTENSION, secretValue, sink } from './common.js';
export type { SecretValue, Sink, Status, StatusCondition } from './common.js';
export { eventSource, eventSourceSpec, kafkaSource, cronSource, mqttSource, redisSource } from './eventsource.js';
export type { EventSource, EventSourceSpec, KafkaSource, CronSource, MqttSource, RedisSource } from './eventsource.js';
export { eventBus, clusterEventBus, eventBusSpec, BUS_BACKENDS } from './eventbus.js';
export type { EventBus, ClusterEventBus, EventBusSpec, BusBackend } from './eventbus.js';
export { trigger, triggerSpec, subscriber, delivery, correlation, absence } from './trigger.js';
export type { Trigger, TriggerSpec, TriggerInput, Subscriber, Delivery, Correlation, Absence } from './trigger.js';
export { KINDS, kindInfo } from './kinds.js';
export type { KindInfo, PrinterColumn } from './kinds.js';
export { parseResource, isOurs } from './validate.js';
export type { Resource, ParseResult } from './validate.js';
export { checkResource, checkBus, cronScheduleProblem } from './rules.js';
export { validateSet, busSpecIn, declaredEvents, formatFinding, namespaceOf, DEFAULT_NAMESPACE } from './set.js';
export type { Document, Finding, SetReport } from './set.js';
export { formatProblem, hasErrors } from './problems.js';
export type { Problem, Severity } from './problems.js';
export { renderCrd, renderCrds, renderCrdFiles, toStructural } from './crd.js';
