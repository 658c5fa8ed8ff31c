import * as naming from '../../lib/naming.js';

// One row per template of upstream-behaviour §3, with its example: namespace `default`, EventSource `my-es`,
// Kafka event `sample-one`, Trigger `my-trigger`.
const rows: Array<[string, string, string]> = [
  ['Function of an event', naming.eventSourceFunctionName('my-es', 'kafka', 'sample-one'), 'esw-my-es-kafka-sample-one'],
  ['Function of a Trigger', naming.triggerFunctionName('my-trigger'), 't-my-trigger'],
  ['bus topic', naming.busTopic('default', 'my-es', 'sample-one'), 'default-my-es-sample-one'],
  ['source component', naming.sourceComponentName('kafka', 'sample-one'), 'esc-kafka-sample-one'],
  ['EventSource bus component', naming.eventSourceBusComponentName('my-es'), 'ebfes-my-es'],
  ['Trigger bus component', naming.triggerBusComponentName('my-trigger'), 'ebft-my-trigger'],
  ['EventSource sink component', naming.eventSourceSinkComponentName('my-es', 'default'), 'ts-my-es-default'],
  ['Trigger sink component (divergence: indexed)', naming.triggerSinkComponentName('my-trigger', 'default', 2), 'ts-my-trigger-default-2'],
  ['EventSource input', naming.eventSourceInputName('sample-one'), 'esi-sample-one'],
  ['Trigger input', naming.triggerInputName('default-my-es-sample-one'), 'ti-default-my-es-sample-one'],
  ['EventSource bus output', naming.eventSourceBusOutputName('my-es'), 'ebo-my-es'],
  ['topic output', naming.topicOutputName('metrics'), 'ebo-metrics'],
  ['EventSource sink output', naming.eventSourceSinkOutputName('my-es'), 'so-es-my-es-1'],
  ['Trigger sink output', naming.triggerSinkOutputName('my-trigger', 2), 'so-t-my-trigger-2'],
  ['Kafka consumer group (divergence)', naming.kafkaConsumerGroup('default', 'my-es', 'sample-one'), 'default-esw-my-es-kafka-sample-one'],
  ['MQTT client id (divergence)', naming.mqttClientId('default', 'my-es', 'sample-one'), 'default-esw-my-es-mqtt-sample-one'],
  ['Redis consumer group', naming.redisConsumerGroup('default', 'my-es', 'sample-one'), 'default-esw-my-es-redis-sample-one'],
  ['EventSource bus consumer id', naming.eventSourceBusConsumerId('default', 'my-es'), 'default-ebfes-my-es'],
  ['Trigger bus consumer id', naming.triggerBusConsumerId('default', 'my-trigger'), 'default-ebft-my-trigger'],
];

describe('naming', () => {
  test.each(rows)('%s', (_name, actual, expected) => {
    expect(actual).toBe(expected);
  });

  test('consumer identities of two EventSources declaring one event name differ (upstream collided)', () => {
    expect(naming.kafkaConsumerGroup('default', 'es-a', 'created')).not.toBe(naming.kafkaConsumerGroup('default', 'es-b', 'created'));
    expect(naming.mqttClientId('default', 'es-a', 'created')).not.toBe(naming.mqttClientId('default', 'es-b', 'created'));
  });

  test('every sink of a Trigger gets its own component (upstream shared one)', () => {
    const names = [1, 2, 3].map((i) => naming.triggerSinkComponentName('t', 'default', i));
    expect(new Set(names).size).toBe(3);
  });

  test('source kinds keep upstream order', () => {
    expect(naming.SOURCE_KINDS).toEqual(['kafka', 'cron', 'mqtt', 'redis']);
  });
});
