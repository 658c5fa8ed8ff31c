// The clock that runs a function's timer work: one tick at a time, failures said once per reason, stopped cleanly.
import { startClock } from '../../lib/clock.js';
import { jest } from '@jest/globals';
import { silentLogger, type FunctionContext } from '../../lib/function.js';

function context(errors: Array<{ reason: string; failuresSince?: number }>): FunctionContext {
  return { name: 'f', input: { name: 'timer', kind: 'binding', metadata: {} }, send: async () => {}, log: { ...silentLogger, error: (fields) => void errors.push(fields as { reason: string }) } };
}

describe('startClock', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test('ticks every interval after the previous tick ends, never two at once', async () => {
    let active = 0;
    let most = 0;
    let ticks = 0;
    const clock = startClock({ everyMs: 100, tick: async () => { active++; most = Math.max(most, active); ticks++; await new Promise((r) => setTimeout(r, 250)); active--; } }, context([]));
    await jest.advanceTimersByTimeAsync(1_000);
    const stopping = clock.stop();
    await jest.advanceTimersByTimeAsync(300);
    await stopping;
    expect(most).toBe(1);
    expect(ticks).toBe(3); // 100 + 250, then 100 + 250 … within one second
  });

  test('a failing tick is said once per reason, not every tick, and again when the reason changes', async () => {
    const errors: Array<{ reason: string }> = [];
    let reason = 'store down';
    const clock = startClock({ everyMs: 100, tick: async () => { throw new Error(reason); } }, context(errors));
    await jest.advanceTimersByTimeAsync(1_050);
    reason = 'store refused';
    await jest.advanceTimersByTimeAsync(200);
    await clock.stop();
    expect(errors.map((e) => e.reason)).toEqual(['store down', 'store refused']);
  });
});
