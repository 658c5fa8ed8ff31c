// The built trigger-handler as OpenFunction runs it under Dapr: subscriptions from FUNC_CONTEXT, CloudEvent
// deliveries answered SUCCESS / RETRY, sinks invoked through the sidecar in binary mode, a clean exit on SIGTERM.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { encodeConfig } from '../../lib/config/encoding.js';
import { freePort } from '../support/brokers.js';
import { request, startRecorder } from '../support/http.js';
import { eventually } from '../support/local.js';

const main = 'dist/functions/trigger-handler/main.js';
const envelope = (id: string, topic: string) =>
  JSON.stringify({ specversion: '1.0', id, source: '/apis/events.openfunction.io/v1alpha1/namespaces/default/eventsources/shop/events/x', type: 'io.openfunction.events.mqtt', topic, pubsubname: 'serving-1-pubsub-ebft-orders-z', datacontenttype: 'application/json', data: { id } });

test('trigger-handler main: subscribes, correlates, invokes the sink through the sidecar, answers RETRY when it fails', async () => {
  expect(existsSync(main)).toBe(true); // `npm test` builds first
  // The handler's extended-metadata PUT (the Dapr dashboard's description) is not what these tests check.
  const sidecar = await startRecorder(200, 0, (path) => path.startsWith('/v1.0/metadata/'));
  const port = await freePort();
  const child = spawn(process.execPath, [main], {
    env: {
      ...process.env,
      PORT: String(port),
      DAPR_HTTP_PORT: String(sidecar.port),
      FUNC_CONTEXT: JSON.stringify({
        name: 't-orders', runtime: 'Async',
        inputs: {
          'ti-default-shop-paid': { uri: 'default-shop-paid', componentName: 'serving-1-pubsub-ebft-orders-z', componentType: 'pubsub.jetstream' },
          'ti-default-shop-packed': { uri: 'default-shop-packed', componentName: 'serving-1-pubsub-ebft-orders-z', componentType: 'pubsub.jetstream' },
        },
        outputs: { 'so-t-orders-1': { uri: 'ts-orders-default-1', componentName: 'serving-1-bindings-ts-orders-default-1-q', componentType: 'bindings.http', operation: 'post' } },
      }),
      CONFIG: encodeConfig({
        trigger: 'orders', namespace: 'default',
        inputs: [{ name: 'paid', eventSource: 'shop', event: 'paid' }, { name: 'packed', eventSource: 'shop', event: 'packed' }],
        subscribers: [{ condition: 'paid && packed', sinkOutputName: 'so-t-orders-1', delivery: { retry: 0 } }],
      }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let logs = '';
  child.stdout.on('data', (d: Buffer) => (logs += d.toString()));
  child.stderr.on('data', (d: Buffer) => (logs += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const url = `http://127.0.0.1:${port}`;
  try {
    await eventually(() => logs.includes('"msg":"serving"'), 'the host to listen');
    expect(JSON.parse((await request(`${url}/dapr/subscribe`, 'GET')).body)).toEqual([
      { pubsubname: 'serving-1-pubsub-ebft-orders-z', topic: 'default-shop-paid', route: '/events/ti-default-shop-paid' },
      { pubsubname: 'serving-1-pubsub-ebft-orders-z', topic: 'default-shop-packed', route: '/events/ti-default-shop-packed' },
    ]);
    const post = (id: string, topic: string) => request(`${url}/events/ti-${topic}`, 'POST', envelope(id, topic), { 'content-type': 'application/cloudevents+json' });
    expect(JSON.parse((await post('p1', 'default-shop-paid')).body)).toEqual({ status: 'SUCCESS' });
    expect(sidecar.requests).toHaveLength(0);
    expect(JSON.parse((await post('k1', 'default-shop-packed')).body)).toEqual({ status: 'SUCCESS' });
    const [invoke] = await sidecar.waitFor(1);
    expect(invoke!.path).toBe('/v1.0/bindings/serving-1-bindings-ts-orders-default-1-q');
    expect(JSON.parse(invoke!.body.toString())).toMatchObject({ operation: 'post', data: { id: 'k1' }, metadata: { 'Ce-Id': 'k1', 'Ce-Ofntrigger': 'orders', 'Ce-Ofncondition': 'paid && packed' } });
    sidecar.answers.push({ status: 500, body: '{"errorCode":"ERR_INVOKE_OUTPUT_BINDING"}' });
    expect(JSON.parse((await post('k2', 'default-shop-packed')).body)).toEqual({ status: 'RETRY' });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  } finally {
    child.kill('SIGKILL');
    await sidecar.close();
  }
});

test('trigger-handler main: an invalid condition stops it at start with a JSON log line naming it', async () => {
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, FUNC_CONTEXT: JSON.stringify({ name: 't', runtime: 'Async' }), CONFIG: encodeConfig({ trigger: 't', namespace: 'default', inputs: [{ name: 'a', eventSource: 'e', event: 'x' }], subscribers: [{ condition: 'a || b' }] }) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  expect(await new Promise<number | null>((resolve) => child.once('exit', resolve))).toBe(1);
  expect((JSON.parse(out.trim().split('\n').pop()!) as { reason: string }).reason).toBe('spec.subscribers[0].condition: at character 6: unknown input "b"; inputs are "a"');
});
