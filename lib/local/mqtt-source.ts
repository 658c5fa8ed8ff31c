// MQTT source (MQTT.js, protocol 5): subscribes with QoS 1 by default and acknowledges (PUBACK) only once the
// function took the message, retrying until it does — MQTT.js can hold an acknowledgement only under MQTT 5. With a
// persistent session (cleanSession false, the default here; the session outlives a disconnect by an hour), a
// message left unacknowledged by a crash is redelivered by the broker on reconnect.
import mqtt, { type MqttClient } from 'mqtt';
import { deliverUntilTaken } from './redeliver.js';
import type { Deliver, Source } from './types.js';

export interface MqttSourceOptions {
  url: string;
  topic: string;
  clientId: string;
  qos?: 0 | 1 | 2;
  cleanSession?: boolean;
  ca?: string;
  cert?: string;
  key?: string;
}

export function mqttSource(options: MqttSourceOptions): Source {
  let client: MqttClient | undefined;
  let stopped = false;
  return {
    async start(deliver: Deliver) {
      const handle = (topic: string, payload: Buffer) => deliverUntilTaken(deliver, payload, { topic }, () => stopped);
      client = await mqtt.connectAsync(options.url, {
        clientId: options.clientId,
        protocolVersion: 5,
        clean: options.cleanSession ?? false,
        ...(options.cleanSession ? {} : { properties: { sessionExpiryInterval: 3600 } }),
        reconnectPeriod: 500,
        ...(options.ca ? { ca: options.ca } : {}),
        ...(options.cert ? { cert: options.cert } : {}),
        ...(options.key ? { key: options.key } : {}),
        // QoS 1/2: the acknowledgement waits for the function (MQTT.js holds the next packet meanwhile).
        customHandleAcks: (topic, payload, _packet, done) => {
          void handle(topic, payload).then((taken) => taken && done(0));
        },
      });
      client.on('message', (topic, payload, packet) => {
        if (packet.qos === 0) void handle(topic, payload); // QoS 0 has no acknowledgement to hold
      });
      await client.subscribeAsync(options.topic, { qos: options.qos ?? 1 });
    },
    async stop() {
      stopped = true;
      await client?.endAsync();
    },
  };
}
