// Kubernetes Events, recorded beside the reconcile as client-go's recorder does (tools/record: EventRecorder.Event
// hands the Event to a broadcaster and returns; one goroutine per sink writes them in order). A reconcile does not
// wait on its Events, so an API server slow to take them does not hold Functions and status: on a first sync of
// 2,000 resources they were 13 % of the controller's time (bench/controller-apiserver).
//
// Where we differ: client-go's queue holds 1,000 and drops what does not fit; a first sync of a large cluster makes
// one Event per resource, and the bench dropped 181 of 2,000 that way. Here the queue holds 10,000 and a full queue
// makes the reconcile wait for room: memory stays bounded and no Event is lost to a burst. And Events yield: while a
// resource's Functions and status are being written (it holds the recorder), the writer waits, so on a busy API
// server what users wait for goes first and the Events follow — but never longer than `maxDelayMs` (30 s) for an
// Event, and not at all once the queue is half full, so a storm of writes can neither starve nor stall them. A
// failed Event is logged and costs only that Event.
import type { Logger } from '../../lib/function.js';
import type { Kube, KubeObject } from '../../lib/io/kube.js';
import type { Timers } from './scheduler.js';

export const EVENT_QUEUE = 10_000;

export interface EventRecorder {
  /** Queues an Event about `about`; resolves at once, or once there is room when the queue is full. */
  record(about: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string, now: Date): Promise<void>;
  /** Resolves once every Event queued so far has been written or has failed (after any hold is released). */
  flushed(): Promise<void>;
  /** Holds the writer while a reconcile writes (see above for when it writes anyway); returns the release. */
  hold(): () => void;
}

interface Pending {
  about: KubeObject;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  now: Date;
  /** When it was queued, on the recorder's clock (ms). */
  queuedAt: number;
}

export interface RecorderOptions {
  capacity?: number;
  /** Longest an Event waits while writes hold the writer (default 30,000 ms). */
  maxDelayMs?: number;
  /** A monotonic clock in ms, and timers; injected so tests run on a virtual clock. */
  clock?: () => number;
  timers?: Timers;
}

const realTimers: Timers = { setTimeout: (fn, ms) => setTimeout(fn, ms).unref(), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) };

export function createEventRecorder(kube: Kube, log: Logger, options: RecorderOptions = {}): EventRecorder {
  const capacity = options.capacity ?? EVENT_QUEUE;
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  const clock = options.clock ?? (() => performance.now());
  const timers = options.timers ?? realTimers;
  const queue: Pending[] = [];
  // Events that found the queue full, in order; each takes the place the writer frees, so the queue never holds more
  // than `capacity` and no newcomer passes them.
  const waiting: Array<{ pending: Pending; taken(): void }> = [];
  let writing: Promise<void> | undefined;
  let holds = 0;
  let wake: (() => void) | undefined;
  const held = () => holds > 0 && queue.length < capacity / 2 && queue.length > 0 && clock() - queue[0]!.queuedAt < maxDelayMs;
  const nudge = () => {
    if (!held()) wake?.();
  };

  const drain = async (): Promise<void> => {
    for (;;) {
      while (held()) {
        const timer = timers.setTimeout(() => wake?.(), maxDelayMs - (clock() - queue[0]!.queuedAt));
        await new Promise<void>((resolve) => (wake = resolve));
        timers.clearTimeout(timer);
      }
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
      const pending = { about, type, reason, message, now, queuedAt: clock() };
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
