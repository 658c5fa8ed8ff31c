// Runs a function's clocked work (lib/function.ts Clocked) for a host: one tick at a time, every `everyMs` after the
// previous one ends, failures logged, stopped with the host. The timer never keeps the process alive.
import type { Clocked, FunctionContext } from './function.js';

export function startClock(clock: Clocked, ctx: FunctionContext): { stop(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = clock
        .tick(ctx)
        .catch((e: unknown) => ctx.log.error({ reason: (e as Error).message }, 'timer work failed; trying again at the next tick'))
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
