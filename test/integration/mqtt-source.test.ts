// The MQTT source on a real mosquitto: several events in flight at once through a shared subscription, each
// acknowledged only once the function took it, so a message never taken comes back after a restart.
import mqtt from 'mqtt';
import { mqttSource } from '../../lib/local/mqtt-source.js';
import { sharedBrokerUrl } from '../support/brokers.js';
import { eventually } from '../support/local.js';

let unique = 0;
const name = (prefix: string) => `${prefix}-${process.pid}-${++unique}`;

async function publish(topic: string, messages: string[]) {
  const client = await mqtt.connectAsync(sharedBrokerUrl('mosquitto'), { clientId: name('producer') });
  for (const m of messages) await client.publishAsync(topic, m, { qos: 1 });
  await client.endAsync();
}

describe('MQTT source', () => {
  test('takes several events at once, and delivers each exactly once', async () => {
    const topic = `concurrent/${name('t')}`;
    const source = mqttSource({ url: sharedBrokerUrl('mosquitto'), topic, clientId: name('c'), concurrency: 4 });
    const taken: string[] = [];
    let inFlight = 0;
    let peak = 0;
    const waiting: Array<() => void> = [];
    await source.start(async (payload) => {
      peak = Math.max(peak, ++inFlight);
      // Nothing completes until three deliveries have overlapped: one client at a time would never get there.
      if (peak < 3) await new Promise<void>((r) => waiting.push(r));
      else waiting.splice(0).forEach((r) => r());
      inFlight--;
      taken.push(payload.toString());
    });
    try {
      await publish(topic, Array.from({ length: 12 }, (_, i) => `m${i}`));
      await eventually(() => taken.length >= 12, '12 deliveries');
      expect(peak).toBeGreaterThanOrEqual(3);
      expect([...taken].sort()).toEqual(Array.from({ length: 12 }, (_, i) => `m${i}`).sort());
    } finally {
      await source.stop();
    }
  });

  test('a message the function never took is redelivered when the source starts again', async () => {
    const topic = `held/${name('t')}`;
    const clientId = name('c');
    const first = mqttSource({ url: sharedBrokerUrl('mosquitto'), topic, clientId, concurrency: 2 });
    const attempts: string[] = [];
    await first.start(async (payload) => {
      attempts.push(payload.toString());
      throw new Error('not now'); // never taken: the acknowledgement stays held
    });
    await publish(topic, ['keep me']);
    await eventually(() => attempts.length > 0, 'a first attempt');
    await first.stop();

    const second = mqttSource({ url: sharedBrokerUrl('mosquitto'), topic, clientId, concurrency: 2 });
    const taken: string[] = [];
    await second.start(async (payload) => void taken.push(payload.toString()));
    try {
      await eventually(() => taken.length > 0, 'the redelivery');
      expect(taken).toEqual(['keep me']);
    } finally {
      await second.stop();
    }
  });
});
