// The durable correlator on a store in memory and a virtual clock: replicas sharing one store, redeliveries after a
// crash, store outages, and absence timers fired once across replicas.
import type { Event } from '../../../lib/cloudevents.js';
import { MemoryStateStore, StateConflictError, StateUnavailableError, type StateStore } from '../../../lib/state/index.js';
import { DurableCorrelator, modelOf, type Firing } from '../../../functions/trigger-handler/index.js';

const ev = (id: string, orderId: string): Event => ({ specversion: '1.0', id, source: '/shop', type: 't', data: { orderId } });
const inputs = [
  { name: 'created', eventSource: 'shop', event: 'created', key: 'data.orderId' },
  { name: 'paid', eventSource: 'pay', event: 'paid', key: 'data.orderId' },
];
const CREATED = [0];
const PAID = [1];

function replica(store: StateStore, subscribers: Array<{ condition: string; absence?: { input: string; within: string } }> = [{ condition: 'created && paid' }], correlation?: Parameters<typeof modelOf>[0]['correlation']) {
  const model = modelOf({ namespace: 'shop', trigger: 'orders', inputs, subscribers, correlation, durable: true });
  return new DurableCorrelator(model, { store, ttlSeconds: 3600 });
}
const names = (firings: Firing[]) => firings.map((f) => `${f.subscriber}:${f.key}:${f.event.id}`);

/** A store whose writes can be made to lose one ETag race, as if another replica wrote just before. */
class RacingStore extends MemoryStateStore {
  before?: () => Promise<void>;
  override async set(key: string, value: unknown, etag: string | undefined, ttl?: number): Promise<void> {
    const before = this.before;
    this.before = undefined;
    await before?.();
    return super.set(key, value, etag, ttl);
  }
}

describe('durable correlation', () => {
  test('state survives the correlator: a new one (a restarted pod) completes the window', async () => {
    const store = new MemoryStateStore();
    expect(await replica(store).onEvent('o1', CREATED, ev('c1', 'o1'), 0, '/shop c1')).toEqual([]);
    const restarted = replica(store);
    expect(names(await restarted.onEvent('o1', PAID, ev('p1', 'o1'), 1_000, '/shop p1'))).toEqual(['0:o1:p1']);
  });

  test('a redelivered event changes nothing and gets the firings it made', async () => {
    const store = new MemoryStateStore();
    const r = replica(store, [{ condition: 'created && paid' }], { payload: 'correlated', resetAfterFire: true });
    await r.onEvent('o1', CREATED, ev('c1', 'o1'), 0, '/shop c1');
    const first = await r.onEvent('o1', PAID, ev('p1', 'o1'), 1, '/shop p1');
    const again = await replica(store, [{ condition: 'created && paid' }], { payload: 'correlated', resetAfterFire: true }).onEvent('o1', PAID, ev('p1', 'o1'), 50, '/shop p1');
    expect(first).toHaveLength(1);
    expect(again.map((f) => f.event.id)).toEqual(first.map((f) => f.event.id));
    // reset-after-fire was applied once: a new paid alone does not fire
    expect(await r.onEvent('o1', PAID, ev('p2', 'o1'), 60, '/shop p2')).toEqual([]);
  });

  test('two replicas racing on one key: the loser re-reads, and the pair fires exactly once', async () => {
    const store = new RacingStore();
    const a = replica(store);
    const b = replica(store);
    // a reads, then b writes created before a's write lands: a's write conflicts, a recomputes with created active.
    store.before = async () => void (await b.onEvent('o1', CREATED, ev('c1', 'o1'), 0, '/shop c1'));
    const fired = await a.onEvent('o1', PAID, ev('p1', 'o1'), 1, '/shop p1');
    expect(names(fired)).toEqual(['0:o1:p1']);
    const record = await store.get<{ at: Array<number | null> }>('shop.orders.k.o1');
    expect(record!.value.at).toEqual([0, 1]);
  });

  test('two creators of one new key: only one insert wins', async () => {
    const store = new MemoryStateStore();
    await store.set('k', 1, undefined);
    await expect(store.set('k', 2, undefined)).rejects.toBeInstanceOf(StateConflictError);
  });

  test('a store outage: the event is not applied (retryable error), and applies once the store is back', async () => {
    const store = new MemoryStateStore();
    const r = replica(store);
    await r.onEvent('o1', CREATED, ev('c1', 'o1'), 0, '/shop c1');
    store.down = true;
    await expect(r.onEvent('o1', PAID, ev('p1', 'o1'), 1, '/shop p1')).rejects.toBeInstanceOf(StateUnavailableError);
    store.down = false;
    expect(names(await r.onEvent('o1', PAID, ev('p1', 'o1'), 2, '/shop p1'))).toEqual(['0:o1:p1']);
    expect(names(await r.onEvent('o1', PAID, ev('p1', 'o1'), 3, '/shop p1'))).toEqual(['0:o1:p1']); // replayed, not re-correlated
  });

  test('records keep events only when something reads them', async () => {
    const store = new MemoryStateStore();
    await replica(store).onEvent('o1', CREATED, ev('c1', 'o1'), 0, '/shop c1');
    expect((await store.get<object>('shop.orders.k.o1'))!.value).not.toHaveProperty('ev');
    await replica(store, [{ condition: 'created.data.orderId == "o2"' }]).onEvent('o2', CREATED, ev('c2', 'o2'), 0, '/shop c2');
    expect((await store.get<object>('shop.orders.k.o2'))!.value).toHaveProperty('ev');
  });
});

describe('durable absence timers', () => {
  const absent = [{ condition: 'created', absence: { input: 'paid', within: '10m' } }];
  const collect = (out: Firing[], ok = true) => async (f: Firing) => (out.push(f), ok);

  test('fire once at the deadline, whichever replica scans, and never after paid', async () => {
    const store = new MemoryStateStore();
    const [a, b] = [replica(store, absent), replica(store, absent)];
    await a.start(0);
    await a.onEvent('o1', CREATED, ev('c1', 'o1'), 0, '/shop c1');
    await b.onEvent('o2', CREATED, ev('c2', 'o2'), 1_000, '/shop c2');
    await a.onEvent('o2', PAID, ev('p2', 'o2'), 2_000, '/shop p2');
    const fired: Firing[] = [];
    expect(await a.expire(599_999, collect(fired))).toBe(0);
    await Promise.all([a.expire(601_000, collect(fired)), b.expire(601_000, collect(fired))]);
    await Promise.all([a.expire(700_000, collect(fired)), b.expire(700_000, collect(fired))]);
    expect(fired.map((f) => `${f.key} ${f.event.type}`)).toEqual(['o1 io.openfunction.events.trigger.absent']);
  });

  test('a replica that died after taking a timer: another fires it with the same ce-id once the lease runs out', async () => {
    const store = new MemoryStateStore();
    const [a, b] = [replica(store, absent), replica(store, absent)];
    await a.start(0);
    await a.onEvent('o1', CREATED, ev('c1', 'o1'), 0, '/shop c1');
    const byA: Firing[] = [];
    // a takes the lease and its delivery never completes (the process is killed mid-delivery)
    await a.expire(600_000, async (f) => (byA.push(f), false));
    const byB: Firing[] = [];
    await b.expire(630_000, collect(byB)); // lease (60 s) still held
    expect(byB).toEqual([]);
    await b.expire(660_001, collect(byB));
    expect(byB.map((f) => f.event.id)).toEqual(byA.map((f) => f.event.id));
    await b.expire(800_000, collect(byB));
    expect(byB).toHaveLength(1);
  });

  test('timers survive a restart of every replica', async () => {
    const store = new MemoryStateStore();
    const first = replica(store, absent);
    await first.start(0);
    await first.onEvent('o1', CREATED, ev('c1', 'o1'), 0, '/shop c1');
    const fired: Firing[] = [];
    await replica(store, absent).expire(900_000, collect(fired));
    expect(fired.map((f) => f.key)).toEqual(['o1']);
  });

  test('the wheel lets go of finished buckets: the cursor moves on and the buckets are deleted', async () => {
    const store = new MemoryStateStore();
    const r = replica(store, absent);
    await r.start(0);
    for (let i = 0; i < 20; i++) await r.onEvent(`o${i}`, CREATED, ev(`c${i}`, `o${i}`), i * 1_000, `/shop c${i}`);
    const fired: Firing[] = [];
    // A scan walks at most 64 buckets: catching up from the start takes two.
    await r.expire(2_000_000, collect(fired));
    await r.expire(2_000_000, collect(fired));
    expect(fired).toHaveLength(20);
    expect(store.bytes('shop.orders.timers.').keys).toBe(1); // the cursor alone
    const cursor = await store.get<{ next: number }>('shop.orders.timers.cursor');
    expect(cursor!.value.next).toBeGreaterThan(60); // past the buckets of 600–620 s
  });
});
