// Kubernetes Events, recorded beside the reconcile as client-go's recorder does (tools/record: EventRecorder.Event
// hands the Event to a broadcaster and returns; one goroutine per sink writes them in order). A reconcile does not
// wait on its Events, so an API server slow to take them does not hold Functions and status: on a first sync of
// 2,000 resources they were 13 % of the controller's time (bench/controller-apiserver).
//
// Where we differ: client-go's queue holds 1,000 and drops what does not fit; a first sync of a large cluster makes
// one Event per resource, and the bench dropped 181 of 2,000 that way. Here the queue holds 10,000 and a full queue
// makes the reconcile wait for room: memory stays bounded and no Event is lost to a burst. And Events yield: while a
// reconcile holds the recorder, the writer waits until it ends (or until the queue is half full), so on a busy API
// server the Functions and status users wait for go first and the Events follow. A failed Event is logged and costs
// only that Event.
import type { Logger } from '../../lib/function.js';
import type { Kube, KubeObject } from '../../lib/io/kube.js';

export const EVENT_QUEUE = 10_000;

export interface EventRecorder {
  /** Queues an Event about `about`; resolves at once, or once there is room when the queue is full. */
  record(about: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string, now: Date): Promise<void>;
  /** Resolves once every Event queued so far has been written or has failed (after any hold is released). */
  flushed(): Promise<void>;
  /** Holds the writer while a reconcile writes (it still writes once the queue is half full); returns the release. */
  hold(): () => void;
}

interface Pending {
  about: KubeObject;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  now: Date;
}

export function createEventRecorder(kube: Kube, log: Logger, capacity = EVENT_QUEUE): EventRecorder {
  const queue: Pending[] = [];
  // Events that found the queue full, in order; each takes the place the writer frees, so the queue never holds more
  // than `capacity` and no newcomer passes them.
  const waiting: Array<{ pending: Pending; taken(): void }> = [];
  let writing: Promise<void> | undefined;
  let holds = 0;
  let wake: (() => void) | undefined;
  const held = () => holds > 0 && queue.length < capacity / 2;
  const nudge = () => {
    if (!held()) wake?.();
  };

  const drain = async (): Promise<void> => {
    for (;;) {
      while (held()) await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      const next = queue.shift();
      if (!next) break;
      const waiter = waiting.shift();
      if (waiter) {
        queue.push(waiter.pending);
        waiter.taken();
      }
      await kube.recordEvent(next.about, next.type, next.reason, next.message, next.now).catch((e: Error) => log.warn({ reason: e.message }, 'could not record a Kubernetes Event'));
    }
    writing = undefined;
  };

  return {
    async record(about, type, reason, message, now) {
      const pending = { about, type, reason, message, now };
      if (queue.length >= capacity || waiting.length > 0) return new Promise<void>((taken) => waiting.push({ pending, taken }));
      queue.push(pending);
      writing ??= drain();
      nudge();
    },
    async flushed() {
      while (writing) await writing;
    },
    hold() {
      holds++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        holds--;
        nudge();
      };
    },
  };
}
