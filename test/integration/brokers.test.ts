// The real-broker harness: one publish/consume round trip per broker on the shared instances, and the harness's
// own promises (restart keeps port and data, stop frees the port and the directory) on private ones.
import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import mqtt from 'mqtt';
import { createClient } from 'redis';
import { sharedBrokerUrl, startBroker } from '../support/brokers.js';

async function jetStreamRoundTrip(url: string, stream: string, payload: string, publish = true): Promise<string> {
  const nc = await connect({ servers: url });
  try {
    const jsm = await jetstreamManager(nc);
    const js = jetstream(nc);
    if (publish) {
      await jsm.streams.add({ name: stream, subjects: [`${stream}.>`] });
      const ack = await js.publish(`${stream}.created`, payload);
      expect(ack.stream).toBe(stream);
      await jsm.consumers.add(stream, { durable_name: 'reader', ack_policy: AckPolicy.Explicit });
    }
    const consumer = await js.consumers.get(stream, 'reader');
    const message = await consumer.next({ expires: 5000 });
    if (!message) throw new Error('no message');
    message.ack();
    return message.string();
  } finally {
    await nc.drain();
  }
}

describe('brokers - round trips on the shared instances', () => {
  test('NATS JetStream: an acknowledged publish is consumed and acknowledged', async () => {
    expect(await jetStreamRoundTrip(sharedBrokerUrl('nats'), 'ROUNDTRIP', 'hello jetstream')).toBe('hello jetstream');
  });

  test('mosquitto: a QoS 1 publish reaches a subscriber', async () => {
    const url = sharedBrokerUrl('mosquitto');
    const subscriber = await mqtt.connectAsync(url, { clientId: 'harness-sub' });
    const publisher = await mqtt.connectAsync(url, { clientId: 'harness-pub' });
    try {
      const received = new Promise<string>((resolve) => subscriber.on('message', (_topic, payload) => resolve(payload.toString())));
      await subscriber.subscribeAsync('harness/roundtrip', { qos: 1 });
      await publisher.publishAsync('harness/roundtrip', 'hello mqtt', { qos: 1 });
      expect(await received).toBe('hello mqtt');
    } finally {
      await Promise.all([subscriber.endAsync(), publisher.endAsync()]);
    }
  });

  test('redis-server: a stream entry is read by a consumer group and acknowledged', async () => {
    const client = createClient({ url: sharedBrokerUrl('redis') });
    await client.connect();
    try {
      await client.xGroupCreate('roundtrip', 'readers', '0', { MKSTREAM: true });
      const id = await client.xAdd('roundtrip', '*', { data: 'hello redis' });
      const reply = (await client.xReadGroup('readers', 'reader-1', { key: 'roundtrip', id: '>' }, { COUNT: 10 })) as Array<{
        name: string;
        messages: Array<{ id: string; message: Record<string, string> }>;
      }> | null;
      const messages = reply?.[0]?.messages ?? [];
      expect(messages.map((m) => [m.id, m.message.data])).toEqual([[id, 'hello redis']]);
      expect(await client.xAck('roundtrip', 'readers', id)).toBe(1);
    } finally {
      await client.quit();
    }
  });
});

describe('brokers - the harness', () => {
  const listening = (port: number) =>
    new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port });
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });

  test('restart keeps the port and JetStream data; stop frees the port and removes the directory', async () => {
    const broker = await startBroker('nats');
    try {
      const port = broker.port;
      // Published before the restart, consumed after it: the data directory survived.
      const nc = await connect({ servers: broker.url });
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: 'DURABLE', subjects: ['DURABLE.>'] });
      await jetstream(nc).publish('DURABLE.x', 'kept');
      await jsm.consumers.add('DURABLE', { durable_name: 'reader', ack_policy: AckPolicy.Explicit });
      await nc.close();
      await broker.restart();
      expect(broker.port).toBe(port);
      expect(await jetStreamRoundTrip(broker.url, 'DURABLE', '', false)).toBe('kept');
    } finally {
      await broker.stop();
    }
    expect(await listening(broker.port)).toBe(false);
    expect(existsSync(broker.dir)).toBe(false);
  });

  test.each(['mosquitto', 'redis'] as const)('%s starts privately and stops', async (kind) => {
    const broker = await startBroker(kind);
    expect(await listening(broker.port)).toBe(true);
    await broker.stop();
    expect(await listening(broker.port)).toBe(false);
  });
});
