// The in-memory bus: the embedded default when no EventBus applies (or `--bus memory`). Each group of a topic gets
// every event once, in order; a `retry` verdict redelivers after a backoff, like a broker would. Events live only
// as long as the process.
import type { Event } from '../cloudevents.js';
import type { Bus, Subscription, Verdict } from './types.js';

type Group = { queue: Event[]; head: number; handlers: Array<(e: Event) => Promise<Verdict>>; running: boolean; next: number; room: Array<() => void> };

/** Events a group may hold unread; a publish beyond it waits for room (backpressure to the source). */
export const DEFAULT_MEMORY_QUEUE_LIMIT = 10_000;

const pending = (g: Group) => g.queue.length - g.head;

export function createMemoryBus(options: { redeliveryDelayMs?: number; queueLimit?: number } = {}): Bus {
  const topics = new Map<string, Map<string, Group>>();
  const delay = options.redeliveryDelayMs ?? 200;
  const limit = options.queueLimit ?? DEFAULT_MEMORY_QUEUE_LIMIT;
  let closed = false;

  async function drain(group: Group): Promise<void> {
    if (group.running) return;
    group.running = true;
    let handled = 0;
    try {
      while (!closed && pending(group) > 0 && group.handlers.length > 0) {
        // Handlers that settle at once would keep this loop in microtasks: timers and signals (--for, Ctrl-C)
        // would never run. Yield to the event loop now and then.
        if (++handled % 64 === 0) await new Promise((r) => setImmediate(r));
        const event = group.queue[group.head]!;
        const handler = group.handlers[group.next++ % group.handlers.length]!;
        let verdict: Verdict;
        try {
          verdict = await handler(event);
        } catch {
          verdict = 'retry';
        }
        if (verdict === 'retry') await new Promise((r) => setTimeout(r, delay));
        else {
          group.head++;
          if (group.head > 1024) {
            group.queue.splice(0, group.head);
            group.head = 0;
          }
          group.room.shift()?.();
        }
      }
    } finally {
      group.running = false;
    }
  }

  return {
    kind: 'memory',
    async publish(topic, event) {
      if (closed) throw new Error('memory bus closed');
      for (const group of topics.get(topic)?.values() ?? []) {
        while (pending(group) >= limit && !closed) await new Promise<void>((r) => group.room.push(r));
        group.queue.push(event);
        void drain(group);
      }
    },
    async subscribe(topic, name, handler) {
      const groups = topics.get(topic) ?? new Map<string, Group>();
      topics.set(topic, groups);
      const group = groups.get(name) ?? { queue: [], head: 0, handlers: [], running: false, next: 0, room: [] };
      groups.set(name, group);
      group.handlers.push(handler);
      void drain(group);
      return {
        async stop() {
          group.handlers.splice(group.handlers.indexOf(handler), 1);
        },
      } satisfies Subscription;
    },
    async close() {
      closed = true;
      for (const groups of topics.values()) for (const g of groups.values()) g.room.splice(0).forEach((r) => r());
    },
  };
}
