// The trigger-handler on real NATS JetStream with real HTTP sinks: conditions end to end, outages, dead letters,
// and a handler restart. Events come from the eventsource-handler itself (cron sources fired by hand).
import type { Event } from '../../lib/cloudevents.js';
import { connectJetStream, type Bus } from '../../lib/local/index.js';
import { silentLogger } from '../../lib/function.js';
import { freePort, sharedBrokerUrl } from '../support/brokers.js';
import { startRecorder, type Recorder } from '../support/http.js';
import { eventSource, eventually, manualScheduler, runLocal, runLocalTrigger, trigger } from '../support/local.js';

let unique = 0;
const stream = () => `TRIG_${process.pid}_${++unique}`;
const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));

/** Two cron events, "a" and "b", of EventSource `name`, fired by hand, published to `bus`. */
async function sources(bus: Bus, name: string) {
  const es = eventSource({ eventBus: 'default', cron: { a: { schedule: '@every 1s' }, b: { schedule: '@every 1s' } } }, name);
  const [a, b] = [manualScheduler(), manualScheduler()];
  const running = [await runLocal(es, 'cron', 'a', { bus, scheduler: a }), await runLocal(es, 'cron', 'b', { bus, scheduler: b })];
  return { a, b, stop: () => Promise.all(running.map((r) => r.stop())) };
}

const okBodies = (sink: Recorder) => sink.requests.filter((_, i) => (sink.answers[Math.min(i, sink.answers.length - 1)]?.status ?? 200) < 300);

describe('trigger local - end to end on JetStream', () => {
  test('a multi-input condition: the sink gets the incoming event with trigger extensions, the topic subscriber its own', async () => {
    const bus = await connectJetStream({ url: sharedBrokerUrl('nats'), streamName: stream() });
    const sink = await startRecorder();
    const es = await sources(bus, 'pair');
    const t = trigger({
      eventBus: 'default',
      inputs: { eventA: { eventSource: 'pair', event: 'a' }, eventB: { eventSource: 'pair', event: 'b' } },
      subscribers: [{ condition: 'eventA && eventB', sink: { uri: sink.url } }, { condition: 'eventB', topic: 'bees' }],
    });
    const bees: Event[] = [];
    const beeSub = await bus.subscribe('bees', 'check', async (e) => (bees.push(e), 'ack'));
    const running = await runLocalTrigger(t, bus);
    try {
      es.b.fire(at(1)); // B alone: only "eventB" fires
      await eventually(() => bees.length === 1, 'the topic subscriber');
      expect(sink.requests).toHaveLength(0);
      es.a.fire(at(2)); // A with B active: "eventA && eventB" fires with A's event
      const [delivered] = await sink.waitFor(1);
      expect(delivered!.headers).toMatchObject({ 'ce-id': `pair-a-${at(2).toISOString()}`, 'ce-type': 'io.openfunction.events.cron', 'ce-ofntrigger': 'my-trigger', 'ce-ofncondition': 'eventA && eventB', 'ce-ofnsubscriber': '0' });
      expect(bees[0]).toMatchObject({ id: `pair-b-${at(1).toISOString()}`, ofncondition: 'eventB' });
    } finally {
      await running.stop();
      await beeSub.stop();
      await es.stop();
      await bus.close();
      await sink.close();
    }
  });

  test('a sink that is down and recovers loses nothing', async () => {
    const bus = await connectJetStream({ url: sharedBrokerUrl('nats'), streamName: stream(), ackWaitMs: 1000 });
    const sink = await startRecorder();
    sink.answers.push(...Array.from({ length: 8 }, () => ({ status: 503 })), { status: 200 });
    const es = await sources(bus, 'flaky');
    const t = trigger({ eventBus: 'default', inputs: { eventA: { eventSource: 'flaky', event: 'a' } }, subscribers: [{ condition: 'eventA', sink: { uri: sink.url }, delivery: { retry: 1, backoffDelay: '10ms' } }] });
    const running = await runLocalTrigger(t, bus);
    try {
      for (let i = 0; i < 5; i++) es.a.fire(at(i));
      await eventually(() => new Set(okBodies(sink).map((r) => r.headers['ce-id'])).size === 5, 'five events accepted', 30_000);
      expect(new Set(okBodies(sink).map((r) => r.headers['ce-id']))).toEqual(new Set([0, 1, 2, 3, 4].map((i) => `flaky-a-${at(i).toISOString()}`)));
    } finally {
      await running.stop();
      await es.stop();
      await bus.close();
      await sink.close();
    }
  });

  test('a permanent 4xx lands in the dead-letter sink with its error extensions', async () => {
    const bus = await connectJetStream({ url: sharedBrokerUrl('nats'), streamName: stream() });
    const sink = await startRecorder(422);
    const dead = await startRecorder(200);
    const es = await sources(bus, 'refused');
    const t = trigger({ eventBus: 'default', inputs: { eventA: { eventSource: 'refused', event: 'a' } }, subscribers: [{ condition: 'eventA', sink: { uri: sink.url }, deadLetterSink: { uri: dead.url } }] });
    const running = await runLocalTrigger(t, bus);
    try {
      es.a.fire(at(7));
      const [letter] = await dead.waitFor(1);
      expect(sink.requests).toHaveLength(1); // permanent: not retried
      expect(letter!.headers).toMatchObject({ 'ce-id': `refused-a-${at(7).toISOString()}`, 'ce-ofnerrorcode': '422', 'ce-ofnerrordest': 'so-t-my-trigger-1', 'ce-ofntrigger': 'my-trigger' });
      expect(letter!.headers['ce-ofnerrordata']).toMatch(/HTTP 422/);
    } finally {
      await running.stop();
      await es.stop();
      await bus.close();
      await sink.close();
      await dead.close();
    }
  });

  test("a sink URL's userinfo is sent as Basic authorization, and no credential reaches the dead letter", async () => {
    const bus = await connectJetStream({ url: sharedBrokerUrl('nats'), streamName: stream() });
    const sink = await startRecorder(400);
    const dead = await startRecorder(200);
    const es = await sources(bus, 'creds');
    const secretSink = sink.url.replace('http://', 'http://alice:s3cret@') + '/hook?token=t0ken&page=1';
    const unreachable = `http://bob:hunter2@127.0.0.1:${await freePort()}/x?api_key=k3y`;
    const t = trigger({
      eventBus: 'default', inputs: { eventA: { eventSource: 'creds', event: 'a' } },
      subscribers: [
        { condition: 'eventA', sink: { uri: secretSink }, deadLetterSink: { uri: dead.url } },
        { condition: 'eventA', sink: { uri: unreachable }, deadLetterSink: { uri: dead.url }, delivery: { retry: 0 } },
      ],
    });
    const running = await runLocalTrigger(t, bus);
    try {
      es.a.fire(at(8));
      const letters = await dead.waitFor(2);
      expect(sink.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from('alice:s3cret').toString('base64')}`);
      expect(sink.requests[0]!.path).toBe('/hook?token=t0ken&page=1');
      const everything = JSON.stringify(letters.map((l) => l.headers));
      expect(everything).toContain('ECONNREFUSED'); // the reason is there, the credentials are not
      expect(everything).not.toMatch(/s3cret|t0ken|alice|hunter2|bob|k3y/);
    } finally {
      await running.stop();
      await es.stop();
      await bus.close();
      await sink.close();
      await dead.close();
    }
  });

  test('a handler restart mid-stream loses nothing that was not acknowledged', async () => {
    const bus = await connectJetStream({ url: sharedBrokerUrl('nats'), streamName: stream(), ackWaitMs: 1000 });
    const port = await freePort();
    const es = await sources(bus, 'restart');
    const t = trigger({ eventBus: 'default', inputs: { eventA: { eventSource: 'restart', event: 'a' } }, subscribers: [{ condition: 'eventA', sink: { uri: `http://127.0.0.1:${port}/` }, delivery: { retry: 0 } }] });
    const failed = new Set<string>();
    let running = await runLocalTrigger(t, bus, { ...silentLogger, error: (fields: object) => void failed.add((fields as { id: string }).id) });
    let sink: Recorder | undefined;
    try {
      for (let i = 0; i < 6; i++) es.a.fire(at(i)); // the sink is down: nothing can be acknowledged
      await eventually(() => failed.size === 6, 'every event to fail once');
      await running.stop(); // the first handler goes away with its in-memory state
      sink = await startRecorder(200, port);
      running = await runLocalTrigger(t, bus); // a new one, same consumer group
      await eventually(() => new Set(sink!.requests.map((r) => r.headers['ce-id'])).size === 6, 'all six delivered by the new handler', 30_000);
    } finally {
      await running.stop();
      await es.stop();
      await bus.close();
      await sink?.close();
    }
  });
});
