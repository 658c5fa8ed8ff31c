// Keyed correlation and absence timers on a virtual clock: the in-memory correlator (state.ts) over the engine.
import type { Event } from '../../../lib/cloudevents.js';
import { ABSENT_TYPE, Correlator, modelOf } from '../../../functions/trigger-handler/index.js';

const ev = (id: string, orderId?: string): Event => ({ specversion: '1.0', id, source: '/shop', type: 't', data: orderId === undefined ? {} : { orderId } });
const inputs = [
  { name: 'created', eventSource: 'shop', event: 'created', key: 'data.orderId' },
  { name: 'paid', eventSource: 'pay', event: 'paid', key: 'data.orderId' },
];
type Sub = { condition: string; absence?: { input: string; within: string } };

function keyed(subscribers: Sub[], correlation?: Parameters<typeof modelOf>[0]['correlation'], maxKeys?: number) {
  const evicted: string[] = [];
  const model = modelOf({ namespace: 'shop', trigger: 'orders', inputs, subscribers, correlation });
  return { c: new Correlator(model, maxKeys, (k) => evicted.push(k)), evicted, model };
}
const on = (c: Correlator, input: string, id: string, key: string, at: number) => c.onEvent([input], ev(id, key), at, key).map((f) => `${f.subscriber}:${f.key}:${f.event.id}`);

describe('keyed correlation', () => {
  test('a condition holds per key: created && paid of one order, not of two', () => {
    const { c } = keyed([{ condition: 'created && paid' }]);
    expect(on(c, 'created', 'c1', 'o1', 0)).toEqual([]);
    expect(on(c, 'paid', 'p2', 'o2', 1_000)).toEqual([]); // another order: nothing
    expect(on(c, 'paid', 'p1', 'o1', 2_000)).toEqual(['0:o1:p1']);
    expect(on(c, 'created', 'c2', 'o2', 3_000)).toEqual(['0:o2:c2']);
  });

  test('windows run per key', () => {
    const { c } = keyed([{ condition: 'created && paid' }], { window: '10s' });
    on(c, 'created', 'c1', 'o1', 0);
    on(c, 'created', 'c2', 'o2', 5_000);
    expect(on(c, 'paid', 'p1', 'o1', 10_000)).toEqual([]); // o1's created is 10 s old
    expect(on(c, 'paid', 'p2', 'o2', 10_000)).toEqual(['0:o2:p2']);
  });

  test('the correlated payload carries the key and the events of that key only', () => {
    const { c } = keyed([{ condition: 'created && paid' }], { payload: 'correlated' });
    c.onEvent(['created'], ev('c1', 'o1'), 0, 'o1');
    c.onEvent(['created'], ev('c2', 'o2'), 1, 'o2');
    const [firing] = c.onEvent(['paid'], ev('p1', 'o1'), 2, 'o1');
    expect(firing!.event.subject).toBe('o1');
    expect(firing!.event.data).toMatchObject({ key: 'o1', contributors: ['c1', 'p1'], events: { created: { id: 'c1' }, paid: { id: 'p1' } } });
  });

  test('beyond maxKeys the least recently used key is evicted, and said when it still mattered', () => {
    const { c, evicted } = keyed([{ condition: 'created && paid' }], undefined, 2);
    on(c, 'created', 'c1', 'o1', 0);
    on(c, 'created', 'c2', 'o2', 1);
    on(c, 'created', 'c1b', 'o1', 2); // o1 is now the most recent
    on(c, 'created', 'c3', 'o3', 3); // evicts o2
    expect(evicted).toEqual(['o2']);
    expect(c.size).toBe(2);
    expect(on(c, 'paid', 'p1', 'o1', 4)).toEqual(['0:o1:p1']);
    expect(on(c, 'paid', 'p3', 'o3', 5)).toEqual(['0:o3:p3']);
    expect(on(c, 'paid', 'p2', 'o2', 6)).toEqual([]); // o2's created was forgotten
  });

  test('idle keys are forgotten by the clock, oldest first', () => {
    const { c, evicted } = keyed([{ condition: 'created && paid' }], { window: '10s' });
    on(c, 'created', 'c1', 'o1', 0);
    on(c, 'created', 'c2', 'o2', 5_000);
    c.expire(12_000);
    expect(c.size).toBe(1);
    c.expire(15_000);
    expect(c.size).toBe(0);
    expect(evicted).toEqual([]);
  });
});

describe('absence', () => {
  const absent = [{ condition: 'created', absence: { input: 'paid', within: '10m' } }];

  test('created and no paid within 10 m fires once, at the deadline, with the created event as data', () => {
    const { c } = keyed(absent);
    expect(on(c, 'created', 'c1', 'o1', 0)).toEqual([]); // the condition holding does not deliver
    expect(c.expire(599_999)).toEqual([]);
    const firings = c.expire(600_000);
    expect(firings.map((f) => `${f.subscriber}:${f.key}`)).toEqual(['0:o1']);
    expect(firings[0]!.event).toMatchObject({ type: ABSENT_TYPE, subject: 'o1', time: new Date(600_000).toISOString(), ofnabsent: 'paid', data: { id: 'c1', data: { orderId: 'o1' } } });
    expect(c.expire(700_000)).toEqual([]); // once
  });

  test('paid in time disarms the timer of its key only', () => {
    const { c } = keyed(absent);
    on(c, 'created', 'c1', 'o1', 0);
    on(c, 'created', 'c2', 'o2', 1_000);
    on(c, 'paid', 'p1', 'o1', 599_000);
    expect(c.expire(601_000).map((f) => f.key)).toEqual(['o2']);
  });

  test('a second created does not restart the clock', () => {
    const { c } = keyed(absent);
    on(c, 'created', 'c1', 'o1', 0);
    on(c, 'created', 'c1b', 'o1', 300_000);
    const firings = c.expire(600_000);
    expect(firings.map((f) => f.event.data)).toEqual([expect.objectContaining({ id: 'c1' })]);
  });

  test('the same expired key gives the same ce-id (a redelivered firing is recognisable)', () => {
    const a = keyed(absent).c;
    const b = keyed(absent).c;
    on(a, 'created', 'c1', 'o1', 0);
    on(b, 'created', 'c1', 'o1', 5);
    expect(a.expire(700_000)[0]!.event.id).toBe(b.expire(700_000)[0]!.event.id);
  });

  test('without keys, absence runs on the one global record', () => {
    const c = new Correlator(modelOf({ namespace: 'ns', trigger: 't', inputs: [{ name: 'a', eventSource: 'x', event: 'a' }, { name: 'b', eventSource: 'x', event: 'b' }], subscribers: [{ condition: 'a', absence: { input: 'b', within: '1s' } }] }));
    c.onEvent(['a'], ev('a1'), 0);
    expect(c.nextDue()).toBe(1_000);
    const [firing] = c.expire(1_000);
    expect(firing!.key).toBeUndefined();
    expect(firing!.event.subject).toBeUndefined();
  });
});
