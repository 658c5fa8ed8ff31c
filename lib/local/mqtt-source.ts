// MQTT source (MQTT.js, protocol 5): subscribes with QoS 1 by default and acknowledges (PUBACK) only once the
// function took the message, retrying until it does — MQTT.js can hold an acknowledgement only under MQTT 5. With a
// persistent session (cleanSession false, the default here; the session outlives a disconnect by an hour), a
// message left unacknowledged by a crash is redelivered by the broker on reconnect.
//
// While it holds an acknowledgement MQTT.js reads no further packet (its handlers run one packet at a time), so
// one client takes one event at a time, each waiting for the bus. To keep several in flight without giving up
// acknowledge-after-delivery, the source opens `concurrency` clients in one MQTT 5 shared subscription
// (`$share/<client id>/<topic>`): the broker spreads messages over them, each client acknowledges in the order it
// received (MQTT 5 §4.6), and a message held by a client that disconnects goes back to its session or, once that
// ends, to another member (§4.8.2). Order across clients is not kept. A broker without shared subscriptions gets
// one client on the plain topic.
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
  /** Clients sharing the subscription, so events in flight at once (default 8); 1 keeps the broker's order. */
  concurrency?: number;
}

/**
 * Whether the broker granted the subscription. MQTT.js rejects a SUBACK reason code of 0x80 or above (MQTT 5
 * §3.9.3; 0x9E: shared subscriptions not supported) with that code.
 */
async function granted(client: MqttClient, topic: string, qos: 0 | 1 | 2): Promise<boolean> {
  try {
    await client.subscribeAsync(topic, { qos });
    return true;
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'number' && code >= 0x80) return false;
    throw e;
  }
}

/** A share name may not contain `/`, `+` or `#` (MQTT 5 §4.8.2). */
const shareName = (clientId: string) => clientId.replace(/[/+#]/g, '_');

export function mqttSource(options: MqttSourceOptions): Source {
  const clients: MqttClient[] = [];
  let stopped = false;
  const qos = options.qos ?? 1;

  async function open(clientId: string, deliver: Deliver): Promise<MqttClient> {
    const handle = (topic: string, payload: Buffer) => deliverUntilTaken(deliver, payload, { topic }, () => stopped);
    const client = await mqtt.connectAsync(options.url, {
      clientId,
      protocolVersion: 5,
      clean: options.cleanSession ?? false,
      ...(options.cleanSession ? {} : { properties: { sessionExpiryInterval: 3600 } }),
      reconnectPeriod: 500,
      ...(options.ca ? { ca: options.ca } : {}),
      ...(options.cert ? { cert: options.cert } : {}),
      ...(options.key ? { key: options.key } : {}),
      // QoS 1/2: the acknowledgement waits for the function (MQTT.js holds this client's next packet meanwhile).
      customHandleAcks: (topic, payload, _packet, done) => {
        void handle(topic, payload).then((taken) => taken && done(0));
      },
    });
    client.on('message', (topic, payload, packet) => {
      if (packet.qos === 0) void handle(topic, payload); // QoS 0 has no acknowledgement to hold
    });
    clients.push(client);
    return client;
  }

  return {
    async start(deliver: Deliver) {
      const n = Math.max(1, Math.floor(options.concurrency ?? 8));
      if (n > 1) {
        const shared = `$share/${shareName(options.clientId)}/${options.topic}`;
        const first = await open(`${options.clientId}-0`, deliver);
        if (await granted(first, shared, qos)) {
          const rest = await Promise.all(Array.from({ length: n - 1 }, (_, i) => open(`${options.clientId}-${i + 1}`, deliver)));
          await Promise.all(rest.map((c) => c.subscribeAsync(shared, { qos })));
          return;
        }
        await first.endAsync();
        clients.length = 0;
      }
      const client = await open(options.clientId, deliver);
      if (!(await granted(client, options.topic, qos))) throw new Error(`the MQTT broker at ${options.url} refused a subscription to "${options.topic}"`);
    },
    async stop() {
      stopped = true;
      await Promise.all(clients.map((c) => c.endAsync()));
    },
  };
}
