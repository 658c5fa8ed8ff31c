import type { Event } from '../../../lib/cloudevents.js';
import { createMemoryBus } from '../../../lib/local/memory.js';
import type { Verdict } from '../../../lib/local/types.js';

const event = (id: string): Event => ({ specversion: '1.0', id, source: '/s', type: 't', time: '2026-01-01T00:00:00Z' });
const settle = () => new Promise((r) => setImmediate(r));

describe('memory bus', () => {
  test('every group gets every event once, in order; competing consumers in a group share them', async () => {
    const bus = createMemoryBus();
    const got: string[] = [];
    await bus.subscribe('t', 'a', async (e) => (got.push(`a:${e.id}`), 'ack'));
    await bus.subscribe('t', 'b', async (e) => (got.push(`b1:${e.id}`), 'ack'));
    await bus.subscribe('t', 'b', async (e) => (got.push(`b2:${e.id}`), 'ack'));
    await bus.subscribe('other', 'a', async (e) => (got.push(`other:${e.id}`), 'ack'));
    await bus.publish('t', event('1'));
    await bus.publish('t', event('2'));
    for (let i = 0; i < 5; i++) await settle();
    expect(got.filter((g) => g.startsWith('a:'))).toEqual(['a:1', 'a:2']);
    expect(got.filter((g) => g.startsWith('b')).sort()).toEqual(['b1:1', 'b2:2']);
    expect(got.some((g) => g.startsWith('other'))).toBe(false);
  });

  test('retry redelivers after the delay; drop and ack move on', async () => {
    const bus = createMemoryBus({ redeliveryDelayMs: 1 });
    const verdicts: Verdict[] = ['retry', 'retry', 'ack', 'drop'];
    const seen: string[] = [];
    await bus.subscribe('t', 'g', async (e) => (seen.push(e.id), verdicts.shift() ?? 'ack'));
    await bus.publish('t', event('x'));
    await bus.publish('t', event('y'));
    while (seen.length < 4) await new Promise((r) => setTimeout(r, 2));
    expect(seen).toEqual(['x', 'x', 'x', 'y']);
  });

  test('a publish after close fails', async () => {
    const bus = createMemoryBus();
    await bus.close();
    await expect(bus.publish('t', event('1'))).rejects.toThrow('memory bus closed');
  });

  test('a group holds at most its queue limit: a publish beyond it waits until the reader makes room', async () => {
    const bus = createMemoryBus({ queueLimit: 3 });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const seen: string[] = [];
    await bus.subscribe('t', 'g', async (e) => (seen.push(e.id), await gate, 'ack'));
    let published = 0;
    const publishing = (async () => {
      for (let i = 0; i < 6; i++) await bus.publish('t', event(String(i))).then(() => published++);
    })();
    for (let i = 0; i < 10; i++) await settle();
    expect(published).toBe(3); // the reader holds "0" unacknowledged; three wait
    release();
    await publishing;
    for (let i = 0; i < 10; i++) await settle();
    expect(seen).toEqual(['0', '1', '2', '3', '4', '5']);
  });

  test('handlers that settle at once still let timers run (a stop timer or Ctrl-C is heard)', async () => {
    const bus = createMemoryBus();
    let timerRan = false;
    let handled = 0;
    // A cycle: every event publishes another, as a Trigger feeding its own topic would.
    await bus.subscribe('t', 'g', async (e) => {
      handled++;
      if (!timerRan) await bus.publish('t', event(String(Number(e.id) + 1)));
      return 'ack';
    });
    setTimeout(() => (timerRan = true), 0);
    await bus.publish('t', event('0'));
    await new Promise<void>((resolve) => {
      const check = () => (timerRan ? resolve() : setImmediate(check));
      check();
    });
    expect(timerRan).toBe(true);
    expect(handled).toBeGreaterThan(0);
    await bus.close();
  });
});