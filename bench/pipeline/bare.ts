// The hand-written pipeline bench/pipeline compares `ofn-events dev` with, run as its own process as dev is:
// mqtt.js (QoS 1, acknowledged on receipt) → nats.js js.publish → a durable JetStream consumer (256 in flight) →
// undici POST to the sink → ack. The same hops and clients, none of the framework.
// Usage: node bare.js <nats url> <mqtt url> <mqtt topic> <sink url>; prints "ready" once subscribed.
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import mqtt from 'mqtt';
import { Pool } from 'undici';

const [natsUrl, mqttUrl, topic, sinkUrl] = process.argv.slice(2);
if (!natsUrl || !mqttUrl || !topic || !sinkUrl) throw new Error('usage: bare.js <nats url> <mqtt url> <mqtt topic> <sink url>');

const nc = await connect({ servers: natsUrl });
const jsm = await jetstreamManager(nc);
const js = jetstream(nc);
await jsm.streams.add({ name: 'PIPE_BARE', subjects: ['bare.events'] });
await jsm.consumers.add('PIPE_BARE', { durable_name: 'bare', ack_policy: AckPolicy.Explicit, max_ack_pending: 256 });
const pool = new Pool(sinkUrl, { connections: 32 });

const messages = await (await js.consumers.get('PIPE_BARE', 'bare')).consume({ max_messages: 256 });
void (async () => {
  for await (const m of messages) {
    void pool
      .request({ method: 'POST', path: '/', body: m.data, headers: { 'content-type': 'application/json' } })
      .then((r) => r.body.dump())
      .then(() => m.ack(), () => m.nak());
  }
})();

const source = await mqtt.connectAsync(mqttUrl, { clientId: 'bare-in' });
source.on('message', (_t, payload) => void js.publish('bare.events', payload).catch(() => undefined));
await source.subscribeAsync(topic, { qos: 1 });
console.log('ready');

process.once('SIGTERM', () => {
  void (async () => {
    await source.endAsync();
    await messages.close();
    await pool.close();
    await nc.drain();
    process.exit(0);
  })();
});
