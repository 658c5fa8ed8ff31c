// Durable, keyed correlation in the local runtime on real Redis: `ofn-events dev` processes (a Redis-stream source,
// a Redis-streams bus, the Trigger's state in a Redis of its own) killed with SIGKILL mid-window, two of them racing
// as two replicas of one Trigger, and the state store taken away and brought back — nothing lost, nothing fired
// twice.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createClient } from 'redis';
import { stringify } from 'yaml';
import { connectRedisStateStore } from '../../lib/state/redis.js';
import { StateConflictError } from '../../lib/state/index.js';
import { sharedBrokerUrl, startBroker, type Broker } from '../support/brokers.js';
import { tempFiles } from '../support/cli.js';
import { startRecorder, type Recorder } from '../support/http.js';
import { eventually } from '../support/local.js';

const TIMEOUT = 180_000;
const hostPort = (url: string) => url.replace(/^[a-z]+:\/\//, '');

let redis: ReturnType<typeof createClient>;
let state: Broker;
let sink: Recorder;
const devs = new Set<ChildProcess>();

beforeAll(async () => {
  redis = createClient({ url: sharedBrokerUrl('redis') });
  await redis.connect();
  [state, sink] = await Promise.all([startBroker('redis'), startRecorder(200)]);
}, TIMEOUT);

afterAll(async () => {
  for (const child of devs) child.kill('SIGKILL');
  await redis?.quit();
  await Promise.all([state?.stop(), sink?.close()]);
}, TIMEOUT);

function files(tag: string, within = '3s'): string {
  const doc = (kind: string, name: string, spec: unknown) => stringify({ apiVersion: 'events.openfunction.io/v1alpha1', kind, metadata: { name }, spec });
  const source = (stream: string) => ({ redisHost: hostPort(sharedBrokerUrl('redis')), redisPassword: '', stream: `${stream}-${tag}` });
  const set = [
    doc('EventBus', 'bus', { redis: { redisHost: hostPort(sharedBrokerUrl('redis')), processingTimeout: '2s', redeliverInterval: '500ms' } }),
    // Each test its own EventSource, so its bus topics (and what is left in them) are its own.
    doc('EventSource', `shop-${tag}`, { eventBus: 'bus', redis: { created: source('created'), paid: source('paid') } }),
    doc('Trigger', `orders-${tag}`, {
      eventBus: 'bus',
      correlation: { state: { type: 'state.redis', metadata: { redisHost: hostPort(state.url) } } },
      inputs: { created: { eventSource: `shop-${tag}`, event: 'created', key: 'data.orderId' }, paid: { eventSource: `shop-${tag}`, event: 'paid', key: 'data.orderId' } },
      subscribers: [
        { condition: 'created && paid', sink: { uri: `${sink.url}/ship/${tag}` } },
        { condition: 'created.data.remind == true && !paid', absence: { input: 'paid', within }, sink: { uri: `${sink.url}/remind/${tag}` } },
      ],
    }),
  ].join('---\n');
  return join(tempFiles({ 'set.yaml': set }), 'set.yaml');
}

async function startDev(file: string): Promise<{ child: ChildProcess; err: () => string }> {
  // -v: dev traces every event it correlates, which tells which replica did what.
  const child = spawn(process.execPath, ['dist/cli/main.js', 'dev', '-f', file, '-v'], { stdio: ['ignore', 'ignore', 'pipe'] });
  devs.add(child);
  child.once('exit', () => devs.delete(child));
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  await eventually(() => err.includes('Ctrl-C to stop'), () => `dev to start:\n${err}`, 30_000);
  return { child, err: () => err };
}

function kill9(child: ChildProcess): Promise<void> {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  return exited;
}

const xadd = (tag: string, stream: 'created' | 'paid', orderId: string, extra: Record<string, unknown> = {}) => redis.xAdd(`${stream}-${tag}`, '*', { data: JSON.stringify({ orderId, ...extra }) });
const keysAt = (path: string) => sink.requests.filter((r) => r.path === path).map((r) => String(r.headers['ce-ofnkey']));
const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the Redis state store (Dapr state.redis layout)', () => {
  test('inserts only when absent, writes only with the current ETag, deletes with it', async () => {
    const store = connectRedisStateStore(state.url);
    try {
      const key = `conformance-${process.pid}`;
      await store.set(key, { n: 1 }, undefined, 60);
      await expect(store.set(key, { n: 2 }, undefined)).rejects.toBeInstanceOf(StateConflictError);
      const got = await store.get<{ n: number }>(key);
      expect(got).toEqual({ value: { n: 1 }, etag: '1' });
      await store.set(key, { n: 3 }, got!.etag);
      await expect(store.set(key, { n: 4 }, got!.etag)).rejects.toBeInstanceOf(StateConflictError);
      await expect(store.delete(key, got!.etag)).rejects.toBeInstanceOf(StateConflictError);
      await store.delete(key, '2');
      expect(await store.get(key)).toBeUndefined();
    } finally {
      await store.close?.();
    }
  });
});

describe('dev with durable correlation on real Redis', () => {
  test('killed with SIGKILL mid-window and mid-absence, a new dev completes the window and fires the absence once', async () => {
    const tag = `kill-${process.pid}`;
    const file = files(tag);
    const first = await startDev(file);
    await xadd(tag, 'created', 'o1');
    await xadd(tag, 'created', 'o2', { remind: true });
    const store = connectRedisStateStore(state.url);
    try {
      // Both created events are applied (and so acknowledged): now the process dies without a drain.
      await eventually(async () => (await store.get(`default.orders-${tag}.k.o1`)) !== undefined && (await store.get(`default.orders-${tag}.k.o2`)) !== undefined, 'created events in the store');
    } finally {
      await store.close?.();
    }
    await kill9(first.child);
    await settle(3500); // o2's deadline passes while nothing runs
    const second = await startDev(file);
    await xadd(tag, 'paid', 'o1');
    await eventually(() => keysAt(`/ship/${tag}`).length === 1 && keysAt(`/remind/${tag}`).length === 1, () => `o1 shipped and o2 reminded after the restart:\n${second.err()}\nsink: ${JSON.stringify(sink.requests.map((r) => r.path))}`, 30_000);
    await settle(2500);
    expect(keysAt(`/ship/${tag}`)).toEqual(['o1']);
    expect(keysAt(`/remind/${tag}`)).toEqual(['o2']);
    await kill9(second.child);
  }, TIMEOUT);

  test('two dev processes as two replicas: 30 orders split between them, each shipped once, each unpaid one reminded once', async () => {
    const tag = `replicas-${process.pid}`;
    const file = files(tag, '2s');
    const replicas = await Promise.all([startDev(file), startDev(file)]);
    const orders = Array.from({ length: 30 }, (_, i) => i);
    for (const i of orders) await xadd(tag, 'created', `r${i}`, { remind: i % 3 === 0 });
    for (const i of orders) if (i % 3 !== 0) await xadd(tag, 'paid', `r${i}`);
    const reminded = orders.filter((i) => i % 3 === 0).map((i) => `r${i}`);
    const shipped = orders.filter((i) => i % 3 !== 0).map((i) => `r${i}`);
    await eventually(() => keysAt(`/ship/${tag}`).length >= shipped.length && keysAt(`/remind/${tag}`).length >= reminded.length, () => `every order handled:\n${replicas.map((r) => r.err()).join('\n')}`, 60_000);
    await settle(3000);
    expect(keysAt(`/ship/${tag}`).sort()).toEqual(shipped.sort());
    expect(keysAt(`/remind/${tag}`).sort()).toEqual(reminded.sort());
    // Both did work (dev -v traces each event it correlates), and no firing went out twice.
    for (const r of replicas) expect(r.err()).toMatch(/trace: event \S+ on (created|paid); active/);
    expect(new Set(sink.requests.filter((q) => q.path === `/ship/${tag}`).map((q) => q.headers['ce-id'])).size).toBe(shipped.length);
    for (const r of replicas) await kill9(r.child);
  }, TIMEOUT);

  test('the state store goes away: nothing is acknowledged or fired meanwhile; once it is back, the event fires once', async () => {
    const tag = `outage-${process.pid}`;
    const dev = await startDev(files(tag));
    await xadd(tag, 'created', 'o1');
    const store = connectRedisStateStore(state.url);
    await eventually(async () => (await store.get(`default.orders-${tag}.k.o1`)) !== undefined, 'created in the store');
    await store.close?.();
    await state.restart({
      whileDown: async () => {
        await xadd(tag, 'paid', 'o1');
        await settle(4000); // several redeliveries fail meanwhile
        expect(keysAt(`/ship/${tag}`)).toEqual([]);
      },
    });
    await eventually(() => keysAt(`/ship/${tag}`).length === 1, () => `o1 shipped once the store was back:\n${dev.err()}`, 30_000);
    await settle(3000);
    expect(keysAt(`/ship/${tag}`)).toEqual(['o1']);
    expect(dev.err()).toContain('state store (Redis');
    await kill9(dev.child);
  }, TIMEOUT);
});
