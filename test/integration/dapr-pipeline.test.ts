// The whole chain on real daprd sidecars, per bus Dapr supports: every source kind (cron, MQTT, Redis stream, Kafka)
// → eventsource-handler → the bus (JetStream, Redis streams, Kafka) → trigger-handler with one- and two-input
// conditions → bindings.http → a real HTTP sink, which checks the CloudEvent's ce-* headers and body. The handler
// bundles run under builder-node's Node 16.15, as a cluster runs them.
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import mqtt from 'mqtt';
import { createClient } from 'redis';
import { startBroker, type Broker } from '../../runtime/brokers.js';
import { sharedBrokerUrl } from '../support/brokers.js';
import { complaints, runOnDapr, type DaprRun } from '../support/dapr.js';
import { startRecorder, type Recorded, type Recorder } from '../support/http.js';
import { eventually } from '../support/local.js';

const TIMEOUT = 180_000;

const hostPort = (url: string) => url.replace(/^[a-z]+:\/\//, '');

function setYaml(bus: string, sink: string, urls: { mqtt: string; redis: string; kafka: string; stream: string }) {
  return `
apiVersion: events.openfunction.io/v1alpha1
kind: EventBus
metadata: {name: bus}
spec:
${bus}
---
apiVersion: events.openfunction.io/v1alpha1
kind: EventSource
metadata: {name: src}
spec:
  eventBus: bus
  cron:
    tick: {schedule: "@every 2s"}
  mqtt:
    m: {url: "${urls.mqtt}", topic: "sensors/${urls.stream}"}
  redis:
    r: {redisHost: "${hostPort(urls.redis)}", redisPassword: "", stream: "${urls.stream}"}
  kafka:
    k: {brokers: "${urls.kafka}", topic: "${urls.stream}", authRequired: false}
---
apiVersion: events.openfunction.io/v1alpha1
kind: Trigger
metadata: {name: all}
spec:
  eventBus: bus
  inputs:
    m: {eventSource: src, event: m}
    r: {eventSource: src, event: r}
    k: {eventSource: src, event: k}
    tick: {eventSource: src, event: tick}
  subscribers:
    - {condition: m, sink: {uri: "${sink}/m"}}
    - {condition: r, sink: {uri: "${sink}/r"}}
    - {condition: k, sink: {uri: "${sink}/k"}}
    - {condition: tick, sink: {uri: "${sink}/cron"}}
    - {condition: m && r, sink: {uri: "${sink}/both"}}
`;
}

let kafka: Broker;
let producer: Producer;
let sink: Recorder;
let mqttClient: mqtt.MqttClient;
let redis: ReturnType<typeof createClient>;

beforeAll(async () => {
  [kafka, sink] = await Promise.all([startBroker('kafka'), startRecorder(200)]);
  producer = new Kafka({ brokers: [kafka.url], logLevel: logLevel.NOTHING }).producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: true });
  await producer.connect();
  mqttClient = await mqtt.connectAsync(sharedBrokerUrl('mosquitto'));
  redis = createClient({ url: sharedBrokerUrl('redis') });
  await redis.connect();
}, TIMEOUT);

afterAll(async () => {
  await producer?.disconnect();
  await mqttClient?.endAsync();
  await redis?.quit();
  await Promise.all([kafka?.stop(), sink?.close()]);
}, TIMEOUT);

const at = (path: string) => sink.requests.filter((r) => r.path === path);
const bodyOf = (r: Recorded) => JSON.parse(r.body.toString('utf8')) as { n: number; via: string };

/** Publishes to a source until one event came through (a consumer may join after the first messages). */
async function through(kind: 'm' | 'r' | 'k', stream: string, path: string): Promise<number> {
  let n = 0;
  await eventually(async () => {
    const payload = JSON.stringify({ n: ++n, via: kind });
    if (kind === 'm') await mqttClient.publishAsync(`sensors/${stream}`, payload, { qos: 1 });
    if (kind === 'r') await redis.xAdd(stream, '*', { data: payload });
    if (kind === 'k') await producer.send({ topic: stream, messages: [{ key: String(n), value: payload }] });
    await new Promise((r) => setTimeout(r, 300));
    return at(path).some((r) => bodyOf(r).via === kind);
  }, `an event from source ${kind} at ${path}`, 60_000);
  return n;
}

const buses = {
  jetstream: () => `  jetstream: {natsURL: "${sharedBrokerUrl('nats')}"}`,
  redis: () => `  redis: {redisHost: "${hostPort(sharedBrokerUrl('redis'))}"}`,
  kafka: () => `  kafka: {brokers: "${kafka.url}"}`,
};

describe.each(Object.keys(buses) as Array<keyof typeof buses>)('real daprd, %s bus', (busKind) => {
  let run: DaprRun | undefined;
  const stream = `s-${busKind}-${process.pid}`;

  afterAll(async () => {
    await run?.stop();
  }, TIMEOUT);

  test('every source kind reaches its sink through the bus and the Trigger, as a CloudEvent', async () => {
    sink.requests.length = 0;
    run = await runOnDapr(setYaml(buses[busKind](), sink.url, { mqtt: sharedBrokerUrl('mosquitto'), redis: sharedBrokerUrl('redis'), kafka: kafka.url, stream }));
    try {
      for (const kind of ['m', 'r', 'k'] as const) await through(kind, stream, `/${kind}`);
      await eventually(() => at('/cron').length > 0, 'a cron tick at its sink', 30_000);
      // Both inputs were active when the last of them arrived: the two-input condition fired.
      await eventually(() => at('/both').length > 0, 'the m && r firing', 30_000);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${complaints(run)}`, { cause: e });
    }

    const mqttEvent = at('/m')[0]!;
    expect(mqttEvent.headers).toMatchObject({
      'ce-specversion': '1.0',
      'ce-type': 'io.openfunction.events.mqtt',
      'ce-source': '/apis/events.openfunction.io/v1alpha1/namespaces/default/eventsources/src/events/m',
      'ce-subject': `sensors/${stream}`,
      'ce-ofntrigger': 'all',
      'ce-ofncondition': 'm',
      'content-type': 'application/json',
    });
    expect(bodyOf(mqttEvent).via).toBe('m');
    // The event's own attributes and the Trigger's, as the local runtime delivers it: none of the topic, pubsubname
    // and (empty, with tracing off) trace fields daprd adds to every CloudEvent it publishes.
    expect(Object.keys(mqttEvent.headers).filter((h) => h.startsWith('ce-')).sort()).toEqual(['ce-id', 'ce-ofncondition', 'ce-ofnsubscriber', 'ce-ofntrigger', 'ce-source', 'ce-specversion', 'ce-subject', 'ce-time', 'ce-type']);
    expect(at('/r')[0]!.headers['ce-type']).toBe('io.openfunction.events.redis');
    expect(bodyOf(at('/r')[0]!).via).toBe('r');
    const kafkaEvent = at('/k')[0]!;
    expect(kafkaEvent.headers['ce-type']).toBe('io.openfunction.events.kafka');
    // A Kafka record's coordinates are its id, so redeliveries keep it (Dapr's __topic/__partition/__offset).
    expect(kafkaEvent.headers['ce-id']).toMatch(new RegExp(`^${stream}-0-\\d+$`));
    expect(at('/cron')[0]!.headers).toMatchObject({ 'ce-type': 'io.openfunction.events.cron', 'ce-id': expect.stringMatching(/^src-tick-\d{4}-/) });
    expect(at('/both')[0]!.headers['ce-ofncondition']).toBe('m && r');
  }, TIMEOUT);

  test('each sidecar shows its app id, components and subscriptions in the Dapr metadata API', async () => {
    const metadata = async (fn: string) => (await (await fetch(`${run!.fn(fn).daprUrl}/v1.0/metadata`)).json()) as {
      id: string;
      components: Array<{ name: string; type: string }>;
      subscriptions?: Array<{ topic: string }>;
      extended: Record<string, string>;
    };
    const trigger = await metadata('t-all');
    expect(trigger.id).toBe('t-all-default');
    expect(trigger.subscriptions!.map((s) => s.topic).sort()).toEqual(['default-src-k', 'default-src-m', 'default-src-r', 'default-src-tick']);
    expect(trigger.components.filter((c) => c.type === 'bindings.http')).toHaveLength(5);
    expect(JSON.parse(trigger.extended['openfunction-events']!)).toMatchObject({ kind: 'Trigger', name: 'all', inputs: { m: 'default-src-m' }, subscribers: [{ condition: 'm' }, { condition: 'r' }, { condition: 'k' }, { condition: 'tick' }, { condition: 'm && r' }] });

    const source = await metadata('esw-src-mqtt-m');
    expect(source.id).toBe('esw-src-mqtt-m-default');
    expect(source.components.map((c) => c.type).sort()).toEqual(['bindings.mqtt3', `pubsub.${busKind}`]);
    expect(JSON.parse(source.extended['openfunction-events']!)).toMatchObject({ kind: 'EventSource', name: 'src', event: 'm', source: 'mqtt', outputs: { bus: 'default-src-m' } });
  }, TIMEOUT);
});
