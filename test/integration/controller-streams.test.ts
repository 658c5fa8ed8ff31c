// The controller makes sure a JetStream bus's stream captures every topic its Functions use (Dapr never creates
// streams, conformance 1.16), against a real nats-server; an unreachable NATS is a status naming the stream.
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { silentLogger } from '../../lib/function.js';
import { StreamKeeper } from '../../lib/io/jetstream-streams.js';
import { kubeFrom } from '../../lib/io/kube.js';
import { reconcileAll } from '../../functions/controller/reconcile.js';
import { freePort, sharedBrokerUrl } from '../support/brokers.js';
import { startFakeKube, type FakeKube } from '../support/fake-kube.js';

const EVENTS = 'events.openfunction.io/v1alpha1';
let fake: FakeKube;

function world(natsURL: string, stream: string) {
  fake.put('eventbuses', { apiVersion: EVENTS, kind: 'EventBus', metadata: { name: 'default', namespace: 'default' }, spec: { jetstream: { natsURL, streamName: stream } } });
  fake.put('eventsources', { apiVersion: EVENTS, kind: 'EventSource', metadata: { name: 'shop', namespace: 'default' }, spec: { eventBus: 'default', cron: { tick: { schedule: '@every 5s' } } } });
  fake.put('triggers', { apiVersion: EVENTS, kind: 'Trigger', metadata: { name: 'orders', namespace: 'default' }, spec: { eventBus: 'default', inputs: { tick: { eventSource: 'shop', event: 'tick' } }, subscribers: [{ condition: 'tick', topic: 'default-orders-out' }] } });
}

beforeEach(async () => {
  fake = await startFakeKube();
});
afterEach(() => fake.close());

test('the stream is created with every topic published or subscribed; a second pass opens no connection', async () => {
  const stream = `S_${process.pid}`;
  world(sharedBrokerUrl('nats'), stream);
  let connections = 0;
  const { ensureStream } = await import('../../lib/io/jetstream-streams.js');
  const keeper = new StreamKeeper((...args) => (connections++, ensureStream(...args)));
  const reconcile = () => reconcileAll(kubeFrom(fake.kubeConfig), { now: () => new Date(), log: silentLogger, streams: keeper });
  expect((await reconcile()).errors).toEqual([]);
  const nc = await connect({ servers: sharedBrokerUrl('nats') });
  try {
    const info = await (await jetstreamManager(nc)).streams.info(stream);
    expect([...(info.config.subjects ?? [])].sort()).toEqual(['default-orders-out', 'default-shop-tick']);
  } finally {
    await nc.close();
  }
  const before = connections;
  await reconcile();
  expect(connections).toBe(before);
});

test('an unreachable NATS: the resource reports Error StreamUnavailable, naming the stream and the URL; its Functions are still applied', async () => {
  const url = `nats://127.0.0.1:${await freePort()}`;
  world(url, 'NOPE');
  await reconcileAll(kubeFrom(fake.kubeConfig), { now: () => new Date(), log: silentLogger, streams: new StreamKeeper() });
  const status = fake.get(EVENTS, 'eventsources', 'default', 'shop')!.status as { state: string; conditions: Array<{ type: string; reason: string; message: string }> };
  expect(status.state).toBe('Error');
  expect(status.conditions.find((c) => c.type === 'Planned')).toMatchObject({ reason: 'StreamUnavailable', message: expect.stringContaining(`JetStream stream NOPE at ${url}`) });
  expect(fake.list('core.openfunction.io/v1beta2', 'functions').map((f) => f.metadata.name).sort()).toEqual(['esw-shop-cron-tick', 't-orders']);
});
