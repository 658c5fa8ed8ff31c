import { checkResource, parseResource, type Problem } from '../../../lib/api/index.js';
import { makeEventBus, makeEventSource, makeTrigger } from '../../support/builders.js';

/** Schema problems, then rule problems, as `path: message` lines (severity prefixed for warnings). */
function problemsOf(doc: unknown): string[] {
  const parsed = parseResource(doc);
  const problems: Problem[] = parsed.ok ? checkResource(parsed.resource) : parsed.problems;
  return problems.map((p) => `${p.severity === 'warning' ? 'warning ' : ''}${p.path}: ${p.message}`);
}

describe('validate - accepts', () => {
  test.each([
    ['an EventSource with a bus', makeEventSource()],
    ['an EventSource with a sink only', makeEventSource({ spec: { eventBus: undefined, sink: { uri: 'http://sink/' } } })],
    ['a Secret reference for a Kafka password', makeEventSource({ spec: { kafka: { k: { brokers: 'b:9092', topic: 't', authRequired: true, saslUsername: 'u', saslPassword: { secretKeyRef: { name: 'kafka', key: 'password' } } } } } })],
    ['a plain Kafka password, as upstream', makeEventSource({ spec: { kafka: { k: { brokers: 'b:9092', topic: 't', authRequired: true, saslPassword: 'secret' } } } })],
    ['a JetStream bus', makeEventBus()],
    ['a Kafka bus', makeEventBus({ spec: { jetstream: undefined, kafka: { brokers: 'k:9092', authType: 'password', saslPassword: { secretKeyRef: { name: 's', key: 'k' } } } } })],
    ['a Redis bus', makeEventBus({ spec: { jetstream: undefined, redis: { redisHost: 'redis:6379' } } })],
    ['a Redis source one entry at a time', makeEventSource({ spec: { redis: { orders: { redisHost: 'redis:6379', redisPassword: '', concurrency: 1 } } } })],
    ['a Trigger', makeTrigger()],
    ['a Trigger with correlation and delivery options', makeTrigger({ spec: { correlation: { window: '2m', resetAfterFire: true, payload: 'correlated' }, inputs: { tick: { eventSource: 'my-es', event: 'tick', window: 'PT30S' } }, subscribers: [{ condition: 'tick', topic: 'out', delivery: { retry: 5, backoffPolicy: 'linear', backoffDelay: 'PT0.5S', timeout: '10s' } }] } })],
  ])('%s', (_name, doc) => {
    expect(problemsOf(doc)).toEqual([]);
  });
});

describe('validate - rejects with the field path and what was expected', () => {
  test.each<[string, unknown, string[]]>([
    ['a missing required field in a map entry', makeEventSource({ spec: { kafka: { created: { topic: 't', authRequired: false } } } }), ['spec.kafka["created"].brokers: required']],
    ['a misspelt field, with a hint', makeEventSource({ spec: { cron: { tick: { schedule: undefined, shedule: '@every 5s' } } } }), ['spec.cron["tick"].schedule: required', 'spec.cron["tick"].shedule: unknown field; did you mean "schedule"?']],
    ['an unknown field far from any known one', makeEventSource({ spec: { colour: 'red' } }), ['spec.colour: unknown field; expected one of eventBus, redis, kafka, cron, mqtt, sink, build, logLevel']],
    ['a wrong type', makeEventSource({ spec: { kafka: { k: { brokers: 'b', topic: 't', authRequired: 'no' } } } }), ['spec.kafka["k"].authRequired: expected boolean, got string "no"']],
    ['an array index in the path', makeTrigger({ spec: { subscribers: [{ condition: 'tick', sink: { url: 'http://x/' } }] } }), ['spec.subscribers[0].sink.url: unknown field; did you mean "uri"?']],
    ['an enum value', makeEventBus({ spec: { jetstream: { natsURL: 'n', deliverPolicy: 'first' } } }), ['spec.jetstream.deliverPolicy: expected one of "all", "last", "new", "sequence", "startTime", got string "first"']],
    ['a bad duration', makeTrigger({ spec: { correlation: { window: 'a minute' } } }), ['spec.correlation.window: expected a duration such as "60s", "1m30s", "250ms" or ISO 8601 "PT0.5S"']],
    ['a negative retry count', makeTrigger({ spec: { subscribers: [{ condition: 'tick', topic: 'x', delivery: { retry: -1 } }] } }), ['spec.subscribers[0].delivery.retry: expected a number >= 0, got number -1']],
    ['a negative Redis source concurrency', makeEventSource({ spec: { redis: { r: { redisHost: 'redis:6379', redisPassword: '', concurrency: -2 } } } }), ['spec.redis["r"].concurrency: expected a number >= 0, got number -2']],
    ['an incomplete Secret reference', makeEventSource({ spec: { mqtt: { m: { url: 'tcp://m:1883', topic: 't', clientKey: { secretKeyRef: { name: 's' } } } } } }), ['spec.mqtt["m"].clientKey.secretKeyRef.key: required']],
    ['a credential of the wrong type', makeEventSource({ spec: { kafka: { k: { brokers: 'b', topic: 't', authRequired: true, saslPassword: 42 } } } }), ['spec.kafka["k"].saslPassword: expected a string or an object with secretKeyRef, got number 42']],
    ['a misspelt kind', { ...makeEventSource(), kind: 'EventSorce' }, ['kind: unknown kind string "EventSorce"; did you mean "EventSource"?']],
    ['another API version', { ...makeEventSource(), apiVersion: 'events.openfunction.io/v1beta1' }, ['apiVersion: expected "events.openfunction.io/v1alpha1", got string "events.openfunction.io/v1beta1"']],
    ['a bad name', makeEventSource({ metadata: { name: 'My_ES' } }), ['metadata.name: expected a DNS-1123 name: lowercase letters, digits, "-" and ".", starting and ending alphanumeric']],
    ['a missing spec', makeEventSource({ spec: undefined }), ['spec: required']],
    ['not an object', 'hello', [': expected a Kubernetes object, got string "hello"']],
    ['every problem at once', makeEventSource({ spec: { eventBus: 3, cron: { tick: { schedule: undefined } } } }), ['spec.eventBus: expected string, got number 3', 'spec.cron["tick"].schedule: required']],
  ])('%s', (_name, doc, expected) => {
    expect(problemsOf(doc)).toEqual(expected);
  });
});

const keyedInputs = { created: { eventSource: 'shop', event: 'created', key: 'data.orderId' }, paid: { eventSource: 'pay', event: 'paid', key: 'data.orderId' } };

describe('validate - keys, absences and correlation state', () => {
  test('a keyed Trigger with an absence subscriber and a Redis state store, on 3 replicas, is accepted', () => {
    const doc = makeTrigger({
      spec: {
        inputs: { ...keyedInputs, tick: undefined },
        replicas: 3,
        correlation: { state: { type: 'state.redis', metadata: { redisHost: 'redis:6379' } }, maxKeys: 100000, ttl: '1h' },
        subscribers: [{ condition: 'created', absence: { input: 'paid', within: '10m' }, sink: { uri: 'http://remind.default.svc/' } }],
      },
    });
    expect(problemsOf(doc)).toEqual([]);
  });

  test.each<[string, unknown, string[]]>([
    ['a key that is not a path', makeTrigger({ spec: { inputs: { tick: { eventSource: 'my-es', event: 'tick', key: 'data.id + 1' } } } }), ['spec.inputs.tick.key: at character 1: expected a path such as data.orderId or subject, got an expression']],
    ['one input keyed, another not', makeTrigger({ spec: { inputs: { tick: { eventSource: 'my-es', event: 'tick', key: 'subject' }, tock: { eventSource: 'my-es', event: 'tock' } } } }), ['spec.inputs.tock.key: required: inputs tick correlate by key, so every input needs one (e.g. data.orderId)']],
    ['an absence of an unknown input', makeTrigger({ spec: { subscribers: [{ condition: 'tick', absence: { input: 'tock', within: '1m' }, topic: 'late' }] } }), ['spec.subscribers[0].absence.input: expected one of the inputs "tick", got "tock"']],
    ['an absence without a duration', makeTrigger({ spec: { subscribers: [{ condition: 'tick', absence: { input: 'tick' }, topic: 'late' }] } }), ['spec.subscribers[0].absence.within: required']],
    ['replicas without a state store', makeTrigger({ spec: { replicas: 2 } }), ['spec.replicas: more than 1 needs spec.correlation.state: each replica would correlate only the events it happens to receive']],
    ['a state store named and described', makeTrigger({ spec: { correlation: { state: { component: 'statestore', type: 'state.mongodb' } } } }), ['spec.correlation.state: set component (an existing Dapr state store) or type (one the controller creates), not both']],
    ['a state store of another kind', makeTrigger({ spec: { correlation: { state: { type: 'pubsub.redis' } } } }), ['spec.correlation.state.type: expected a Dapr state store type such as state.redis, got "pubsub.redis"']],
    ['a Redis store without its host', makeTrigger({ spec: { correlation: { state: { type: 'state.redis', metadata: {} } } } }), ['spec.correlation.state.metadata.redisHost: required by state.redis, e.g. redis:6379']],
    ['a Redis store with a URL for a host', makeTrigger({ spec: { correlation: { state: { type: 'state.redis', metadata: { redisHost: 'redis://redis:6379' } } } } }), ['spec.correlation.state.metadata.redisHost: expected host:port without a scheme (redis:6379), got "redis://redis:6379"']],
  ])('%s', (_name, doc, expected) => {
    expect(problemsOf(doc)).toEqual(expected);
  });
});

describe('validate - rules the schema cannot express', () => {
  test.each<[string, unknown, string[]]>([
    ['an EventSource with neither bus nor sink', makeEventSource({ spec: { eventBus: undefined } }), ['spec: set spec.eventBus, spec.sink or both: events need somewhere to go']],
    ['an empty sink', makeEventSource({ spec: { sink: {} } }), ['spec.sink: set uri or ref']],
    ['a sink that is not a URL', makeEventSource({ spec: { sink: { uri: 'sink.default' } } }), ['spec.sink.uri: expected an http:// or https:// URL, got "sink.default"']],
    ['a bad cron schedule', makeEventSource({ spec: { cron: { tick: { schedule: 'every 5s' } } } }), ['spec.cron["tick"].schedule: expected a cron expression of 5 or 6 fields, "@every <duration>" or a macro such as @hourly, got "every 5s"']],
    ['a bad @every', makeEventSource({ spec: { cron: { tick: { schedule: '@every soon' } } } }), ['spec.cron["tick"].schedule: expected "@every <Go duration>" such as "@every 5s" or "@every 1m30s" (Dapr\'s cron reads no ISO 8601), got "@every soon"']],
    // Dapr's cron reads @every with Go's time.ParseDuration and has no L, W or # fields: daprd would not start.
    ['an ISO @every', makeEventSource({ spec: { cron: { tick: { schedule: '@every PT5S' } } } }), ['spec.cron["tick"].schedule: expected "@every <Go duration>" such as "@every 5s" or "@every 1m30s" (Dapr\'s cron reads no ISO 8601), got "@every PT5S"']],
    ['a last-day field', makeEventSource({ spec: { cron: { tick: { schedule: '0 0 L * *' } } } }), ['spec.cron["tick"].schedule: field "L": Dapr\'s cron has no L, W or # (last, weekday, nth); use ranges and lists instead']],
    ['an nth-weekday field', makeEventSource({ spec: { cron: { tick: { schedule: '0 0 * * MON#2' } } } }), ['spec.cron["tick"].schedule: field "MON#2": Dapr\'s cron has no L, W or # (last, weekday, nth); use ranges and lists instead']],
    ['a Kafka event without a topic', makeEventSource({ spec: { kafka: { k: { brokers: 'b:9092', authRequired: false } } } }), ['spec.kafka["k"].topic: required: the Kafka topic to consume']],
    ['an MQTT qos out of range', makeEventSource({ spec: { mqtt: { m: { url: 'tcp://m', topic: 't', qos: 3 } } } }), ['spec.mqtt["m"].qos: expected 0, 1 or 2, got 3']],
    ['an EventSource without events', makeEventSource({ spec: { cron: undefined } }), ['warning spec: declares no events (kafka, cron, mqtt or redis): nothing will run']],
    ['a bus without a backend', makeEventBus({ spec: { jetstream: undefined, topic: 'x' } }), ['spec: set one bus backend: natsStreaming, jetstream, kafka, redis (jetstream is recommended)']],
    ['a bus with two backends', makeEventBus({ spec: { redis: { redisHost: 'r:6379' } } }), ['spec: set only one bus backend, got jetstream and redis']],
    ['an MQTT URL without its scheme', makeEventSource({ spec: { mqtt: { m: { url: 'mosquitto:1883', topic: 't' } } } }), ['spec.mqtt["m"].url: expected an MQTT URL such as tcp://mosquitto:1883 (tcp, ssl, mqtt, mqtts, ws or wss), got "mosquitto:1883"']],
    ['Kafka brokers with a scheme', makeEventSource({ spec: { kafka: { k: { brokers: 'kafka://k:9092', topic: 't', authRequired: false } } } }), ['spec.kafka["k"].brokers: expected host:port brokers joined by commas, without a scheme (kafka:9092), got "kafka://k:9092"']],
    ['a NATS URL without its scheme', makeEventBus({ spec: { jetstream: { natsURL: 'nats:4222' } } }), ['spec.jetstream.natsURL: expected a NATS URL such as nats://nats:4222 (several joined by commas), got "nats:4222"']],
    ['a NATS Streaming bus', makeEventBus({ spec: { jetstream: undefined, natsStreaming: { natsURL: 'nats://n:4222', natsStreamingClusterID: 'stan', subscriptionType: 'queue', durableSubscriptionName: 'd' } } }), ['warning spec.natsStreaming: NATS Streaming is end of life and Dapr removed pubsub.natsstreaming in 1.13; prefer jetstream']],
    ['a Trigger with an empty eventBus', makeTrigger({ spec: { eventBus: '' } }), ['spec.eventBus: must not be empty: name the EventBus the inputs are read from']],
    ['a subscriber with nowhere to deliver', makeTrigger({ spec: { subscribers: [{ condition: 'tick' }] } }), ['spec.subscribers[0]: set sink, topic or both: matching events need somewhere to go']],
    // conformance 2.11: OpenFunction cannot find a component whose generated name the API server cut short.
    ['a Trigger name too long for its JetStream input components', makeTrigger({ metadata: { name: 'a-trigger-name-of-25-char' }, spec: { subscribers: [{ condition: 'tick', topic: 'out' }] } }), ['warning metadata.name: on a JetStream bus, each input would be the Dapr component "ebft-a-trigger-name-of-25-char-######" (37 characters); OpenFunction cannot find a pubsub component whose name is over 36: shorten the name']],
    ['an event name too long for its source component', makeEventSource({ spec: { cron: { 'an-event-name-of-thirty-one-chars': { schedule: '@every 5s' } } } }), ['warning spec.cron["an-event-name-of-thirty-one-chars"]: this event would be the Dapr component "esc-cron-an-event-name-of-thirty-one-chars" (42 characters); OpenFunction cannot find a bindings component whose name is over 34: shorten the name']],
    ['an input name that is not an identifier', makeTrigger({ spec: { inputs: { 'input-a': { eventSource: 'my-es', event: 'tick' } } } }), ['warning spec.inputs["input-a"]: not usable in a condition: input names there are identifiers (letters, digits, _; e.g. "inputA" for "input-a")']],
    ['a condition naming an unknown input', makeTrigger({ spec: { subscribers: [{ condition: 'tick && tock', topic: 'x' }] } }), ['spec.subscribers[0].condition: at character 9: unknown input "tock"; did you mean "tick"?']],
    ['a condition that is not in the grammar', makeTrigger({ spec: { subscribers: [{ condition: 'tick & tick', topic: 'x' }] } }), ['spec.subscribers[0].condition: at character 6: bitwise "&" is not supported; did you mean "&&"?']],
    ['an empty condition', makeTrigger({ spec: { subscribers: [{ condition: ' ', topic: 'x' }] } }), ['spec.subscribers[0].condition: at character 1: empty condition; expected input names with !, &&, ||, e.g. "eventA && eventB"']],
    ['a zero window', makeTrigger({ spec: { correlation: { window: '0s' } } }), ['spec.correlation.window: must be longer than 0']],
  ])('%s', (_name, doc, expected) => {
    expect(problemsOf(doc)).toEqual(expected);
  });
});
