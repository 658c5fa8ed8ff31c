// Runs the trigger-handler without Dapr: one subscription per input topic on the local bus, in the Trigger's
// consumer group; the handler's outcome becomes the bus verdict (ack, retry, drop).
import { identityOf } from '../cloudevents.js';
import { startClock, TIMER_INPUT } from '../clock.js';
import type { AsyncFunction, FunctionContext, Logger } from '../function.js';
import { DeliveryError } from '../errors.js';
import { FailurePolicy } from '../poison.js';
import type { Bus, Output, Subscription } from './types.js';

export interface LocalTrigger {
  name: string;
  group: string;
  topics: string[];
  fn: AsyncFunction;
  outputs: Record<string, Output>;
  log: Logger;
  /** Messages in flight per topic (default 64): deliveries overlap, correlation stays in arrival order. */
  concurrency?: number;
}

export async function runTrigger(bus: Bus, t: LocalTrigger): Promise<{ stop(): Promise<void> }> {
  const send = async (data: unknown, name: string) => {
    const output = t.outputs[name];
    if (!output) throw new DeliveryError(`no output named "${name}"; outputs: ${Object.keys(t.outputs).join(', ') || 'none'}`, false);
    await output.send(data);
  };
  const failures = new FailurePolicy();
  const subscriptions: Subscription[] = [];
  for (const topic of t.topics) {
    subscriptions.push(
      await bus.subscribe(topic, t.group, async (event) => {
        const ctx: FunctionContext = { name: t.name, input: { name: `ti-${topic}`, kind: 'pubsub', metadata: { topic } }, log: t.log, send };
        try {
          await t.fn(ctx, event);
          return 'ack';
        } catch (e) {
          const judged = failures.judge(e, () => `${topic}\u0000${identityOf(event)}`);
          if (judged.verdict === 'retry') {
            t.log.error({ function: t.name, id: event.id, reason: (e as Error).message }, 'message failed; the bus will redeliver it');
            return 'retry';
          }
          t.log.warn({ function: t.name, id: event.id, reason: judged.reason }, 'message dropped: it can never be processed');
          return 'drop';
        }
      }, { concurrency: t.concurrency ?? 64 }),
    );
  }
  // Clocked work (absence timers), as the host runs it under Dapr.
  const clock = t.fn.clock ? startClock(t.fn.clock, { name: t.name, input: TIMER_INPUT, log: t.log, send }) : undefined;
  return {
    stop: async () => {
      await clock?.stop();
      await Promise.all(subscriptions.map((s) => s.stop()));
    },
  };
}
