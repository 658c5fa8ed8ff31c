// A Trigger of a broker-backed topology runs on its own worker thread, as it runs in its own pod in a cluster: the
// functions meet only through the bus, so nothing is shared but the broker, and dev can use more than one core
// (one thread measured ≈ 0.4× the hand-written pipeline's sustained rate in bench/pipeline, two ≈ 1×). The worker
// runs startTopology on the Trigger and the bus resources; its counters, display lines and warnings come back as
// messages. An in-memory bus cannot cross threads, so those Triggers stay on the main thread, as does everything
// when the worker script is not compiled (running from TypeScript sources, as the tests do).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Resource } from '../../lib/api/index.js';
import type { Logger } from '../../lib/function.js';
import { COUNTER_KINDS, newCounters, type Counters } from '../counters.js';

export interface ThreadInput {
  resources: Resource[];
  bus?: string;
  sinks: Array<[string, string]>;
  connectTimeoutMs?: number;
  /** Forward debug lines (dev -v: condition traces). */
  verbose?: boolean;
}

export type ThreadMessage =
  | { type: 'started'; notes: string[] }
  | { type: 'counters'; totals: Record<keyof Counters, Array<[string, number]>> }
  | { type: 'display'; text: string }
  | { type: 'log'; level: 'debug' | 'warn' | 'error'; message: string; fields: Record<string, unknown> }
  | { type: 'stopped' }
  | { type: 'failed'; reason: string };

/** The worker ran, and its share of the topology could not start: the same would fail on the main thread. */
export class TopologyError extends Error {}

const SCRIPT = fileURLToPath(new URL('./thread-main.js', import.meta.url));

/** Whether Triggers can run on threads here: the compiled worker script exists. */
export const threadsAvailable = (): boolean => existsSync(SCRIPT);

export interface TriggerThread {
  notes: string[];
  stop(): Promise<void>;
}

/** Starts a worker running `input`, merging its counters into `counters` and forwarding what it prints. */
export async function startTriggerThread(input: ThreadInput, counters: Counters, forward: { display(text: string): void; log: Logger }): Promise<TriggerThread> {
  const worker = new Worker(SCRIPT, { workerData: input });
  // The worker sends totals; the main thread adds what changed since its last message.
  const last: Record<keyof Counters, Map<string, number>> = newCounters();
  let stopped: (() => void) | undefined;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  let running = false;
  const started = new Promise<string[]>((resolve, reject) => {
    // Before it started, a worker's error fails the start; after, it is reported (the Trigger has stopped).
    worker.on('error', (e) => (running ? forward.log.error({ reason: e.message }, 'a Trigger thread failed; its Trigger no longer runs') : reject(e)));
    worker.on('message', (m: ThreadMessage) => {
      switch (m.type) {
        case 'started':
          running = true;
          return resolve(m.notes);
        case 'failed':
          return reject(new TopologyError(m.reason));
        case 'counters':
          for (const kind of COUNTER_KINDS) {
            for (const [key, total] of m.totals[kind]) {
              counters[kind].set(key, (counters[kind].get(key) ?? 0) + total - (last[kind].get(key) ?? 0));
              last[kind].set(key, total);
            }
          }
          return;
        case 'display':
          return forward.display(m.text);
        case 'log':
          return forward.log[m.level](m.fields, m.message);
        case 'stopped':
          return stopped?.();
      }
    });
  });
  const notes = await started.catch(async (e: unknown) => {
    await worker.terminate();
    throw e;
  });
  return {
    notes,
    async stop() {
      const done = new Promise<void>((resolve) => (stopped = resolve));
      worker.postMessage('stop');
      await Promise.race([done, exited]);
      await worker.terminate();
    },
  };
}
