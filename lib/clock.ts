// Runs a function's clocked work (lib/function.ts Clocked) for a host: one tick at a time, every `everyMs` after the
// previous one ends, failures logged (not every second), stopped with the host. The timer never keeps the process
// alive.
import type { Clocked, FunctionContext } from './function.js';

export function startClock(clock: Clocked, ctx: FunctionContext): { stop(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  // A store that is down fails every tick: say so when the reason changes, and then every half minute with a count.
  let said: { reason: string; at: number; since: number } | undefined;
  const failed = (e: unknown) => {
    const reason = (e as Error).message;
    const now = Date.now();
    if (said && said.reason === reason && now - said.at < 30_000) return void said.since++;
    ctx.log.error({ reason, ...(said?.reason === reason ? { failuresSince: said.since } : {}) }, 'timer work failed; trying again at the next tick');
    said = { reason, at: now, since: 0 };
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = clock
        .tick(ctx)
        .then(() => void (said = undefined), failed)
        .finally(() => {
          running = undefined;
          schedule();
        });
    }, clock.everyMs);
    timer.unref();
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}

/** The input a clocked tick reports as its own. */
export const TIMER_INPUT = { name: 'timer', kind: 'binding', metadata: {} } as const;
