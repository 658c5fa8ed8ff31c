// Durable, keyed correlation and absence on real daprd sidecars with a real Redis state store (state.redis), the
// handler bundles under Node 16.15: Dapr's state API as the durable correlator uses it (ETags, first-write inserts),
// a Trigger killed with SIGKILL mid-window that resumes with its window, an absence fired once, and two replicas
// (two pods' worth of processes, one app id) sharing the bus's consumer group and the store.
import { createClient } from 'redis';
import { createDaprStateStore } from '../../lib/host/state.js';
import { StateConflictError, type StateStore } from '../../lib/state/index.js';
import { sharedBrokerUrl, startBroker, type Broker } from '../support/brokers.js';
import { complaints, runOnDapr, type DaprRun } from '../support/dapr.js';
import { startRecorder, type Recorder } from '../support/http.js';
import { eventually } from '../support/local.js';

const TIMEOUT = 240_000;
const hostPort = (url: string) => url.replace(/^[a-z]+:\/\//, '');

// Its own stream and a source name no other test uses: on the shared NATS a subject belongs to one stream only.
// ackWait 5s: Dapr's pubsub.jetstream NAKs a message the app could not take with a delay of ackWait (cc
// pubsub/jetstream/jetstream.go), which otherwise follows the Trigger's delivery budget (about a minute).
function setYaml(run: string, sink: string, stateHost: string) {
  const redis = hostPort(sharedBrokerUrl('redis'));
  return `
apiVersion: events.openfunction.io/v1alpha1
kind: EventBus
metadata: {name: bus}
spec:
  jetstream: {natsURL: "${sharedBrokerUrl('nats')}", streamName: "CORRELATION_${process.pid}", ackWait: 5s}
---
apiVersion: events.openfunction.io/v1alpha1
kind: EventSource
metadata: {name: kshop}
spec:
  eventBus: bus
  redis:
    created: {redisHost: "${redis}", redisPassword: "", stream: "created-${run}"}
    paid: {redisHost: "${redis}", redisPassword: "", stream: "paid-${run}"}
---
apiVersion: events.openfunction.io/v1alpha1
kind: Trigger
metadata: {name: orders}
spec:
  eventBus: bus
  replicas: 2
  correlation:
    state: {type: state.redis, metadata: {redisHost: "${stateHost}"}}
  inputs:
    created: {eventSource: kshop, event: created, key: data.orderId}
    paid: {eventSource: kshop, event: paid, key: data.orderId}
  subscribers:
    - condition: created && paid
      sink: {uri: "${sink}/ship"}
    - condition: created.data.remind == true && !paid
      absence: {input: paid, within: 4s}
      sink: {uri: "${sink}/remind"}
`;
}

let redis: ReturnType<typeof createClient>;
/** The state store's own Redis, so the outage test can take it away without touching the sources' shared one. */
let stateRedis: Broker;
let sink: Recorder;
let run: DaprRun;
let store: StateStore;
const tag = `${process.pid}-${Date.now()}`;

const xadd = (stream: 'created' | 'paid', orderId: string, extra: Record<string, unknown> = {}) => redis.xAdd(`${stream}-${tag}`, '*', { data: JSON.stringify({ orderId, ...extra }) });
const keysAt = (path: string) => sink.requests.filter((r) => r.path === path).map((r) => String(r.headers['ce-ofnkey']));
const idsAt = (path: string) => sink.requests.filter((r) => r.path === path).map((r) => String(r.headers['ce-id']));

beforeAll(async () => {
  redis = createClient({ url: sharedBrokerUrl('redis') });
  await redis.connect();
  [sink, stateRedis] = await Promise.all([startRecorder(200), startBroker('redis')]);
  run = await runOnDapr(setYaml(tag, sink.url, hostPort(stateRedis.url)));
  const trigger = run.fn('t-orders');
  store = createDaprStateStore({ host: '127.0.0.1', httpPort: trigger.ports.http }, trigger.launch.context.states!.correlation!.componentName);
}, TIMEOUT);

afterAll(async () => {
  await store?.close?.();
  await run?.stop();
  await sink?.close();
  await stateRedis?.stop();
  await redis?.quit();
}, TIMEOUT);

describe("Dapr's state API, as the durable correlator relies on it", () => {
  test('reads give the ETag; a stale ETag is refused with 409, a second insert with 500 (told apart by a read); deletes check the ETag', async () => {
    const key = `conformance-${tag}`;
    expect(await store.get(key)).toBeUndefined();
    await store.set(key, { n: 1 }, undefined);
    // first-write: a writer without an ETag cannot overwrite a key that exists (components-contrib state/redis)
    await expect(store.set(key, { n: 2 }, undefined)).rejects.toBeInstanceOf(StateConflictError);
    const first = await store.get<{ n: number }>(key);
    expect(first!.value).toEqual({ n: 1 });
    await store.set(key, { n: 3 }, first!.etag);
    await expect(store.set(key, { n: 4 }, first!.etag)).rejects.toBeInstanceOf(StateConflictError);
    await expect(store.delete(key, first!.etag)).rejects.toBeInstanceOf(StateConflictError);
    const second = await store.get<{ n: number }>(key);
    expect(second!.value).toEqual({ n: 3 });
    await store.delete(key, second!.etag);
    expect(await store.get(key)).toBeUndefined();
  }, TIMEOUT);
});

describe('a keyed Trigger with durable state on real daprd', () => {
  test('correlates per order; killed with SIGKILL mid-window, it resumes with the window', async () => {
    await xadd('created', 'o1');
    await xadd('created', 'o2');
    await xadd('paid', 'o2');
    await eventually(() => keysAt('/ship').includes('o2'), `o2 shipped${complaints(run)}`, 60_000);
    expect(keysAt('/ship')).toEqual(['o2']); // o1 is not paid: nothing for it
    // o1's created is in the store (applied before it was acknowledged): kill the app without a drain.
    await eventually(async () => (await store.get(`default.orders.k.o1`)) !== undefined, 'o1 in the state store');
    await run.fn('t-orders').restartApp({ kill: true });
    await xadd('paid', 'o1');
    await eventually(() => keysAt('/ship').includes('o1'), `o1 shipped after the restart${complaints(run)}`, 60_000);
    await new Promise((r) => setTimeout(r, 1500)); // anything extra would arrive now
    expect(keysAt('/ship').sort()).toEqual(['o1', 'o2']);
  }, TIMEOUT);

  test('absence: an unpaid order is reminded once, a paid one never', async () => {
    await xadd('created', 'o3', { remind: true });
    await xadd('created', 'o4', { remind: true });
    await xadd('paid', 'o4');
    await eventually(() => keysAt('/remind').includes('o3'), `o3 reminded${complaints(run)}`, 60_000);
    const reminder = sink.requests.find((r) => r.path === '/remind')!;
    expect(reminder.headers['ce-type']).toBe('io.openfunction.events.trigger.absent');
    expect(JSON.parse(reminder.body.toString())).toMatchObject({ data: { orderId: 'o3', remind: true } });
    await new Promise((r) => setTimeout(r, 6000)); // o4's deadline passes too
    expect(keysAt('/remind')).toEqual(['o3']);
  }, TIMEOUT);

  test("the state store goes away: daprd's state API fails, nothing is acknowledged or fired; once it is back, the order ships once", async () => {
    await xadd('created', 'o5');
    await eventually(async () => (await store.get('default.orders.k.o5')) !== undefined, 'o5 in the state store');
    await stateRedis.restart({
      whileDown: async () => {
        await xadd('paid', 'o5');
        await new Promise((r) => setTimeout(r, 4000)); // several deliveries of paid fail meanwhile
        expect(keysAt('/ship')).not.toContain('o5');
      },
    });
    await eventually(() => keysAt('/ship').includes('o5'), `o5 shipped once the store was back${complaints(run)}`, 60_000);
    await new Promise((r) => setTimeout(r, 2000)); // a second firing would arrive now
    expect(keysAt('/ship').filter((k) => k === 'o5')).toEqual(['o5']);
    expect(run.fn('t-orders').app.output()).toContain('state store');
  }, TIMEOUT);
});

describe('two replicas of one Trigger on real daprd', () => {
  let second: DaprRun;
  beforeAll(async () => {
    // The same resources again: one more pod of every Function, with the same app ids, consumer groups and store.
    second = await runOnDapr(setYaml(tag, sink.url, hostPort(stateRedis.url)));
  }, TIMEOUT);
  afterAll(async () => {
    await second?.stop();
  }, TIMEOUT);

  test('40 orders whose events are split between the replicas: each shipped once, each unpaid one reminded once', async () => {
    const before = sink.requests.length;
    const orders = Array.from({ length: 40 }, (_, i) => `r${i}`);
    for (const o of orders) await xadd('created', o, { remind: Number(o.slice(1)) % 4 === 0 });
    for (const o of orders) if (Number(o.slice(1)) % 4 !== 0 || Number(o.slice(1)) % 8 === 0) await xadd('paid', o);
    const expectedReminded = orders.filter((o) => Number(o.slice(1)) % 4 === 0 && Number(o.slice(1)) % 8 !== 0);
    const expectedShipped = orders.filter((o) => !expectedReminded.includes(o));
    const fresh = (path: string) => sink.requests.slice(before).filter((r) => r.path === path).map((r) => String(r.headers['ce-ofnkey']));
    await eventually(() => fresh('/ship').length >= expectedShipped.length && fresh('/remind').length >= expectedReminded.length, `all orders handled${complaints(run)}${complaints(second)}`, 90_000);
    await new Promise((r) => setTimeout(r, 6000)); // duplicates, if any, would arrive now
    expect(fresh('/ship').sort()).toEqual(expectedShipped.sort());
    expect(fresh('/remind').sort()).toEqual(expectedReminded.sort());
    // both replicas did work: the split is real
    const handledBy = await Promise.all([run, second].map(async (r) => (await fetch(`${r.fn('t-orders').appUrl}/metrics`).then((res) => res.text())).match(/ofn_events_firings_total\{[^}]*\} (\d+)/g) ?? []));
    expect(handledBy.every((lines) => lines.length > 0)).toBe(true);
    expect(new Set(idsAt('/ship')).size).toBe(idsAt('/ship').length);
  }, TIMEOUT);
});
