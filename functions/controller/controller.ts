// The controller as it runs: reconciles on every nudge — watch events on the four kinds and on Functions (so edits
// and deletions of generated Functions are repaired at once), and the resync tick of its Dapr cron binding — one
// at a time, with backoff on errors (scheduler.ts). One replica.
import type { AsyncFunction, Logger } from '../../lib/function.js';
import type { StreamKeeper } from '../../lib/io/jetstream-streams.js';
import type { Kube } from '../../lib/io/kube.js';
import { createEventRecorder } from './events.js';
import { reconcileAll, type ReconcileStats } from './reconcile.js';
import { createScheduler, type Scheduler, type Timers } from './scheduler.js';

const WATCHED: Array<[string, string, string]> = [
  ['events.openfunction.io', 'v1alpha1', 'eventsources'],
  ['events.openfunction.io', 'v1alpha1', 'triggers'],
  ['events.openfunction.io', 'v1alpha1', 'eventbuses'],
  ['events.openfunction.io', 'v1alpha1', 'clustereventbuses'],
  ['core.openfunction.io', 'v1beta2', 'functions'],
];

export interface Controller {
  /** The OpenFunction function its cron binding triggers: a resync. */
  resync: AsyncFunction;
  /** A full resync now: the JetStream streams are looked at again too. */
  resyncNow(): void;
  scheduler: Scheduler;
  start(): Promise<void>;
  /** Stops watching and reconciling; resolves once the Events already queued are written, or after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export function createController(
  kube: Kube,
  options: { log: Logger; now(): Date; timers: Timers; configMaps?: Array<{ namespace: string; name: string }>; onReconciled?(stats: ReconcileStats): void; streams?: StreamKeeper },
): Controller {
  // One recorder for the controller's life: Events of a reconcile are still being written while the next one runs.
  const events = createEventRecorder(kube, options.log, { timers: options.timers });
  const scheduler = createScheduler(async () => {
    const stats = await reconcileAll(kube, { now: options.now, log: options.log, events, ...(options.configMaps ? { configMaps: options.configMaps } : {}), ...(options.streams ? { streams: options.streams } : {}) });
    if (stats.applied + stats.pruned + stats.statusWrites + stats.errors.length > 0) options.log.info({ ...stats }, 'reconciled');
    options.onReconciled?.(stats);
    return stats;
  }, options.timers);
  const stops: Array<() => void> = [];
  let stopped = false;
  const resyncNow = () => {
    options.streams?.forget();
    scheduler.nudge(0);
  };
  return {
    // The cron tick is the full resync: it also looks at the JetStream streams again.
    resync: async () => resyncNow(),
    resyncNow,
    scheduler,
    async start() {
      for (const [group, version, plural] of WATCHED) {
        const stopWatch = await kube.watch(group, version, plural, () => scheduler.nudge());
        // SIGTERM can arrive while the watches are being opened: a watch opened after stop() closes at once.
        if (stopped) return stopWatch();
        stops.push(stopWatch);
      }
      scheduler.nudge(0);
    },
    async stop(graceMs = 10_000) {
      stopped = true;
      stops.splice(0).forEach((s) => s());
      scheduler.stop();
      let timer: unknown;
      await Promise.race([events.flushed(), new Promise<void>((resolve) => (timer = options.timers.setTimeout(resolve, graceMs)))]);
      options.timers.clearTimeout(timer);
    },
  };
}
