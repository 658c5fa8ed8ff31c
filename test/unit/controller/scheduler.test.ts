import { createScheduler, type Timers } from '../../../functions/controller/scheduler.js';

/** A virtual clock: timers fire only when the test advances it. */
function virtualTimers() {
  let now = 0;
  let next = 1;
  const pending = new Map<number, { at: number; fn: () => void }>();
  const timers: Timers = {
    setTimeout: (fn, ms) => (pending.set(next, { at: now + ms, fn }), next++),
    clearTimeout: (h) => void pending.delete(h as number),
  };
  async function advance(ms: number) {
    const end = now + ms;
    for (;;) {
      for (let i = 0; i < 10; i++) await Promise.resolve(); // let settled reconciles schedule what they schedule
      const due = [...pending.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      now = due[1].at;
      pending.delete(due[0]);
      due[1].fn();
      for (let i = 0; i < 5; i++) await Promise.resolve();
    }
    now = end;
  }
  return { timers, advance, pendingDelays: () => [...pending.values()].map((t) => t.at - now) };
}

describe('controller scheduler', () => {
  test('nudges coalesce into one reconcile', async () => {
    const clock = virtualTimers();
    let runs = 0;
    const s = createScheduler(async () => (runs++, { errors: [] }), clock.timers);
    s.nudge();
    s.nudge();
    s.nudge();
    await clock.advance(100);
    expect(runs).toBe(1);
  });

  test('nudges during a reconcile make exactly one more', async () => {
    const clock = virtualTimers();
    let runs = 0;
    let release!: () => void;
    const s = createScheduler(() => (runs++, new Promise((r) => (release = () => r({ errors: [] })))), clock.timers);
    s.nudge(0);
    await clock.advance(0);
    s.nudge();
    s.nudge();
    release();
    await clock.advance(0);
    await clock.advance(0);
    expect(runs).toBe(2);
  });

  test('errors are retried with backoff doubling to the cap, and a clean run resets it', async () => {
    const clock = virtualTimers();
    const outcomes = [['x'], ['x'], ['x'], [], ['x']];
    let runs = 0;
    const s = createScheduler(async () => ({ errors: outcomes[runs++] ?? [] }), clock.timers, { minBackoffMs: 1000, maxBackoffMs: 3000 });
    s.nudge(0);
    const delays: number[][] = [];
    for (let i = 0; i < 4; i++) {
      await clock.advance(0);
      delays.push(clock.pendingDelays());
      await clock.advance(delays.at(-1)![0] ?? 0);
    }
    expect(delays.slice(0, 3)).toEqual([[1000], [2000], [3000]]);
    expect(runs).toBe(4);
    s.nudge(0);
    await clock.advance(0);
    expect(clock.pendingDelays()).toEqual([1000]); // after the clean run, backoff starts over
    s.stop();
  });
});
