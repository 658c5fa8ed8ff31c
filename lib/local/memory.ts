// The in-memory bus: the embedded default when no EventBus applies (or `--bus memory`). Each group of a topic gets
// every event once, in order; a `retry` verdict redelivers after a backoff, like a broker would. Events live only
// as long as the process.
import type { Event } from '../cloudevents.js';
import type { Bus, Subscription, Verdict } from './types.js';

type Group = { queue: Event[]; handlers: Array<(e: Event) => Promise<Verdict>>; running: boolean; next: number };

export function createMemoryBus(options: { redeliveryDelayMs?: number } = {}): Bus {
  const topics = new Map<string, Map<string, Group>>();
  const delay = options.redeliveryDelayMs ?? 200;
  let closed = false;

  async function drain(group: Group): Promise<void> {
    if (group.running) return;
    group.running = true;
    try {
      while (!closed && group.queue.length > 0 && group.handlers.length > 0) {
        const event = group.queue[0]!;
        const handler = group.handlers[group.next++ % group.handlers.length]!;
        let verdict: Verdict;
        try {
          verdict = await handler(event);
        } catch {
          verdict = 'retry';
        }
        if (verdict === 'retry') await new Promise((r) => setTimeout(r, delay));
        else group.queue.shift();
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
        group.queue.push(event);
        void drain(group);
      }
    },
    async subscribe(topic, name, handler) {
      const groups = topics.get(topic) ?? new Map<string, Group>();
      topics.set(topic, groups);
      const group = groups.get(name) ?? { queue: [], handlers: [], running: false, next: 0 };
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
    },
  };
}
