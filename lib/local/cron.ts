// Cron source: upstream's `@every 5s` (Dapr bindings.cron syntax), macros, and 5- or 6-field cron expressions
// (croner). Ticks are handled one at a time, each retried until taken, and each carries a stable id (the
// EventSource, event and scheduled time) so that a retried tick is the same event.
import { Cron } from 'croner';
import { parseDuration } from '../duration.js';
import { deliverUntilTaken } from './redeliver.js';
import type { Deliver, Source } from './types.js';

/** Calls `tick` with the scheduled time; returns the function that stops it. Injected in tests. */
export type Scheduler = (schedule: string, tick: (at: Date) => void) => () => void;

export const realScheduler: Scheduler = (schedule, tick) => {
  const every = /^@every\s+(.+)$/.exec(schedule.trim());
  if (every) {
    const ms = parseDuration(every[1]!);
    if (!ms || ms <= 0) throw new Error(`bad schedule ${JSON.stringify(schedule)}`);
    const start = Date.now();
    let n = 0;
    let timer: NodeJS.Timeout;
    // Scheduled times are start + n·interval, so a slow tick never shifts the ones after it.
    const arm = () => {
      n++;
      timer = setTimeout(() => {
        tick(new Date(start + n * ms));
        arm();
      }, Math.max(0, start + n * ms - Date.now()));
    };
    arm();
    return () => clearTimeout(timer);
  }
  const job = new Cron(schedule.trim() === '@midnight' ? '@daily' : schedule.trim(), () => tick(new Date()));
  return () => job.stop();
};

/** Ticks waiting behind one not yet taken; beyond it a tick is skipped (and said), as a missed cron run. */
export const MAX_WAITING_TICKS = 16;

export function cronSource(options: { schedule: string; eventSource: string; event: string; scheduler?: Scheduler; notice?: (message: string) => void }): Source {
  let stop: (() => void) | undefined;
  let stopped = false;
  let chain = Promise.resolve();
  let waiting = 0;
  let skipped = 0;
  return {
    async start(deliver: Deliver) {
      stop = (options.scheduler ?? realScheduler)(options.schedule, (at) => {
        const time = at.toISOString();
        // Ticks that outrun delivery (a bus down, a sink refusing) would queue without bound: keep a few, skip the
        // rest, and say how many were skipped once delivery catches up.
        if (waiting >= MAX_WAITING_TICKS) {
          if (skipped++ === 0) options.notice?.(`cron ${options.eventSource}/${options.event}: ticks outrun delivery; skipping ticks until it catches up`);
          return;
        }
        waiting++;
        const metadata = { tick: `${options.eventSource}-${options.event}-${time}`, time, schedule: options.schedule };
        chain = chain.then(() =>
          deliverUntilTaken(deliver, Buffer.alloc(0), metadata, () => stopped).then(() => {
            waiting--;
            if (waiting === 0 && skipped > 0) {
              options.notice?.(`cron ${options.eventSource}/${options.event}: caught up; ${skipped} ticks were skipped`);
              skipped = 0;
            }
          }),
        );
      });
    },
    async stop() {
      stopped = true;
      stop?.();
      await chain;
    },
  };
}
