// The Kafka adapters' record mapping; test/integration/kafka-local runs the adapters on a real Kafka broker.
import type { Event } from '../../../lib/cloudevents.js';
import { fromKafkaRecord, sourceMetadataOf, toKafkaRecord } from '../../../lib/local/kafka.js';
import { sourceMessageOf } from '../../../functions/eventsource-handler/index.js';

describe('kafka - mapping', () => {
  test('a bus record is the structured CloudEvent, keyed by its id, and maps back', () => {
    const event: Event = { specversion: '1.0', id: 'e-1', source: '/s', type: 't', time: '2026-01-01T00:00:00.000Z', datacontenttype: 'application/json', data: { a: 1 } };
    const record = toKafkaRecord(event);
    expect(record.key).toBe('e-1');
    expect(record.headers).toEqual({ 'content-type': 'application/cloudevents+json; charset=utf-8' });
    expect(fromKafkaRecord({ value: record.value })).toEqual(event);
  });

  test('a source record gives the handler its coordinates, which become a stable CloudEvent id', () => {
    const metadata = sourceMetadataOf('orders', 3, { offset: '1042', key: Buffer.from('customer-7'), timestamp: String(Date.UTC(2026, 0, 2)) });
    expect(metadata).toEqual({ topic: 'orders', partition: '3', offset: '1042', key: 'customer-7', time: '2026-01-02T00:00:00.000Z' });
    expect(sourceMessageOf('kafka', metadata, new Uint8Array())).toMatchObject({ id: 'orders-3-1042', subject: 'partition:3#1042', time: new Date('2026-01-02T00:00:00.000Z') });
  });

  test('a record without a key or timestamp still maps', () => {
    expect(sourceMetadataOf('t', 0, { offset: '0', key: null, timestamp: '' })).toEqual({ topic: 't', partition: '0', offset: '0' });
  });
});
