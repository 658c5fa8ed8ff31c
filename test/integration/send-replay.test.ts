// `ofn-events send` and `ofn-events replay` on real NATS JetStream: a test event into an EventSource's topic goes
// through a Trigger whose sink refuses, into its dead-letter topic; replay shows (dry run), then delivers them to the
// sink again with their ce-ids, once.
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Event } from '../../lib/cloudevents.js';
import { connectJetStream } from '../../lib/local/index.js';
import { sharedBrokerUrl } from '../support/brokers.js';
import { runCli, tempFiles } from '../support/cli.js';
import { startRecorder } from '../support/http.js';
import { eventually, runLocalTrigger, trigger } from '../support/local.js';

// One stream and EventSource per test: the replay test's Trigger must not also read the send test's event.
const busOn = (stream: string) => ({ apiVersion: 'events.openfunction.io/v1alpha1', kind: 'EventBus', metadata: { name: 'default', namespace: 'default' }, spec: { jetstream: { natsURL: sharedBrokerUrl('nats'), streamName: stream } } });
const sourceNamed = (name: string) => ({ apiVersion: 'events.openfunction.io/v1alpha1', kind: 'EventSource', metadata: { name, namespace: 'default' }, spec: { eventBus: 'default', cron: { paid: { schedule: '@every 1h' } } } });

test('send publishes a CloudEvent to an EventSource event\'s topic on the bus the files name', async () => {
  const stream = `SEND_${process.pid}`;
  const dir = tempFiles({ 'set.yaml': [busOn(stream), sourceNamed('till')].map((d) => stringify(d)).join('---\n') });
  const js = await connectJetStream({ url: sharedBrokerUrl('nats'), streamName: stream });
  const seen: Event[] = [];
  const sub = await js.subscribe('default-till-paid', 'probe', async (e) => (seen.push(e), 'ack'));
  try {
    const result = await runCli('send', '-f', join(dir, 'set.yaml'), '--event-source', 'till', '--event', 'paid', '--data', '{"order": 7}', '--subject', 'order-7');
    expect(result.code).toBe(0);
    await eventually(() => seen.length === 1, 'the event on the topic');
    expect(seen[0]).toMatchObject({ id: result.out[0], type: 'io.openfunction.events.test', source: 'ofn-events/send', subject: 'order-7', data: { order: 7 } });
  } finally {
    await sub.stop();
    await js.close();
  }
});

test('replay: dead letters shown by --dry-run and left; then delivered again with their ce-ids, once', async () => {
  const sink = await startRecorder(400);
  const t = trigger({ eventBus: 'default', inputs: { paid: { eventSource: 'stall', event: 'paid' } }, subscribers: [{ condition: 'paid', sink: { uri: sink.url }, deadLetterTopic: 'orders-dead-letters', delivery: { retry: 0 } }] }, 'orders');
  const stream = `REPLAY_${process.pid}`;
  const dir = tempFiles({ 'set.yaml': [busOn(stream), sourceNamed('stall'), { ...t, metadata: { name: 'orders', namespace: 'default' } }].map((d) => stringify(d)).join('---\n') });
  const file = join(dir, 'set.yaml');
  const js = await connectJetStream({ url: sharedBrokerUrl('nats'), streamName: stream });
  let running: Awaited<ReturnType<typeof runLocalTrigger>> | undefined;
  try {
    running = await runLocalTrigger(t, js);
    const ids = [];
    for (let i = 0; i < 2; i++) ids.push((await runCli('send', '-f', file, '--event-source', 'stall', '--event', 'paid', '--data', `{"n": ${i}}`)).out[0]!);
    await sink.waitFor(2); // both refused (400): dead-lettered to the topic
    await running.stop();
    sink.answers.push({ status: 200 });

    const dry = await runCli('replay', '-f', file, '--trigger', 'orders', '--from', 'orders-dead-letters', '--dry-run', '--idle', '1s');
    expect([dry.code, dry.err]).toEqual([0, ['2 dead letters would be replayed (nothing sent, nothing acknowledged)']]);
    expect(dry.out.sort()).toEqual(ids.map((id) => `would replay ${id} → sink ${sink.url}`).sort());
    expect(sink.requests).toHaveLength(2); // nothing sent

    const real = await runCli('replay', '-f', file, '--trigger', 'orders', '--from', 'orders-dead-letters', '--idle', '1s');
    expect([real.code, real.err]).toEqual([0, ['2 replayed, 0 failed']]);
    const replayed = sink.requests.slice(2);
    expect(replayed.map((r) => r.headers['ce-id']).sort()).toEqual([...ids].sort());
    for (const r of replayed) {
      expect(r.headers['ce-ofntrigger']).toBe('orders');
      expect(Object.keys(r.headers).filter((h) => h.startsWith('ce-ofnerror'))).toEqual([]);
    }
    const again = await runCli('replay', '-f', file, '--trigger', 'orders', '--from', 'orders-dead-letters', '--idle', '500ms');
    expect([again.out, again.err.at(-1)]).toEqual([[], '0 replayed, 0 failed']);
  } finally {
    await running?.stop().catch(() => undefined);
    await js.close();
    await sink.close();
  }
});
