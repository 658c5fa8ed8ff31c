// The worker side of runtime/local/thread.ts: runs its share of the topology and reports over the parent port. Counters
// go out as totals every 200 ms and once more when stopped, so nothing counted is lost to the last interval.
import { parentPort, workerData } from 'node:worker_threads';
import type { Logger } from '../../lib/function.js';
import type { ThreadInput, ThreadMessage } from './thread.js';
import { COUNTER_KINDS, type Counters } from '../counters.js';
import { startTopology } from './topology.js';

const port = parentPort!;
const input = workerData as ThreadInput;
const post = (m: ThreadMessage) => port.postMessage(m);

/** Log fields cross the thread as JSON: anything else (errors, buffers) becomes a string. */
const plain = (fields: object): Record<string, unknown> => JSON.parse(JSON.stringify(fields, (_k, v: unknown) => (v instanceof Error ? v.message : v))) as Record<string, unknown>;

const log: Logger = {
  debugEnabled: input.verbose === true,
  debug: (fields, message) => (input.verbose ? post({ type: 'log', level: 'debug', message, fields: plain(fields) }) : undefined),
  info: () => {},
  warn: (fields, message) => post({ type: 'log', level: 'warn', message, fields: plain(fields) }),
  error: (fields, message) => post({ type: 'log', level: 'error', message, fields: plain(fields) }),
};

const totals = (c: Counters): Extract<ThreadMessage, { type: 'counters' }>['totals'] => Object.fromEntries(COUNTER_KINDS.map((kind) => [kind, [...c[kind]]])) as Extract<ThreadMessage, { type: 'counters' }>['totals'];

try {
  const topology = await startTopology(input.resources, {
    ...(input.bus ? { bus: input.bus } : {}),
    sinks: new Map(input.sinks),
    ...(input.connectTimeoutMs ? { connectTimeoutMs: input.connectTimeoutMs } : {}),
    display: (text) => post({ type: 'display', text }),
    log,
    threads: false,
  });
  const report = setInterval(() => post({ type: 'counters', totals: totals(topology.counters) }), 200);
  port.once('message', () => {
    clearInterval(report);
    void topology.stop().finally(() => {
      post({ type: 'counters', totals: totals(topology.counters) });
      post({ type: 'stopped' });
      port.close();
    });
  });
  post({ type: 'started', notes: topology.notes });
} catch (e) {
  post({ type: 'failed', reason: (e as Error).message });
  port.close();
}
