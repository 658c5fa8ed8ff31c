// Rules the CRD schema cannot express, checked on one resource after its schema passed. Upstream finds most of
// these at run time, often as a crash (upstream-behaviour §12); we report them before anything runs. Pure.
import { compileCondition, ConditionSyntaxError } from '../condition/index.js';
import { compileKey } from '../condition/key.js';
import { parseDuration } from '../duration.js';
import {
  eventSourceFunctionName, eventSourceBusComponentName, eventSourceSinkComponentName, sourceComponentName, triggerBusComponentName, triggerSinkComponentName, triggerTopicBusComponentName, SOURCE_KINDS,
} from '../naming.js';
import type { EventBusSpec } from './eventbus.js';
import { BUS_BACKENDS } from './eventbus.js';
import type { EventSource } from './eventsource.js';
import type { Sink } from './common.js';
import { redactUrl } from '../redact.js';
import { ALLOW_PRIVATE_SINKS_KEY, privateSinkReason } from './sink-policy.js';
import { error, warning, type Problem } from './problems.js';
import type { Trigger } from './trigger.js';
import type { Resource } from './validate.js';

export function checkResource(resource: Resource): Problem[] {
  switch (resource.kind) {
    case 'EventSource':
      return checkEventSource(resource);
    case 'EventBus':
    case 'ClusterEventBus':
      return checkBus(resource.spec);
    case 'Trigger':
      return checkTrigger(resource);
  }
}

/**
 * OpenFunction names a Function's Dapr components `{serving}-{bindings|pubsub}-{key}-` + 5 random characters, and
 * the API server cuts a generateName at 58 characters; OpenFunction then no longer finds the component by its
 * prefix and hands the function the bare key, so every call on it fails (conformance 2.11; of@v1.2.0
 * common.go getRealComponentName). A key of more than 34 (bindings) or 36 (pubsub) characters is cut.
 */
function componentKeyProblem(type: 'bindings' | 'pubsub', key: string, path: string | (() => string), what: string): Problem | undefined {
  const limit = 58 - `serving-xxxxx-${type}--`.length;
  if (key.length <= limit) return undefined;
  return warning(typeof path === 'string' ? path : path(), `${what} would be the Dapr component "${key}" (${key.length} characters); OpenFunction cannot find a ${type} component whose name is over ${limit}: shorten the name`);
}

/** Pushes what is not undefined: the checks below run for every resource on every resync, and mostly find nothing. */
function push(problems: Problem[], problem: Problem | undefined): void {
  if (problem) problems.push(problem);
}

function checkEventSource(es: EventSource): Problem[] {
  const problems: Problem[] = [];
  const { spec } = es;
  // divergence: upstream-behaviour §12 rows 5–6 — upstream crashed on some of these; we report them.
  if (!spec.eventBus && !spec.sink) problems.push(error('spec', 'set spec.eventBus, spec.sink or both: events need somewhere to go'));
  if (spec.eventBus === '') problems.push(error('spec.eventBus', 'must not be empty'));
  if (spec.sink) problems.push(...checkSink(spec.sink, 'spec.sink'));
  const events: string[] = [];
  for (const kind of SOURCE_KINDS) {
    const declared = spec[kind];
    if (!declared) continue;
    for (const event in declared) {
      events.push(event);
      const path = (): string => `spec.${kind}[${JSON.stringify(event)}]`;
      const reason = derivedNameProblem(event, eventSourceFunctionName(es.metadata.name, kind, event));
      if (reason) problems.push(error(path(), reason));
      push(problems, componentKeyProblem(kind === 'redis' ? 'pubsub' : 'bindings', sourceComponentName(kind, event), path, 'this event'));
    }
  }
  if (events.length === 0) problems.push(warning('spec', 'declares no events (kafka, cron, mqtt or redis): nothing will run'));
  for (const [name, cron] of Object.entries(spec.cron ?? {})) {
    const reason = cronScheduleProblem(cron.schedule);
    if (reason) problems.push(error(`spec.cron[${JSON.stringify(name)}].schedule`, reason));
  }
  for (const [name, kafka] of Object.entries(spec.kafka ?? {})) problems.push(...addressProblems('brokers', kafka.brokers, `spec.kafka[${JSON.stringify(name)}].brokers`));
  for (const [name, redis] of Object.entries(spec.redis ?? {})) problems.push(...addressProblems('redis', redis.redisHost, `spec.redis[${JSON.stringify(name)}].redisHost`));
  for (const [name, mqtt] of Object.entries(spec.mqtt ?? {})) {
    problems.push(...addressProblems('mqtt', mqtt.url, `spec.mqtt[${JSON.stringify(name)}].url`));
    if (mqtt.qos !== undefined && ![0, 1, 2].includes(mqtt.qos)) {
      problems.push(error(`spec.mqtt[${JSON.stringify(name)}].qos`, `expected 0, 1 or 2, got ${mqtt.qos}`));
    }
  }
  for (const [name, kafka] of Object.entries(spec.kafka ?? {})) {
    if (!kafka.topic) problems.push(error(`spec.kafka[${JSON.stringify(name)}].topic`, 'required: the Kafka topic to consume'));
  }
  const name = es.metadata.name;
  const ns = es.metadata.namespace ?? 'default';
  if (spec.eventBus) push(problems, componentKeyProblem('pubsub', eventSourceBusComponentName(name), 'metadata.name', 'the bus of this EventSource'));
  if (spec.sink) push(problems, componentKeyProblem('bindings', eventSourceSinkComponentName(name, spec.sink.ref?.namespace || ns), 'spec.sink', 'the sink'));
  // The bus topic is {ns}-{es}-{event}: two kinds declaring one event name publish to the same topic.
  if (spec.eventBus) {
    const seen = new Set<string>();
    for (const name of events) {
      if (seen.has(name)) problems.push(warning('spec', `event "${name}" is declared by two source kinds; both publish to one bus topic`));
      seen.add(name);
    }
  }
  return problems;
}

export function checkBus(spec: EventBusSpec, path = 'spec'): Problem[] {
  const set = BUS_BACKENDS.filter((b) => spec[b] !== undefined);
  if (set.length === 0) return [error(path, `set one bus backend: ${BUS_BACKENDS.join(', ')} (jetstream is recommended)`)];
  if (set.length > 1) return [error(path, `set only one bus backend, got ${set.join(' and ')}`)];
  const addresses = [
    ...(spec.jetstream ? addressProblems('nats', spec.jetstream.natsURL, `${path}.jetstream.natsURL`) : []),
    ...(spec.natsStreaming ? addressProblems('nats', spec.natsStreaming.natsURL, `${path}.natsStreaming.natsURL`) : []),
    ...(spec.kafka ? addressProblems('brokers', spec.kafka.brokers, `${path}.kafka.brokers`) : []),
    ...(spec.redis ? addressProblems('redis', spec.redis.redisHost, `${path}.redis.redisHost`) : []),
  ];
  if (addresses.length > 0) return addresses;
  if (set[0] === 'natsStreaming') {
    return [
      warning(
        `${path}.natsStreaming`,
        'NATS Streaming is end of life and Dapr removed pubsub.natsstreaming in 1.13; prefer jetstream',
      ),
    ];
  }
  return [];
}

function checkTrigger(t: Trigger): Problem[] {
  const problems: Problem[] = [];
  const { spec } = t;
  if (spec.eventBus === '') problems.push(error('spec.eventBus', 'must not be empty: name the EventBus the inputs are read from'));
  if (Object.keys(spec.inputs).length === 0) problems.push(error('spec.inputs', 'declare at least one input'));
  if (spec.subscribers.length === 0) problems.push(warning('spec.subscribers', 'no subscribers: events are read and dropped'));
  for (const [name] of Object.entries(spec.inputs)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      problems.push(
        warning(
          `spec.inputs[${JSON.stringify(name)}]`,
          'not usable in a condition: input names there are identifiers (letters, digits, _; e.g. "inputA" for "input-a")',
        ),
      );
    }
  }
  const ns = t.metadata.namespace ?? 'default';
  let sinks = 0;
  // The longest bus key: a JetStream bus's per-input component (naming.ts triggerTopicBusComponentName).
  push(problems, componentKeyProblem('pubsub', triggerTopicBusComponentName(t.metadata.name, '').replace(/[0-9a-f]{6}$/, '######'), 'metadata.name', 'on a JetStream bus, each input'));
  push(problems, componentKeyProblem('pubsub', triggerBusComponentName(t.metadata.name), 'metadata.name', 'the bus of this Trigger'));
  spec.subscribers.forEach((sub, i) => {
    for (const sink of [sub.sink, sub.deadLetterSink]) {
      if (sink) push(problems, componentKeyProblem('bindings', triggerSinkComponentName(t.metadata.name, sink.ref?.namespace || ns, ++sinks), `spec.subscribers[${i}]`, 'a sink of this subscriber'));
    }
  });
  spec.subscribers.forEach((sub, i) => {
    const at = `spec.subscribers[${i}]`;
    // Conditions are compiled here, so a bad one is reported before anything runs (upstream's handler crashed on
    // the first event, upstream-behaviour §10).
    try {
      compileCondition(sub.condition, Object.keys(spec.inputs));
    } catch (e) {
      if (!(e instanceof ConditionSyntaxError)) throw e;
      problems.push(error(`${at}.condition`, e.message));
    }
    if (!sub.sink && !sub.topic) problems.push(error(at, 'set sink, topic or both: matching events need somewhere to go'));
    if (sub.sink) problems.push(...checkSink(sub.sink, `${at}.sink`));
    if (sub.deadLetterSink) problems.push(...checkSink(sub.deadLetterSink, `${at}.deadLetterSink`));
    if (sub.topic === '') problems.push(error(`${at}.topic`, 'must not be empty'));
    for (const field of ['topic', 'deadLetterTopic'] as const) {
      const topic = sub[field];
      if (topic && !TOPIC.test(topic)) problems.push(error(`${at}.${field}`, `expected a topic every bus accepts (letters, digits, ".", "_", "-", at most 249 characters, starting with a letter or digit), got ${JSON.stringify(topic)}`));
    }
  });
  const window = spec.correlation?.window;
  if (window !== undefined && parseDuration(window) === 0) problems.push(error('spec.correlation.window', 'must be longer than 0'));
  problems.push(...correlationProblems(spec));
  return problems;
}

/** Keys, absences and the state store: what the correlation engine needs to hold per key, checked before it runs. */
function correlationProblems(spec: Trigger['spec']): Problem[] {
  const problems: Problem[] = [];
  const names = Object.keys(spec.inputs);
  const keyed = names.filter((name) => spec.inputs[name]!.key !== undefined);
  for (const name of keyed) {
    try {
      compileKey(spec.inputs[name]!.key!);
    } catch (e) {
      if (!(e instanceof ConditionSyntaxError)) throw e;
      problems.push(error(`spec.inputs.${name}.key`, e.message));
    }
  }
  if (keyed.length > 0 && keyed.length < names.length) {
    for (const name of names.filter((n) => !keyed.includes(n))) {
      problems.push(error(`spec.inputs.${name}.key`, `required: inputs ${keyed.join(', ')} correlate by key, so every input needs one (e.g. data.orderId)`));
    }
  }
  spec.subscribers.forEach((sub, i) => {
    if (!sub.absence) return;
    const at = `spec.subscribers[${i}].absence`;
    if (!names.includes(sub.absence.input)) problems.push(error(`${at}.input`, `expected one of the inputs ${names.map((n) => `"${n}"`).join(', ')}, got "${sub.absence.input}"`));
    if (parseDuration(sub.absence.within) === 0) problems.push(error(`${at}.within`, 'must be longer than 0'));
  });
  const state = spec.correlation?.state;
  if (state) {
    if ((state.component === undefined) === (state.type === undefined)) problems.push(error('spec.correlation.state', 'set component (an existing Dapr state store) or type (one the controller creates), not both'));
    if (state.type !== undefined && !/^state\.[\w.-]+$/.test(state.type)) problems.push(error('spec.correlation.state.type', `expected a Dapr state store type such as state.redis, got ${JSON.stringify(state.type)}`));
    if (state.component !== undefined && state.metadata !== undefined) problems.push(error('spec.correlation.state.metadata', 'only with type: an existing component has its own metadata'));
    if (state.type === 'state.redis' && state.metadata?.redisHost === undefined) problems.push(error('spec.correlation.state.metadata.redisHost', 'required by state.redis, e.g. redis:6379'));
    const host = state.metadata?.redisHost;
    if (state.type === 'state.redis' && typeof host === 'string') problems.push(...addressProblems('redis', host, 'spec.correlation.state.metadata.redisHost'));
  }
  if ((spec.replicas ?? 1) > 1 && !state) problems.push(error('spec.replicas', 'more than 1 needs spec.correlation.state: each replica would correlate only the events it happens to receive'));
  const ttl = spec.correlation?.ttl;
  if (ttl !== undefined && parseDuration(ttl) === 0) problems.push(error('spec.correlation.ttl', 'must be longer than 0'));
  return problems;
}

/**
 * Each client reads its address its own way: MQTT and NATS want a URL with one of their schemes (paho and nats.go
 * fail on a bare host at connect time, long after apply); Kafka brokers and Redis hosts are host:port, where a
 * scheme is taken for a host name.
 */
const ADDRESS = {
  mqtt: { test: /^(tcp|ssl|mqtt|mqtts|ws|wss):\/\/[^\s/]+/, expected: 'an MQTT URL such as tcp://mosquitto:1883 (tcp, ssl, mqtt, mqtts, ws or wss)' },
  nats: { test: /^((nats|tls|ws|wss):\/\/[^\s,/]+)(,(nats|tls|ws|wss):\/\/[^\s,/]+)*\/?$/, expected: 'a NATS URL such as nats://nats:4222 (several joined by commas)' },
  brokers: { test: /^[^\s,:/]+:\d+(\s*,\s*[^\s,:/]+:\d+)*$/, expected: 'host:port brokers joined by commas, without a scheme (kafka:9092)' },
  redis: { test: /^[^\s,/]+:\d+$/, expected: 'host:port without a scheme (redis:6379)' },
} as const;

function addressProblems(kind: keyof typeof ADDRESS, value: string, path: string): Problem[] {
  return ADDRESS[kind].test.test(value.trim()) ? [] : [error(path, `expected ${ADDRESS[kind].expected}, got ${JSON.stringify(redactUrl(value))}`)];
}

/** Topics every bus takes: a NATS subject without wildcards or spaces, a Kafka topic name, a Redis stream key. */
const TOPIC = /^[A-Za-z0-9][A-Za-z0-9._-]{0,248}$/;

/**
 * Why an event name cannot be used, or undefined. It becomes part of a Function's name, a Dapr component's name, a
 * bus topic and consumer ids: a DNS-1123 label (lowercase letters, digits, "-"), and the Function name a label value
 * (at most 63 characters), as Kubernetes requires of the labels OpenFunction puts on a Function's workloads.
 */
function derivedNameProblem(event: string, functionName: string): string | undefined {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(event)) return `event name ${JSON.stringify(event)} must be lowercase letters, digits and "-", starting and ending with a letter or digit: it becomes part of Kubernetes and broker names`;
  if (functionName.length > 63) return `its Function would be "${functionName}" (${functionName.length} characters); Kubernetes allows 63: shorten the EventSource or event name`;
  return undefined;
}

function checkSink(sink: Sink, path: string): Problem[] {
  if (sink.uri === undefined && sink.ref === undefined) return [error(path, 'set uri or ref')];
  if (sink.uri !== undefined && !/^https?:\/\/[^\s/]+/.test(sink.uri)) {
    return [error(`${path}.uri`, `expected an http:// or https:// URL, got ${JSON.stringify(redactUrl(sink.uri))}`)];
  }
  // Fine on this machine (dev), refused by the controller in a cluster unless the admin allows it.
  const reason = sink.uri === undefined ? undefined : privateSinkReason(sink.uri);
  if (reason) return [warning(`${path}.uri`, `${reason}; a cluster refuses this sink unless openfunction-events-config sets ${ALLOW_PRIVATE_SINKS_KEY}: "true"`)];
  return [];
}

const CRON_MACROS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

/** Why a Dapr cron schedule is malformed, or undefined when it looks well formed. */
export function cronScheduleProblem(schedule: string): string | undefined {
  const value = schedule.trim();
  if (value.startsWith('@every ')) {
    // Dapr's cron (dapr/kit cron parser) reads @every with Go's time.ParseDuration: no ISO 8601 form (conformance 1.5).
    const every = value.slice('@every '.length).trim();
    const ms = parseDuration(every);
    if (ms !== undefined && ms > 0 && /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(every)) return undefined;
    return `expected "@every <Go duration>" such as "@every 5s" or "@every 1m30s" (Dapr's cron reads no ISO 8601), got ${JSON.stringify(schedule)}`;
  }
  if (value.startsWith('@')) {
    return CRON_MACROS.includes(value) ? undefined : `unknown macro ${JSON.stringify(value)}; expected @every <duration> or one of ${CRON_MACROS.join(', ')}`;
  }
  const fields = value.split(/\s+/);
  // Dapr's parser (robfig/cron as forked by dapr/kit) has no L, W or # fields: a schedule with them fails daprd's start.
  const unsupported = fields.find((f) => /[LW#]/.test(f.replace(/^(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC|SUN|MON|TUE|WED|THU|FRI|SAT)([-,/].*)?$/i, '')));
  if (unsupported) return `field ${JSON.stringify(unsupported)}: Dapr's cron has no L, W or # (last, weekday, nth); use ranges and lists instead`;
  if ((fields.length === 5 || fields.length === 6) && fields.every((f) => /^[0-9A-Za-z*?/,-]+$/.test(f))) return undefined;
  return `expected a cron expression of 5 or 6 fields, "@every <duration>" or a macro such as @hourly, got ${JSON.stringify(schedule)}`;
}
