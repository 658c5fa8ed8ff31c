import { parseFuncContext } from '../../../lib/host/context.js';
import { readHostEnv } from '../../../lib/host/index.js';

const ctx = {
  name: 'esw-my-es-kafka-sample-one',
  version: 'v1.0.0',
  inputs: { 'esi-sample-one': { uri: 'esc-kafka-sample-one', componentName: 'serving-x7k2p-bindings-esc-kafka-sample-one-9vz4d', componentType: 'bindings.kafka' } },
  outputs: {
    'ebo-my-es': { uri: 'default-my-es-sample-one', componentName: 'serving-x7k2p-pubsub-ebfes-my-es-q8m2c', componentType: 'pubsub.jetstream' },
    'so-es-my-es-1': { uri: 'ts-my-es-default', componentName: 'serving-x7k2p-bindings-ts-my-es-default-k3j9x', componentType: 'bindings.http', operation: 'post' },
  },
  runtime: 'Async',
  port: '8080',
  prePlugins: ['skywalking'],
  pluginsTracing: { enabled: false, provider: { name: 'skywalking' }, baggage: {} },
};

describe('host - FUNC_CONTEXT', () => {
  test('the v1beta1 shape OpenFunction generates, with plugin and tracing fields ignored', () => {
    const parsed = parseFuncContext(JSON.stringify(ctx));
    expect(parsed.outputs?.['ebo-my-es']?.uri).toBe('default-my-es-sample-one');
    expect(parsed.inputs?.['esi-sample-one']?.componentName).toBe('serving-x7k2p-bindings-esc-kafka-sample-one-9vz4d');
  });

  test('runtime is case-insensitive', () => {
    expect(parseFuncContext(JSON.stringify({ ...ctx, runtime: 'async' })).name).toBe(ctx.name);
  });

  test.each([
    [undefined, 'env FUNC_CONTEXT is missing: OpenFunction sets it on every function container'],
    ['{not json', /^env FUNC_CONTEXT is not JSON: /],
    [JSON.stringify({ ...ctx, runtime: 'Knative' }), 'env FUNC_CONTEXT: runtime: expected "Async": only async functions run on this host'],
    [JSON.stringify({ ...ctx, name: undefined }), 'env FUNC_CONTEXT: name: required'],
    [JSON.stringify({ ...ctx, inputs: { x: { componentName: 'c', componentType: 'kafka' } } }), 'env FUNC_CONTEXT: inputs["x"].componentType: expected a Dapr component type such as bindings.kafka or pubsub.jetstream'],
    [JSON.stringify({ ...ctx, outputs: { o: { componentName: 'bus', componentType: 'pubsub.jetstream' } } }), 'env FUNC_CONTEXT: outputs["o"].uri: required: the topic of a pub/sub output'],
  ])('a clear error for %s', (text, message) => {
    expect(() => parseFuncContext(text)).toThrow(message);
  });

  test('host environment defaults and overrides', () => {
    expect(readHostEnv({ FUNC_CONTEXT: JSON.stringify(ctx) })).toMatchObject({ port: 8080, daprHost: '127.0.0.1', daprHttpPort: 3500 });
    expect(readHostEnv({ FUNC_CONTEXT: JSON.stringify(ctx), PORT: '9000', DAPR_HOST: 'dapr-proxy', DAPR_HTTP_PORT: '3600', DAPR_API_TOKEN: 't' })).toMatchObject({ port: 9000, daprHost: 'dapr-proxy', daprHttpPort: 3600, daprApiToken: 't' });
  });
});
