import type { Event } from '../../lib/cloudevents.js';
import type { EventSourceHandlerConfig } from '../../lib/config/eventsource.js';
import { decodeEventSourceConfig } from '../../lib/config/eventsource.js';
import { encodeConfig } from '../../lib/config/encoding.js';
import { DeliveryError, PoisonMessageError } from '../../lib/errors.js';
import { silentLogger, type FunctionContext } from '../../lib/function.js';
import { createEventSourceHandler, sourceMessageOf } from '../../functions/eventsource-handler/index.js';

const config: EventSourceHandlerConfig = {
  eventBusOutputName: 'ebo-my-es', sinkOutputName: 'so-es-my-es-1', logLevel: '1',
  namespace: 'default', eventSource: 'my-es', event: 'created', sourceKind: 'kafka',
};
const env = { now: () => new Date('2026-01-01T00:00:00Z'), newId: () => 'new-id' };

/** A context whose outputs fail as scripted: per output, a list of errors to throw before succeeding. */
function fakeContext(failures: Record<string, Array<Error>> = {}, metadata: Record<string, string> = {}) {
  const sent: Array<{ output: string; event: Event }> = [];
  const ctx: FunctionContext = {
    name: 'esw-my-es-kafka-created',
    input: { name: 'esi-created', kind: 'binding', metadata },
    log: silentLogger,
    async send(data, output) {
      const next = failures[output]?.shift();
      if (next) throw next;
      sent.push({ output, event: data as Event });
    },
  };
  return { ctx, sent };
}

const slept: number[] = [];
const deps = { env, sleep: async (ms: number) => void slept.push(ms) };
beforeEach(() => (slept.length = 0));

describe('eventsource-handler', () => {
  test('one CloudEvent to the bus and the sink, with the Kafka coordinates as a stable id', async () => {
    const { ctx, sent } = fakeContext({}, { topic: 'orders', partition: '2', offset: '41' });
    await createEventSourceHandler(config, deps)(ctx, Buffer.from('{"order":1}'));
    expect(sent.map((s) => s.output).sort()).toEqual(['ebo-my-es', 'so-es-my-es-1']);
    expect(sent[0]!.event).toBe(sent[1]!.event);
    expect(sent[0]!.event).toMatchObject({ id: 'orders-2-41', subject: 'partition:2#41', type: 'io.openfunction.events.kafka', data: { order: 1 } });
  });

  test('only the outputs the config names', async () => {
    const { ctx, sent } = fakeContext();
    await createEventSourceHandler({ ...config, sinkOutputName: undefined }, deps)(ctx, Buffer.from('x'));
    expect(sent.map((s) => s.output)).toEqual(['ebo-my-es']);
  });

  test('a transient failure is retried with backoff and then acknowledged', async () => {
    const { ctx, sent } = fakeContext({ 'so-es-my-es-1': [new DeliveryError('sink 503', true), new Error('ECONNRESET')] });
    await createEventSourceHandler(config, deps)(ctx, Buffer.from('x'));
    expect(sent).toHaveLength(2);
    expect(slept).toEqual([100, 200]);
  });

  test('when retries run out the handler fails, so the source redelivers', async () => {
    const { ctx } = fakeContext({ 'ebo-my-es': Array.from({ length: 10 }, () => new DeliveryError('bus down', true)) });
    const handler = createEventSourceHandler(config, deps);
    const error = await handler(ctx, Buffer.from('x')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).retryable).toBe(true);
    expect((error as Error).message).toMatch(/^event new-id not delivered: ebo-my-es: bus down \(4 attempts\)$/);
  });

  test('an output that refuses the event for good makes it poison: dropped, not redelivered forever', async () => {
    const { ctx } = fakeContext({ 'so-es-my-es-1': [new DeliveryError('sink answered 400', false)], 'ebo-my-es': [new DeliveryError('no such topic', false)] });
    await expect(createEventSourceHandler(config, deps)(ctx, Buffer.from('x'))).rejects.toBeInstanceOf(PoisonMessageError);
  });

  test('an oversized payload is poison', async () => {
    const { ctx, sent } = fakeContext();
    await expect(createEventSourceHandler(config, { ...deps, maxEventBytes: 4 })(ctx, Buffer.from('12345'))).rejects.toBeInstanceOf(PoisonMessageError);
    expect(sent).toHaveLength(0);
  });

  test('a config without outputs is refused at start', () => {
    expect(() => createEventSourceHandler({ ...config, eventBusOutputName: undefined, sinkOutputName: undefined }, deps)).toThrow('config names neither eventBusOutputName nor sinkOutputName');
  });
});

describe('eventsource-handler - source metadata', () => {
  test.each([
    ['kafka', { topic: 't', partition: '0', offset: '9' }, { id: 't-0-9', subject: 'partition:0#9' }],
    ['redis', { stream: 's', id: '1700000000000-0' }, { id: 's-1700000000000-0', subject: 's' }],
    ['mqtt', { topic: 'sensors/1' }, { subject: 'sensors/1' }],
    ['cron', { tick: 'my-es-tick-2026-01-01T00:00:05.000Z', time: '2026-01-01T00:00:05.000Z' }, { id: 'my-es-tick-2026-01-01T00:00:05.000Z', time: new Date('2026-01-01T00:00:05.000Z') }],
    ['kafka', {}, {}],
  ] as const)('%s %j', (kind, metadata, expected) => {
    const { payload: _payload, ...message } = sourceMessageOf(kind, metadata, new Uint8Array());
    expect(message).toEqual(expected);
  });
});

describe('eventsource-handler - config', () => {
  test('round trip through CONFIG, upstream fields kept', () => {
    const upstreamExample = { eventBusComponent: 'ebfes-my-eventsource', eventBusOutputName: 'ebo-my-eventsource', eventBusTopic: 'default-my-eventsource-sample-one', sinkOutputName: 'so-es-my-eventsource-1', logLevel: '2' };
    const decoded = decodeEventSourceConfig(encodeConfig({ ...upstreamExample, namespace: 'default', eventSource: 'my-eventsource', event: 'sample-one', sourceKind: 'kafka' }));
    expect(decoded).toMatchObject(upstreamExample);
  });

  test.each([
    [undefined, 'eventsource-handler: env CONFIG is missing: the controller sets it from spec.serving.params.CONFIG'],
    ['%%%', 'eventsource-handler: env CONFIG is not base64-encoded JSON'],
    [encodeConfig({ eventBusOutputName: 'x', namespace: 'default', eventSource: 'e', event: 'v', sourceKind: 'kinesis' }), 'eventsource-handler: env CONFIG: sourceKind: expected one of "kafka", "cron", "mqtt", "redis", got string "kinesis"'],
  ])('%s is refused with a clear message', (encoded, message) => {
    expect(() => decodeEventSourceConfig(encoded)).toThrow(message);
  });
});
