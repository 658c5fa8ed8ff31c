// Runs the eventsource-handler without Dapr: a source feeds it, its outputs are a local bus and/or an HTTP sink.
// The function is the same one the host serves; only the edges differ.
import type { Event } from '../cloudevents.js';
import { createHash } from 'node:crypto';
import { DeliveryError } from '../errors.js';
import { FailurePolicy } from '../poison.js';
import type { AsyncFunction, FunctionContext, Logger } from '../function.js';
import type { Bus, Deliver, Output, Source } from './types.js';

export const busOutput = (bus: Bus, topic: string): Output => ({ send: (data) => bus.publish(topic, data as Event) });

export interface LocalFunction {
  name: string;
  inputName: string;
  fn: AsyncFunction;
  outputs: Record<string, Output>;
  log: Logger;
}

/** The `deliver` a source calls: resolves when the function took the message or dropped it as poison. */
export function deliverTo(f: LocalFunction): Deliver {
  // Not async: the output's own promise is returned, one promise and one turn fewer per event.
  const send = (data: unknown, name: string): Promise<void> => {
    const output = f.outputs[name];
    if (!output) return Promise.reject(new DeliveryError(`no output named "${name}"; outputs: ${Object.keys(f.outputs).join(', ') || 'none'}`, false));
    try {
      return output.send(data);
    } catch (e) {
      return Promise.reject(e); // a rejection, as from an async function: callers attach handlers, not try blocks
    }
  };
  const failures = new FailurePolicy();
  return async (payload, metadata) => {
    const ctx: FunctionContext = { name: f.name, input: { name: f.inputName, kind: 'binding', metadata }, log: f.log, send };
    try {
      await f.fn(ctx, payload);
    } catch (e) {
      const judged = failures.judge(e, () => createHash('sha1').update(payload).digest('base64'));
      if (judged.verdict === 'retry') throw e;
      f.log.warn({ function: f.name, reason: judged.reason }, 'message dropped: it can never be processed');
    }
  };
}

export async function runEventSource(source: Source, f: LocalFunction): Promise<{ stop(): Promise<void> }> {
  await source.start(deliverTo(f));
  return { stop: () => source.stop() };
}
