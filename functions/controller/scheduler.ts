// When to reconcile: on every nudge (a watch event, the resync cron tick), coalesced — one reconcile at a time, and
// nudges that arrive meanwhile make exactly one more. A reconcile with errors is retried with backoff (1 s doubling
// to 60 s); a clean one resets it. Timers are injected so tests run on a virtual clock.
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface Scheduler {
  /** Asks for a reconcile soon (after `delayMs`, coalescing with any already asked for). */
  nudge(delayMs?: number): void;
  /** Resolves when no reconcile is running or due. */
  idle(): Promise<void>;
  stop(): void;
}

export function createScheduler(reconcile: () => Promise<{ errors: string[] }>, timers: Timers, options: { minBackoffMs?: number; maxBackoffMs?: number } = {}): Scheduler {
  const min = options.minBackoffMs ?? 1000;
  const max = options.maxBackoffMs ?? 60_000;
  let timer: unknown;
  let running: Promise<void> | undefined;
  let again = false;
  let backoff = 0;
  let stopped = false;
  const waiters: Array<() => void> = [];

  const settleIdle = () => {
    if (!running && timer === undefined) waiters.splice(0).forEach((w) => w());
  };

  const run = () => {
    timer = undefined;
    if (stopped) return settleIdle();
    if (running) {
      again = true;
      return;
    }
    running = reconcile()
      .then(
        (r) => r.errors.length > 0,
        () => true,
      )
      .then((failed) => {
        running = undefined;
        backoff = failed ? Math.min(max, backoff === 0 ? min : backoff * 2) : 0;
        if (again) {
          again = false;
          schedule(0);
        } else if (failed) schedule(backoff);
        settleIdle();
      });
  };

  function schedule(delayMs: number) {
    if (stopped) return;
    if (timer !== undefined) return; // already due: coalesce
    timer = timers.setTimeout(run, delayMs);
  }

  return {
    nudge: (delayMs = 100) => (running ? (again = true) : schedule(delayMs)),
    idle: () => new Promise<void>((resolve) => (running || timer !== undefined ? waiters.push(resolve) : resolve())),
    stop() {
      stopped = true;
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = undefined;
      settleIdle();
    },
  };
}
