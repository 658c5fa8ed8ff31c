// Component metadata as Dapr reads it (research/conformance.md §1): each value here is one Dapr would otherwise
// reject at start or silently misread.
import { busComponent, httpSinkComponent, redisSourceComponent, type ComponentSpec } from '../../../functions/controller/plan/components.js';
import type { EventBusSpec } from '../../../lib/api/index.js';

const value = (c: ComponentSpec, name: string) => c.metadata.find((m) => m.name === name)?.value;

describe('components - values in the form Dapr reads', () => {
  test.each([
    // conformance 1.14: Dapr's deliverPolicy is `time`, with startTime in Unix seconds.
    [{ jetstream: { natsURL: 'nats://n:4222', deliverPolicy: 'startTime', startTime: '2026-01-02T03:04:05Z' } }, { deliverPolicy: 'time', startTime: '1767323045' }],
    // conformance 1.12: Go durations only.
    [{ jetstream: { natsURL: 'nats://n:4222', ackWait: 'PT45S' } }, { ackWait: '45000ms' }],
    [{ jetstream: { natsURL: 'nats://n:4222', ackWait: '1m30s' } }, { ackWait: '1m30s' }],
    [{ redis: { redisHost: 'r:6379', processingTimeout: 'PT0.5S', redeliverInterval: '2s' } }, { processingTimeout: '500ms', redeliverInterval: '2s' }],
    // conformance 1.18: SCRAM-SHA-256 would silently become PLAIN.
    [{ kafka: { brokers: 'k:9092', authType: 'password', saslMechanism: 'SCRAM-SHA-256' } }, { saslMechanism: 'SHA-256' }],
    [{ kafka: { brokers: 'k:9092', authType: 'password', saslMechanism: 'SCRAM-SHA-512' } }, { saslMechanism: 'SHA-512' }],
    // conformance 1.19: "false" is an Init error for these.
    [{ natsStreaming: { natsURL: 'nats://n:4222', natsStreamingClusterID: 'c', subscriptionType: 'queue', deliverNew: false, deliverAll: true } }, { deliverNew: undefined, deliverAll: 'true', startWithLastReceived: undefined }],
  ] as Array<[EventBusSpec, Record<string, string | undefined>]>)('%j', (bus, expected) => {
    const component = busComponent(bus, 'c');
    for (const [name, v] of Object.entries(expected)) expect([name, value(component, name)]).toEqual([name, v]);
  });

  test("a Redis source's concurrency goes to daprd as given; 0, like unset, leaves daprd's 10", () => {
    const source = (concurrency?: number) => redisSourceComponent({ redisHost: 'r:6379', redisPassword: '', ...(concurrency === undefined ? {} : { concurrency }) }, 'g');
    expect([1, 3, 0, undefined].map((c) => value(source(c), 'concurrency'))).toEqual(['1', '3', undefined, undefined]);
  });

  test('a sink has a response timeout: bindings.http has none of its own', () => {
    expect(value(httpSinkComponent('http://s/'), 'responseTimeout')).toBe('10s');
    expect(value(httpSinkComponent('http://s/', 'PT2S'), 'responseTimeout')).toBe('2000ms');
  });
});
